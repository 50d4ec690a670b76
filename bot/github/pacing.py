"""Per-credential write pacing: stay under GitHub's secondary limit for content-creating requests."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

log = logging.getLogger("model_router.github")


class WritePacer:
    """At most `per_minute` writes in any rolling 60 s, at least `min_interval` s between writes, none
    before a pause GitHub asked for (`pause`) has passed.

    One pacer per credential (installation): waiting here blocks only threads writing with that
    credential. A burst is smoothed: each write gets the next free slot, so writes leave one by one
    `min_interval` apart rather than together. `per_minute=None` and `min_interval=0` disable pacing (tests)."""

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
        self._resume = float("-inf")  # no write before this (a secondary limit's Retry-After)
        self.waited = 0.0  # total seconds spent waiting, for benchmarks

    def reserve(self) -> float:
        """Claim the next write slot; return how long the caller must wait before using it."""
        with self._lock:
            now = self._clock()
            at = max(now, self._last + self.min_interval, self._resume)
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

    def pause(self, seconds: float) -> None:
        """GitHub answered a secondary limit with Retry-After: no write with this credential for `seconds`
        (every thread of the lane waits once, and the writes then resume `min_interval` apart)."""
        with self._lock:
            self._resume = max(self._resume, self._clock() + seconds)

    def paused_for(self) -> float:
        """Seconds this lane still waits for a pause GitHub asked for, as this process knows it (0: none)."""
        with self._lock:
            return max(0.0, self._resume - self._clock())

    def acquire(self) -> None:
        """Wait (outside the lock) until this thread may send one write."""
        delay = self.reserve()
        if delay > 0:
            self.waited += delay
            self._sleep(delay)


# Atomic slot reservation across processes: the same rule as WritePacer.reserve, on Redis's clock.
# KEYS[1]: sorted set of reserved slots (ms); KEYS[2]: the resume time after a pause (ms);
# ARGV: per_minute (0: no cap), min_interval_ms, window_ms, member.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""
_RESERVE = _NOW + """
local per, gap, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local at = math.max(now, tonumber(redis.call('GET', KEYS[2]) or 0))
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
# KEYS[1]: the resume time (ms); ARGV[1]: the pause (ms). Only ever moves the resume time later.
_PAUSE = _NOW + """
local resume = now + tonumber(ARGV[1])
if resume > tonumber(redis.call('GET', KEYS[1]) or 0) then
  redis.call('SET', KEYS[1], resume, 'PX', tonumber(ARGV[1]) + 1000)
end
return resume - now
"""


class RedisWritePacer(WritePacer):
    """WritePacer shared by every process and replica using this credential: slots are reserved in Redis.

    A pause (after a secondary limit) is shared the same way: every replica's writers wait it out once.
    If Redis cannot be reached the writes are paced by this process alone (one warning, and one line when
    Redis is back), never refused."""

    def __init__(self, client, key: str, per_minute: int | None = 80, min_interval: float = 0.0, *,
                 window: float = 60.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        super().__init__(per_minute, min_interval, clock=clock, sleep=sleep)  # the fallback's clock
        self._client, self._key, self._window = client, key, window
        self._script = client.register_script(_RESERVE)
        self._pause_script = client.register_script(_PAUSE)
        self._degraded = False

    def _redis(self, call: Callable[[], float], fallback: Callable[[], float]) -> float:
        from redis.exceptions import RedisError

        try:
            value = call()
        except RedisError as exc:
            if not self._degraded:
                self._degraded = True
                log.warning("write pacing for %s falls back to this process alone: Redis unreachable (%s); other "
                            "replicas' writes are not counted until it is back", self._key, type(exc).__name__)
            return fallback()
        if self._degraded:
            self._degraded = False
            log.warning("write pacing for %s is shared through Redis again", self._key)
        return value

    def reserve(self) -> float:
        import uuid

        def shared() -> float:
            ms = self._script(keys=[self._key, self._key + ":resume"], args=[
                self.per_minute or 0, int(self.min_interval * 1000), int(self._window * 1000), uuid.uuid4().hex])
            return max(0.0, int(ms) / 1000)

        return self._redis(shared, super().reserve)

    def pause(self, seconds: float) -> None:
        super().pause(seconds)  # this process holds too, should Redis fail before the pause is over
        self._redis(lambda: self._pause_script(keys=[self._key + ":resume"], args=[int(seconds * 1000)]), lambda: 0.0)
