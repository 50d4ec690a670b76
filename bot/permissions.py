"""Who may do what: a commenter's collaborator permission, cached briefly per GitHub credential."""

from __future__ import annotations

import threading
import time
import weakref
from typing import TYPE_CHECKING

from bot.github.port import GitHubError

if TYPE_CHECKING:
    from bot.context import Context

TTL_SECONDS = 60.0  # long enough for a burst of commands, short enough that a revoked write access bites soon
WRITE_LEVELS = frozenset({"write", "maintain", "admin"})

# One cache per port object (one credential, one installation); it dies with the port.
_caches: "weakref.WeakKeyDictionary[object, dict[tuple[str, str], tuple[float, str]]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def permission(ctx: "Context", user: str) -> str:
    """"admin" | "maintain" | "write" | "triage" | "read" | "none" for `user` on `ctx.repo`."""
    key = (ctx.repo.lower(), user.lower())
    now = time.monotonic()
    try:
        with _lock:
            cache = _caches.setdefault(ctx.gh, {})
            hit = cache.get(key)
    except TypeError:  # a port that cannot be weakly referenced is simply not cached
        cache, hit = None, None
    if hit and now - hit[0] < TTL_SECONDS:
        return hit[1]
    try:
        level = ctx.gh.permission(ctx.repo, user) or "none"
    except GitHubError as exc:
        if exc.status != 404:  # 404: not a collaborator (GitHub says so for outsiders)
            raise
        level = "none"
    if cache is not None:
        with _lock:
            cache[key] = (now, level)
    return level


def allowed(ctx: "Context", user: str, who: str) -> bool:
    """Does `user` hold the role a command declares ("anyone" | "write" | "admin")?"""
    if who == "anyone":
        return True
    level = permission(ctx, user)
    if who == "admin":
        return level == "admin"
    return level in WRITE_LEVELS


def clear_cache() -> None:
    with _lock:
        _caches.clear()
