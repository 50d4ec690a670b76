"""Event handlers: thin adapters from one GitHub event to one service call.

`handle_event` is the one place where events meet handlers; the webhook worker and the Action both
call it. Each handler module registers itself (bot.handlers.registry) and says there whether a bot's
event may trigger it.
"""

from __future__ import annotations

from bot.context import Context, Result
from bot.handlers import comments, issue_closed, issues, pull_outcomes, pull_requests, repository, workflow_runs  # noqa: F401
from bot.handlers.registry import is_bot, lookup


def handles(event: str, action: str | None) -> bool:
    return lookup(event, action) is not None


def handle_event(event: str, payload: dict, ctx: Context) -> Result:
    """Run the handler registered for this event and action, unless a bot sent it and the handler says no."""
    action = payload.get("action")
    route = lookup(event, action)
    if route is None:
        return Result(action="ignored", messages=[f"no handler for {event}.{action}"])
    if is_bot(payload.get("sender") or {}) and not route.bots:
        return Result(action="ignored", messages=["sender is a bot"])
    return route.handler(payload, ctx)
