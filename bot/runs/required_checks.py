"""The base branch's required checks, kept a little while per process: every check suite reads a PR's checks
again, but a repository's rulesets change rarely, so re-reading them on every event is waste. The repository's
default branch is kept the same way (`Kept[str]`, read through `Context.default_branch`): every event on a run's
branch asks whether it is the default branch.

`RequiredChecks` is the App's per-process copy (built once by `bot.worker.Runtime`, handed on in the Context, as
`KnownLabels` is): per repository and base branch, `ttl` seconds (`MODEL_ROUTER_RULES_CACHE_SECONDS`),
at most `size` branches, the least recently used dropped first. A ruleset change is seen once the copy is older
than the TTL. What could not be read is never kept, so the next event asks again. The Action (one job) keeps no
process copy; its Context reads the default branch once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from bot.github.port import GitHubError

if TYPE_CHECKING:
    from bot.context import Context

SIZE = 1024  # repositories × base branches kept; an entry is a few names
V = TypeVar("V")


class Kept(Generic[V]):
    """A repository's slowly changing facts, per (repository, name), for `ttl` seconds, at most `size` of them."""

    def __init__(self, ttl: float, size: int = SIZE, clock: Callable[[], float] = time.monotonic):
        self._ttl, self._size, self._clock = ttl, size, clock
        self._lock = threading.Lock()
        self._seen: OrderedDict[tuple[str, str], tuple[float, V]] = OrderedDict()

    def get(self, repo: str, base: str = "") -> V | None:
        key = (repo.lower(), base)
        with self._lock:
            seen = self._seen.get(key)
            if seen is None or self._clock() - seen[0] > self._ttl:
                return None
            self._seen.move_to_end(key)
            return seen[1]

    def put(self, repo: str, base: str, value: V) -> None:
        with self._lock:
            self._seen[(repo.lower(), base)] = (self._clock(), value)
            self._seen.move_to_end((repo.lower(), base))
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)


class RequiredChecks(Kept[tuple[str, ...]]):
    """The required checks' names per repository and base branch."""


def required(ctx: "Context", base: str) -> tuple[str, ...]:
    """The base branch's required checks; unreadable: none, so every check counts (the stricter reading), and not
    kept."""
    cache = ctx.required_checks
    if cache is not None and (names := cache.get(ctx.repo, base)) is not None:
        return names
    try:
        names = tuple(ctx.gh.required_checks(ctx.repo, base))
    except GitHubError as exc:
        if exc.transient:
            raise
        return ()
    if cache is not None:
        cache.put(ctx.repo, base, names)
    return names
