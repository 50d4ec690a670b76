"""The dashboard's rollup kept in memory and brought up to date by what changed since the last look.

A page must answer fast with 100,000 routings in the store, so the full GROUP BY runs once per process;
after that each view asks which (repository, day) groups saw a write since the last refresh (indexed
time columns on the three tables) and recomputes only those days. Writes are stamped by their writer's
clock and commit a little later, so every refresh looks back `MARGIN` before its last start.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, and_, select

from bot.measures.breakdown import Group
from bot.store.issue_rows import Dispatch, Override, RoutingRecord, utcnow
from bot.store.rollup import rollup, run_outcomes

MARGIN = timedelta(minutes=10)
FULL_AFTER = 200  # more touched days than this: one full rollup is cheaper


class RollupCache:
    def __init__(self, clock=utcnow):
        self.clock = clock
        self._lock = threading.Lock()
        self._groups: dict[tuple[str, date], list[Group]] = {}
        self._checked: datetime | None = None
        self._runs: dict[tuple[str, date], list[dict]] = {}  # per (repository, day): run_outcomes' rows
        self.generation = 0  # bumped whenever a refresh changed anything: callers may memoise on it
        self.memo: dict = {}  # theirs, keyed by generation

    def groups(self, engine: Engine, repos: list[str] | None = None) -> list[Group]:
        """One group per (repository, day) of `repos` (None: all), tier and complexity "*", up to date."""
        with self._lock:
            self._refresh(engine)
            wanted = None if repos is None else set(repos)
            return [g for (repo, _), gs in self._groups.items() if wanted is None or repo in wanted for g in gs]

    def view(self, engine: Engine, repos: list[str] | None = None) -> tuple[list[Group], list[dict]]:
        """The groups and `run_outcomes`' rows (the claimed-vs-true counts) of `repos` (None: all), brought up to
        date once for both: only the (repository, day) groups written since the last look are re-read."""
        with self._lock:
            self._refresh(engine)
            wanted = None if repos is None else set(repos)
            groups = [g for (repo, _), gs in self._groups.items() if wanted is None or repo in wanted for g in gs]
            rows = [row for (repo, _), rs in self._runs.items() if wanted is None or repo in wanted for row in rs]
            return groups, rows

    def repos(self, engine: Engine) -> list[str]:
        """Every repository with a routing, up to date as of this call (no DISTINCT over the table)."""
        with self._lock:
            self._refresh(engine)
            return sorted({repo for repo, _ in self._groups})

    def _refresh(self, engine: Engine) -> None:
        start = self.clock()
        if self._checked is None:
            self._load(rollup(engine))
            self._load_runs(run_outcomes(engine))
            self.generation += 1
        else:
            touched = _touched(engine, self._checked - MARGIN)
            self.generation += bool(touched)
            if len(touched) > FULL_AFTER:
                self._groups.clear()
                self._runs.clear()
                self._load(rollup(engine))
                self._load_runs(run_outcomes(engine))
            else:
                for repo, day in touched:
                    self._groups.pop((repo, day), None)
                    self._runs.pop((repo, day), None)
                    lo = datetime(day.year, day.month, day.day)
                    self._load(rollup(engine, repo=repo, since=lo, until=lo + timedelta(days=1)))
                    self._load_runs(run_outcomes(engine, repo=repo, since=lo, until=lo + timedelta(days=1)))
        self._checked = start

    def _load_runs(self, rows: list[dict]) -> None:
        for row in rows:
            d = row["day"]
            self._runs.setdefault((row["repo"], d if isinstance(d, date) else date.fromisoformat(str(d)[:10])), []).append(row)

    def _load(self, groups: list[Group]) -> None:
        """Kept as one group per (repository, day): the page needs no tier × complexity split (the counts
        carry the tiers), and folding 12× fewer groups is most of a warm view's time."""
        for g in groups:
            key = (g.repo, g.day)
            have = self._groups.get(key)
            tally = g.tally if not have else have[0].tally + g.tally
            self._groups[key] = [Group(g.day, g.repo, "*", "*", tally)]


def _touched(engine: Engine, since: datetime) -> set[tuple[str, date]]:
    """(repository, routing day) of every issue whose record, overrides or runs were written since `since`."""
    r, o, d = RoutingRecord, Override, Dispatch
    # no DISTINCT in SQL: with it SQLite prefers walking the (repo, created_at) index over the time range
    queries = [
        select(r.repo, r.created_at).where(r.updated_at >= since),
        select(r.repo, r.created_at).join(o, and_(o.repo == r.repo, o.number == r.number)).where(o.created_at >= since),
        # one query per time column: each walks its own index (an OR of the three scanned the table)
        *(select(r.repo, r.created_at).join(d, and_(d.repo == r.repo, d.number == r.number)).where(column >= since)
          for column in (d.created_at, d.completed_at, d.changed_at)),
    ]
    out: set[tuple[str, date]] = set()
    with engine.connect() as conn:
        for q in queries:
            out.update((repo, when.date()) for repo, when in conn.execute(q))
    return out
