"""A run's merged pull request undone, by a writer's word: a revert PR a writer opened (GitHub's Revert button,
`Reverts owner/repo#N`) merged, or a `git revert` of its merge commit a writer pushed to the default branch (a
message only claims; who pushed vouches), within `executor.revert_window_days` of the merge, makes the run `reverted`
— a failure. Not escalated: the issue's work is undone, and a person decides what next."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from bot.context import Context, Result
from bot.permissions import WRITE_LEVELS, permission
from bot.runs.pull_outcome import pull_outcome, read, settled, utc
from bot.store.records import utcnow

_REVERTS = re.compile(r"^Reverts ([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)#([0-9]{1,9})\s*$", re.M)  # GitHub's Revert button
_GIT_REVERT = re.compile(r"^This reverts commit ([0-9a-f]{40})\b", re.M)  # `git revert`'s message
_SHA = re.compile(r"[0-9a-f]{40}")
MAX_REVERTED = 5  # merge commits looked up per push (and claiming commits per merge commit)
log = logging.getLogger(__name__)


def pull_closed(ctx: Context, number: int, branch: str, body: str) -> Result:
    """A pull request closed: if it was a run's, its outcome; if it merged a revert of a run's merged PR, that run
    is `reverted`, within the window."""
    res = pull_outcome(ctx, number, branch)
    if (original := reverts_pull(body, ctx.repo)) is None:
        return res
    messages = reverted(ctx, number, original)
    return Result(action="outcome", messages=messages) if messages else res


def reverts_pull(body: str | None, repo: str) -> int | None:
    """The number of this repository's PR a pull request's body says it reverts (`Reverts owner/repo#N`), if any."""
    m = _REVERTS.search(body or "")
    return int(m.group(2)) if m and m.group(1).lower() == repo.lower() else None


def reverted(ctx: Context, revert: int, original: int) -> list[str]:
    """PR `revert` reverts PR `original`: counted once GitHub says it merged, and only when a writer opened it (the
    Revert button's PR is its presser's; the body is anyone's text, whoever merges it)."""
    if isinstance(undo := read(ctx, revert), str):
        return [undo]
    if not undo.merged:
        return [f"#{revert} reverts #{original}, but was not merged"]
    if not _writer(ctx, undo.user_login):
        return [f"#{revert} says it reverts #{original}, but its author has no write access"]
    return _undone(ctx, original, utc(undo.merged_at), f"#{revert}")


def pushed_reverts(ctx: Context, ref: str, default_branch: str, commits: list[dict], sender: str) -> list[str]:
    """A push to the default branch whose commits revert merge commits (`This reverts commit <sha>`): each run PR
    that merged one of them is `reverted` (the push is now). A message is anyone's text, so it counts only as a
    writer's word: the push's `sender` (the account GitHub authenticated: who pushed, or who pressed Merge) has write
    access, and every pull request GitHub associates with the claiming commit (a merged PR brings its author's commits,
    and its title into a merge or squash commit) is a writer's. `pusher` (a name) and `commits[].author` (git's
    metadata) say nothing of who did it."""
    if not default_branch or ref != f"refs/heads/{default_branch}":
        return []
    claims: dict[str, set[str]] = {}  # reverted merge commit -> the commits claiming to revert it
    for c in commits[:100]:
        for m in _GIT_REVERT.finditer(str(c.get("message") or "")):
            claims.setdefault(m.group(1), set()).add(str(c.get("id") or ""))
    messages: list[str] = []
    for sha in sorted(claims)[:MAX_REVERTED]:
        runs = [p.number for p in ctx.gh.pulls_for_commit(ctx.repo, sha)
                if p.merged and ctx.store.dispatch_for_pull(ctx.repo, p.number) is not None]
        if not runs:
            continue  # a revert of something no run merged: nothing to check
        if not _writer(ctx, sender) or not any(_vouched(ctx, c) for c in sorted(claims[sha])[:MAX_REVERTED]):
            log.info("a push by %r claims to revert %s, but not as a writer's commit: ignored", sender, sha[:12])
            continue
        for number in runs:
            messages += _undone(ctx, number, utcnow(), f"a push reverting {sha[:12]}")
    return messages


def _vouched(ctx: Context, commit: str) -> bool:
    """The commit is the pushing writer's own, or came in pull requests that are all writers'."""
    if not _SHA.fullmatch(commit):
        return False
    return all(_writer(ctx, p.user_login) for p in ctx.gh.pulls_for_commit(ctx.repo, commit))


def _writer(ctx: Context, login: str) -> bool:
    return bool(login) and permission(ctx, login) in WRITE_LEVELS


def _undone(ctx: Context, original: int, when: datetime | None, by: str) -> list[str]:
    """Run PR `original` was undone at `when` by `by`: within the window of its merge, the run failed after all."""
    row = ctx.store.dispatch_for_pull(ctx.repo, original)
    if row is None or row.truth != "merged":
        return []
    if isinstance(done := read(ctx, original), str):
        return [done]
    merged = utc(done.merged_at)
    gap = (when - merged).total_seconds() if when and merged and done.merged else None
    if gap is None or gap > ctx.config.executor.revert_window_days * 86_400:
        return [f"{by} reverts #{original}, but not within the window"]
    row, changed = ctx.store.record_truth(row.dispatch_id, truth="reverted", pr_number=original, success=False,
                                          time_to_merge_s=row.time_to_merge_s)
    return settled(ctx, row, False, escalating=False) if changed else []

