"""`pipeline.auto`: a repository may let new complex issues start a convoy without anyone typing `/plan`.

Only an issue a person with write access opened starts one by itself (a planning run and a convoy spend
money; anyone may open an issue), and an automatic start never takes the last of `max_concurrent_runs`,
so a maintainer's `/dispatch` always finds room. Anyone else's issue waits for a writer's `/plan`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.convoy.render import TASK_MARKER_PREFIX
from bot.issues import service as issue_service
from bot.models import Complexity
from bot.permissions import WRITE_LEVELS, permission
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
    if held := _held(ctx, (issue.get("user") or {}).get("login") or ""):
        res.messages.append(f"pipeline.auto: not started: {held}")
        return res
    started = executor.start_run(ctx, issue["number"], cause="auto-plan", by="model-router", mode="plan")
    res.messages.append(f"pipeline.auto: {started.message}")
    return res


def _held(ctx: "Context", author: str) -> str | None:
    """Why this issue does not start a convoy by itself, or None when it may."""
    level = permission(ctx, author) if author else "none"
    if level not in WRITE_LEVELS:
        return (f"@{author or 'the author'} has `{level}` access; a person with write access starts the convoy "
                "with `/plan`")
    cap = ctx.config.budgets.max_concurrent_runs
    active = ctx.store.active_runs(ctx.repo)
    if active >= cap - 1:
        return (f"{active} run(s) in flight and `budgets.max_concurrent_runs` is {cap}: the last slot stays free "
                "for a person's `/dispatch`; `/plan` starts it now")
    return None
