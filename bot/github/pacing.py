"""Per-credential write pacing: stay under GitHub's secondary limit for content-creating requests."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class WritePacer:
    """At most `per_minute` writes in any rolling 60 s, and at least `min_interval` s between writes.

    One pacer per credential (installation): waiting here blocks only threads writing with that
    credential. `per_minute=None` and `min_interval=0` disable pacing (tests)."""

    def __init__(
        self,
        per_minute: int | None = 80,
        min_interval: float = 0.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if per_minute is not None and per_minute < 1:
            raise ValueError("per_minute must be at least 1 (or None for no limit)")
        self.per_minute, self.min_interval = per_minute, min_interval
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._stamps: deque[float] = deque()
        self._last = float("-inf")
        self.waited = 0.0  # total seconds spent waiting, for benchmarks

    def reserve(self) -> float:
        """Claim the next write slot; return how long the caller must wait before using it."""
        with self._lock:
            now = self._clock()
            at = max(now, self._last + self.min_interval)
            if self.per_minute is not None:
                while self._stamps and self._stamps[0] <= at - 60:
                    self._stamps.popleft()
                if len(self._stamps) >= self.per_minute:
                    at = max(at, self._stamps[-self.per_minute] + 60)
            self._stamps.append(at)
            if self.per_minute is not None and len(self._stamps) > self.per_minute:
                self._stamps.popleft()
            self._last = at
            return at - now

    def acquire(self) -> None:
        """Wait (outside the lock) until this thread may send one write."""
        delay = self.reserve()
        if delay > 0:
            self.waited += delay
            self._sleep(delay)
