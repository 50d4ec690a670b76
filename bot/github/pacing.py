"""Per-credential write pacing: stay under GitHub's secondary limit for content-creating requests."""

from __future__ import annotations

import logging
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


# Atomic slot reservation across processes: the same rule as WritePacer.reserve, on Redis's clock.
# KEYS[1]: sorted set of reserved slots (ms); ARGV: per_minute (0: no cap), min_interval_ms, window_ms, member.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local per, gap, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local at = now
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then at = math.max(at, tonumber(last[2]) + gap) end
if per > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', at - window)
  if redis.call('ZCARD', KEYS[1]) >= per then
    local nth = redis.call('ZRANGE', KEYS[1], -per, -per, 'WITHSCORES')
    at = math.max(at, tonumber(nth[2]) + window)
  end
end
redis.call('ZADD', KEYS[1], at, ARGV[4])
if per > 0 then
  local n = redis.call('ZCARD', KEYS[1])
  if n > per then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - per - 1) end
end
redis.call('PEXPIRE', KEYS[1], window * 2 + gap)
return at - now
"""


class RedisWritePacer(WritePacer):
    """WritePacer shared by every process and replica using this credential: slots are reserved in Redis.

    If Redis cannot be reached the writes are paced by this process alone (logged once), never refused."""

    def __init__(self, client, key: str, per_minute: int | None = 80, min_interval: float = 0.0, *,
                 window: float = 60.0, sleep: Callable[[float], None] = time.sleep):
        super().__init__(per_minute, min_interval, sleep=sleep)
        self._client, self._key, self._window = client, key, window
        self._script = client.register_script(_RESERVE)
        self._degraded = False

    def reserve(self) -> float:
        import uuid

        from redis.exceptions import RedisError

        try:
            ms = self._script(keys=[self._key], args=[self.per_minute or 0, int(self.min_interval * 1000),
                                                      int(self._window * 1000), uuid.uuid4().hex])
        except RedisError as exc:
            if not self._degraded:
                self._degraded = True
                logging.getLogger("model_router.github").warning(
                    "write pacing: Redis unreachable (%s); pacing per process until it is back", type(exc).__name__)
            return super().reserve()
        self._degraded = False
        return max(0.0, int(ms) / 1000)
