"""Incremental review: after a push, review only what changed since the last passing review, when provably safe."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from bot.github.port import GitHubError, PullFile
from bot.review.diff import FILES_API_LIMIT, HARMLESS_SKIP, DiffPlan, commentable_lines

if TYPE_CHECKING:
    from bot.context import Context

log = logging.getLogger(__name__)

PASSED = ("pass", "pass_with_findings")
COMPARE_LIMIT = 300  # GitHub's compare lists at most this many files: more means some are unseen


@dataclass(frozen=True)
class Scope:
    """What one review covers: the whole PR diff (base_sha None) or the range base_sha..head."""

    files: list[PullFile]
    base_sha: str | None = None
    note: str = ""  # said in the review body: what was reviewed, or why not incrementally
    head_sha: str = ""

    @property
    def incremental(self) -> bool:
        return self.base_sha is not None

    def describe(self, base_ref: str) -> str:
        if self.incremental:
            return (f"Reviewed: only the changes from `{self.base_sha[:12]}` (last passing review) to "
                    f"`{self.head_sha[:12]}`; the diff up to `{self.base_sha[:12]}` passed that review.")
        return f"Reviewed: the full diff against `{base_ref}`" + (f" ({self.note})." if self.note else ".")


def paths(files: Iterable[PullFile]) -> set[str]:
    """Every path a diff touches, old names of renames included."""
    out: set[str] = set()
    for f in files:
        out.add(f.filename)
        if f.previous_filename:
            out.add(f.previous_filename)
    return out


def previous_pass(last: dict | None) -> tuple[str | None, str]:
    """The SHA the latest review passed completely, or None and why not.

    Only the LATEST review counts: a pass before a later fail or error is never a starting point.
    """
    if last is None:
        return None, "no earlier review of this pull request"
    sha = last["head_sha"][:12]
    if last["verdict"] not in PASSED or last["state"] != "success":
        return None, f"the last review, of `{sha}`, did not pass ({last['verdict']})"
    if any(s.get("reason") != HARMLESS_SKIP for s in last.get("skipped") or []):
        return None, f"the last review, of `{sha}`, did not cover every file"
    return last["head_sha"], ""


def unseen(pr_paths: set[str], reviewed: Iterable[str], changed: Iterable[str]) -> set[str]:
    """PR paths neither in the earlier reviewed diff nor changed since: the review would not see them."""
    return pr_paths - set(reviewed) - set(changed)


def choose(ctx: "Context", number: int, head: str, files: list[PullFile], trigger: str) -> Scope:
    """The range since the last passing review on a push, or the full diff whenever that is not provably safe."""
    full = Scope(files=files, head_sha=head)
    if trigger != "synchronize" or len(files) >= FILES_API_LIMIT:  # a truncated listing can hide files
        return full
    try:
        last = ctx.store.last_review(ctx.repo, number)
    except Exception as exc:  # a store outage costs a full review, never a skipped one
        log.warning("review store unavailable (%s); reviewing the full diff", type(exc).__name__)
        return full
    since, why = previous_pass(last)
    if since is None:
        return Scope(files=files, head_sha=head, note=why if last else "")
    if since == head:
        return Scope(files=files, head_sha=head, note=f"`{head[:12]}` was reviewed before; reviewing it again")
    try:
        cmp = ctx.gh.compare(ctx.repo, since, head)
    except GitHubError as exc:
        return Scope(files=files, head_sha=head, note=f"could not compare with `{since[:12]}` (GitHub {exc.status})")
    if cmp.status != "ahead":  # force-push or rebase: the old review says nothing about this history
        return Scope(files=files, head_sha=head, note=f"`{since[:12]}` is not an ancestor of the new head ({cmp.status})")
    if not cmp.files or len(cmp.files) >= COMPARE_LIMIT:
        return Scope(files=files, head_sha=head, note=f"{len(cmp.files)} files changed since `{since[:12]}`")
    missing = unseen(paths(files), last.get("files") or [], paths(cmp.files))
    if missing:
        shown = ", ".join(f"`{p}`" for p in sorted(missing)[:3])
        return Scope(files=files, head_sha=head, note=f"the diff now includes files no review has seen: {shown}")
    return Scope(files=cmp.files, base_sha=since, head_sha=head)


def restrict(plan: DiffPlan, pr_files: Iterable[PullFile]) -> DiffPlan:
    """Inline comments only on lines that are also in the PR's own diff (the range may differ from it)."""
    pr_lines = {f.filename: commentable_lines(f.patch) for f in pr_files}
    plan.commentable = {p: lines & pr_lines.get(p, set()) for p, lines in plan.commentable.items()}
    return plan


__all__ = ["Scope", "choose", "paths", "previous_pass", "restrict", "unseen"]
