"""One Opus review of a finished convoy's combined change, through the security gate's own reviewer.

The combined change is the pull requests that reference the convoy's sub-issues. It fails closed:
no reviewer configured, no linked pull request, or an answer that does not fit the schema is never a pass.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.convoy.state import Convoy, Review
from bot.github.port import PullFile
from bot.review import gate
from bot.review import ReviewInvalid
from bot.review import diff, reviewer
from bot.review.service import review_cost, review_model, settings

if TYPE_CHECKING:
    from bot.context import Context


def linked_files(ctx: "Context", c: Convoy) -> tuple[list[int], list[PullFile]]:
    """The pull requests whose body references a sub-issue, and their files (a later PR's version of a file wins)."""
    numbers = {t.issue for t in c.tasks if t.issue}
    pulls = [p for p in ctx.gh.list_pulls(ctx.repo, "all")
             if numbers & {int(n) for n in re.findall(r"#(\d+)\b", p.body or "")}]
    files: dict[str, PullFile] = {}
    for p in sorted(pulls, key=lambda p: p.number):
        for f in ctx.gh.list_pull_files(ctx.repo, p.number):
            files[f.filename] = f
    return sorted(p.number for p in pulls), list(files.values())


def review_whole(ctx: "Context", c: Convoy) -> Review:
    if ctx.llm is None:
        return Review(verdict="not_configured", summary=gate.NOT_CONFIGURED + ": the convoy was not reviewed.")
    pulls, files = linked_files(ctx, c)
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
