"""Anthropic spend recorded (executor runs by tier, the Opus review gate), kept per process and brought up to date
by what was written since the last look, so a `/metrics` scrape reads the rows of the last minutes, not the tables.

A run's cost is written once, with its `completed_at`; a review's with its `created_at` (both indexed). Writes are
stamped by their writer's clock and commit a little later, so rows newer than `MARGIN` are summed afresh on every
read and only older ones are folded into the kept totals, each exactly once (as `bot.store.rollup_cache` does).
The first read sums the tables once.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, select

from bot.store.issue_rows import Dispatch, utcnow
from bot.store.reviews import ReviewRecord

MARGIN = timedelta(minutes=10)


class SpendTally:
    def __init__(self, clock=utcnow):
        self.clock = clock
        self._lock = threading.Lock()
        self._settled: datetime | None = None  # rows older than this are in the kept totals
        self._tiers: dict[str, float] = {}
        self._reviews = 0.0

    def read(self, engine: Engine) -> tuple[dict[str, float], float]:
        """Executor spend by tier, and the review gate's, as recorded now."""
        with self._lock:
            cutoff = self.clock() - MARGIN
            if self._settled is None or cutoff > self._settled:
                tiers, reviews = _sums(engine, self._settled, cutoff)
                self._tiers = _add(self._tiers, tiers)
                self._reviews += reviews
                self._settled = cutoff
            fresh, fresh_reviews = _sums(engine, self._settled, None)
            return _add(self._tiers, fresh), self._reviews + fresh_reviews


def _add(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {tier: a.get(tier, 0.0) + b.get(tier, 0.0) for tier in a.keys() | b.keys()}


def _sums(engine: Engine, since: datetime | None, until: datetime | None) -> tuple[dict[str, float], float]:
    """Spend written in [since, until) (None: unbounded), by the indexed time column its cost is written with."""
    d, r = Dispatch, ReviewRecord
    runs = _window(select(d.tier, func.sum(d.actual_cost_usd)).where(d.actual_cost_usd.is_not(None)).group_by(d.tier),
                   d.completed_at, since, until)
    reviews = _window(select(func.sum(r.cost_usd)), r.created_at, since, until)
    with engine.connect() as conn:
        tiers = {tier: float(usd or 0) for tier, usd in conn.execute(runs)}
        return tiers, float(conn.scalar(reviews) or 0)


def _window(q, column, since: datetime | None, until: datetime | None):
    q = q.where(column >= since) if since is not None else q
    return q.where(column < until) if until is not None else q
