"""`pipeline.auto`: a repository may let new complex issues start a convoy without anyone typing `/plan`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.convoy.render import TASK_MARKER_PREFIX
from bot.issues import service as issue_service
from bot.models import Complexity
from bot.runs import executor

if TYPE_CHECKING:
    from bot.context import Context, Result


def opened(ctx: "Context", issue: dict, *, reopened: bool = False) -> "Result":
    """Route a new issue like any other; then, when the repository opted in, plan a complex one as a convoy."""
    res = issue_service.route_issue(ctx, issue["number"], issue=issue_service.issue_input(issue))
    d = res.decision
    if reopened or d is None or not ctx.config.pipeline.auto or ctx.dry_run or d.complexity is not Complexity.complex:
        return res
    if TASK_MARKER_PREFIX in (issue.get("body") or ""):
        return res  # a convoy's own sub-issue never starts a convoy of its own
    started = executor.start_run(ctx, issue["number"], cause="auto-plan", by="model-router", mode="plan")
    res.messages.append(f"pipeline.auto: {started.message}")
    return res
