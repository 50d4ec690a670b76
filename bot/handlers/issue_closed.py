"""A person closed an issue: a run that opened no PR is judged by their word; a convoy's sub-issue counts as done."""

from __future__ import annotations

from bot.context import Context, Result
from bot.convoy import service
from bot.handlers.registry import register
from bot.runs.pull_outcome import closed_by_person


@register("issues", "closed")  # a person's: a bot closing an issue says nothing of the work
def on_closed(payload: dict, ctx: Context) -> Result:
    issue, sender = payload["issue"], (payload.get("sender") or {}).get("login") or "someone"
    judged = closed_by_person(ctx, int(issue["number"]), completed=issue.get("state_reason") == "completed")
    res = service.closed(ctx, int(issue["number"]), sender)
    return Result(action="outcome", messages=judged + res.messages) if judged else res
