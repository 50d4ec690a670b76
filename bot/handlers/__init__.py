"""Event handlers: turn one GitHub event into actions through the Context's ports.

`dispatch` is the one place where events are wired to handlers; the webhook worker and
the Action both call it.
"""

from __future__ import annotations

from typing import Callable

from bot.handlers.context import Context, HandlerResult

Handler = Callable[[dict, Context], HandlerResult]

# (event, action) -> handler; action None matches any action of that event.
_ROUTES: dict[tuple[str, str | None], Handler] = {}


def register(event: str, *actions: str | None) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        for action in actions or (None,):
            _ROUTES[(event, action)] = fn
        return fn

    return deco


def _load_all() -> None:
    # Importing the modules registers their handlers.
    from bot.handlers import issues, comments, pull_requests, workflow_runs, repository  # noqa: F401


def is_bot(user: dict) -> bool:
    """GitHub Apps and bot accounts: type Bot, or a `[bot]` login (some payloads omit the type)."""
    return user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")


def handles(event: str, action: str | None) -> bool:
    _load_all()
    return (event, action) in _ROUTES or (event, None) in _ROUTES


def dispatch(event: str, payload: dict, ctx: Context) -> HandlerResult:
    _load_all()
    action = payload.get("action")
    handler = _ROUTES.get((event, action)) or _ROUTES.get((event, None))
    if handler is None:
        return HandlerResult(action="ignored", messages=[f"no handler for {event}.{action}"])
    sender = payload.get("sender") or {}
    # A bot's push (Dependabot, Renovate) must still get the required review status, or its PR is stuck.
    bot_push = event in ("pull_request", "pull_request_target") and action in ("opened", "reopened", "synchronize")
    if is_bot(sender) and event not in ("workflow_run", "push", "installation") and not bot_push:
        # Bots (ourselves included) never trigger work, so the router cannot loop.
        return HandlerResult(action="ignored", messages=["sender is a bot"])
    return handler(payload, ctx)
