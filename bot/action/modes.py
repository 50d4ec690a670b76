"""The Action's own modes on top of the shared handlers: route-then-dispatch, and the cost report."""

from __future__ import annotations

from pathlib import Path

from bot.handlers.context import Context, HandlerResult


def route_and_dispatch(ctx: Context, number: int, payload: dict) -> HandlerResult:
    """Route the issue (labels + sticky comment), then start the executor run on the routed model."""
    from bot import executor
    from bot.handlers.issues import route_issue

    routed = route_issue(ctx, number)
    sender = (payload.get("sender") or {}).get("login") or "github-actions"
    cause = f"action:{ctx.extra.get('run_id') or 'local'}"
    result = executor.dispatch(ctx, number, cause=cause, by=sender)
    outputs = dict(routed.outputs)
    outputs["dispatch"] = result.status
    if result.dispatch.get("dispatch_id"):
        outputs["routing-id"] = str(result.dispatch["dispatch_id"])
    return HandlerResult(
        action="dispatched" if result.started else f"dispatch-{result.status}",
        decision=routed.decision,
        messages=[*routed.messages, result.message, *result.notes],
        outputs=outputs,
    )


def report(ctx: Context, number: int, execution_file: Path) -> HandlerResult:
    raise NotImplementedError("report mode lands with bot.handlers.workflow_runs")
