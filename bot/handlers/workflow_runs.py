"""workflow_run.completed → a run finished (bot.runs.workflow_run, then bot.runs.finished)."""

from __future__ import annotations

from bot.convoy import service as _convoy  # noqa: F401  (registers the convoy's reaction to a finished run)
from bot.context import Context, Result
from bot.handlers.registry import register
from bot.runs import workflow_run


@register("workflow_run", "completed", bots=True)
def on_completed(payload: dict, ctx: Context) -> Result:
    return workflow_run.workflow_run_finished(ctx, payload.get("workflow_run") or {}, payload.get("workflow") or {})
