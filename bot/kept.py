"""A repository's slowly changing facts kept a little while per process (label names, base branches' required
checks, the default branch): bounded, least recently used dropped first, `ttl` seconds or until a webhook says they
changed (`forget`), thread-safe."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

SIZE = 1024  # (repository, name) entries kept; an entry is a few names
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

    def amend(self, repo: str, base: str, change: Callable[[V], V]) -> None:
        """Change a kept value in place (its age unchanged); nothing when none is kept."""
        key = (repo.lower(), base)
        with self._lock:
            if (seen := self._seen.get(key)) is not None:
                self._seen[key] = (seen[0], change(seen[1]))

    def forget(self, repo: str) -> int:
        """Drop every entry of `repo` (each base branch's): GitHub said they changed. How many were dropped."""
        return self._drop(lambda name: name == repo.lower())

    def forget_owner(self, owner: str) -> int:
        """Drop the entries of every repository of `owner` (an organisation's ruleset changed)."""
        prefix = owner.lower() + "/"
        return self._drop(lambda name: name.startswith(prefix))

    def _drop(self, matches: Callable[[str], bool]) -> int:
        with self._lock:
            gone = [key for key in self._seen if matches(key[0])]
            for key in gone:
                del self._seen[key]
        return len(gone)
