"""One Opus review of a finished convoy's combined change, through the security gate's own reviewer.

The combined change is each task run's recorded pull request (bot.runs.pull_outcome believed it) and the
executor's pull requests that reference the convoy's sub-issues (opened by `executor.pr_authors` or the bot from
a branch of this repository), open or merged. Anyone else's
pull request, or a closed draft, is never shown as the convoy's code, and every executor change is reviewed
(a file two tasks touched appears once per pull request, never replaced by a later copy). It fails closed:
no reviewer configured, no linked pull request, or an answer that does not fit the schema is never a pass.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from bot.convoy.state import Convoy, Review
from bot.github.port import PullFile, PullInfo
from bot.review import gate
from bot.review import ReviewInvalid
from bot.review import diff, reviewer
from bot.review.service import review_cost, review_model, settings
from bot.runs.pull_outcome import pull_refusal
from bot.runs.trust import not_executors_pull

if TYPE_CHECKING:
    from bot.context import Context


def _executors(ctx: "Context", p: PullInfo, recorded: dict[int, datetime | None]) -> bool:
    """A run's recorded PR (bot.runs.pull_outcome believed it: a writer may have opened it from the run's branch) or
    one the executor opened from a branch of this repository, and open or merged (a closed draft is not code)."""
    if p.number in recorded:  # opened after its run was dispatched (pull_outcome's rule)
        believed = pull_refusal(ctx, p, p.head_ref, since=recorded[p.number]) is None
    else:
        believed = not_executors_pull(ctx, p) is None
    return believed and (p.state == "open" or p.merged)


def linked_files(ctx: "Context", c: Convoy) -> tuple[list[int], list[PullFile]]:
    """The executor's pull requests of the sub-issues — each run's recorded PR (the one its own branch opened,
    bot.runs.pull_outcome), and those whose body references a sub-issue (the Action records none) — and all their
    files (none replaces another)."""
    numbers = {t.issue for t in c.tasks if t.issue}
    runs = sorted((d for n in numbers for d in ctx.store.dispatches(ctx.repo, n) if d.pr_number),
                  key=lambda d: d.created_at or datetime.max, reverse=True)
    recorded = {d.pr_number: d.created_at for d in runs}  # a PR's earliest run (overwrites the later ones)
    pulls = [p for p in ctx.gh.list_pulls(ctx.repo, "all")
             if (p.number in recorded or numbers & {int(n) for n in re.findall(r"#(\d+)\b", p.body or "")})
             and _executors(ctx, p, recorded)]
    files: list[PullFile] = []
    seen: set[str] = set()
    for p in sorted(pulls, key=lambda p: p.number):
        for f in ctx.gh.list_pull_files(ctx.repo, p.number):
            files.append(f if f.filename not in seen else f.model_copy(update={"filename": f"{f.filename} (#{p.number})"}))
            seen.add(f.filename)
    return sorted(p.number for p in pulls), files


def unreviewed(ctx: "Context", c: Convoy, pulls: list[int]) -> list[str]:
    """Tasks a run finished (`done`) whose recorded pull request is not among those reviewed: the whole was not
    seen, so the review cannot pass."""
    missing = []
    for t in c.tasks:
        if t.status == "done" and t.issue:
            prs = {d.pr_number for d in ctx.store.dispatches(ctx.repo, t.issue) if d.pr_number}
            if prs and not prs & set(pulls):
                missing.append(t.id)
    return missing


def review_whole(ctx: "Context", c: Convoy) -> Review:
    if ctx.llm is None:
        return Review(verdict="not_configured", summary=gate.NOT_CONFIGURED + ": the convoy was not reviewed.")
    pulls, files = linked_files(ctx, c)
    if missing := unreviewed(ctx, c, pulls):
        return Review(verdict="error", summary="Not reviewed: the pull requests of " + ", ".join(f"`{m}`" for m in missing)
                      + " are not the executor's or cannot be read, so the whole cannot be shown.")
    if not files:
        return Review(verdict="nothing_to_review", summary="No pull request references the sub-issues; not reviewed.")
    s = settings(ctx)
    plan = diff.plan(files, max_chars=s.max_chars, max_chunks=s.max_chunks)
    if not plan.chunks:
        return Review(verdict="nothing_to_review", summary="No reviewable diff in " + ", ".join(f"#{n}" for n in pulls))
    issue = ctx.gh.get_issue(ctx.repo, c.parent)
    model = review_model(ctx)
    try:
        result = reviewer.review(ctx.llm, model=model, title=issue.title, body=issue.body, plan=plan,
                                 max_tokens=s.max_tokens, timeout=s.timeout)
    except ReviewInvalid as exc:
        return Review(verdict="error", summary=str(exc), model=model)
    out = result.output
    status = gate.result(gate.Verdict(out.verdict, tuple(f.severity for f in out.findings), partial=plan.skipped_files))
    where = ", ".join(f"#{n}" for n in pulls)
    summary = f"{status.description}. Reviewed {where}. {out.summary}"
    return Review(verdict=out.verdict, summary=summary, cost_usd=review_cost(ctx, result), model=model)
