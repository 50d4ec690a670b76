"""A person closed a convoy's sub-issue: its task counts as done, and what it blocked may start."""

from __future__ import annotations

from bot.context import Context, Result
from bot.convoy import service
from bot.handlers.registry import register


@register("issues", "closed")
def on_closed(payload: dict, ctx: Context) -> Result:
    sender = (payload.get("sender") or {}).get("login") or "someone"
    return service.closed(ctx, int(payload["issue"]["number"]), sender)
