"""workflow_run.completed → the run's outcome, cost and follow-up (bot.runs.completion)."""

from __future__ import annotations

from bot.context import Context, Result
from bot.handlers.registry import register
from bot.runs import completion


@register("workflow_run", "completed", bots=True)
def on_completed(payload: dict, ctx: Context) -> Result:
    return completion.run_completed(ctx, payload.get("workflow_run") or {}, payload.get("workflow") or {})
