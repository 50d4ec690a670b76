"""Which handler takes which (event, action), and whether a bot's event may trigger it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from bot.context import Context, Result

Handler = Callable[[dict, Context], Result]


@dataclass(frozen=True)
class Route:
    handler: Handler
    bots: bool  # False: an event sent by a bot (ourselves included) is ignored, so the router cannot loop


# (event, action) -> route; action None matches any action of that event.
ROUTES: dict[tuple[str, str | None], Route] = {}


def register(event: str, *actions: str | None, bots: bool = False) -> Callable[[Handler], Handler]:
    """Wire `fn` to `event` (any action when none are named); `bots=True` lets bot senders trigger it."""

    def deco(fn: Handler) -> Handler:
        for action in actions or (None,):
            ROUTES[(event, action)] = Route(fn, bots)
        return fn

    return deco


def is_bot(user: dict) -> bool:
    """GitHub Apps and bot accounts: type Bot, or a `[bot]` login (some payloads omit the type)."""
    return user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]")


def lookup(event: str, action: str | None) -> Route | None:
    return ROUTES.get((event, action)) or ROUTES.get((event, None))
