"""The dashboard's and report's one query: per-issue facts summed per (day, repo, tier, complexity) in SQL.

`bot.measures.classify` is the reference definition of those facts; tests check this query against it.
Grouping by day keeps the result small (≤ days × repos × tiers × 4 rows) whatever the number of issues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, and_, case, func, literal, or_, select, tuple_

from bot.measures import Tally
from bot.measures.definitions import FINISHED, HAIKU, NOT_A_TRY, OPEN_PR, tier_counts
from bot.measures.breakdown import Group
from bot.store.issue_rows import Dispatch, Override, RoutingRecord


def _one(cond):
    return case((cond, 1), else_=0)


@dataclass(frozen=True)
class _Window:
    """Which routing records count: `repo`/`repos` and `since`/`until` (by the routing record's time)."""

    repo: str | None
    repos: list[str] | None
    since: datetime | None
    until: datetime | None

    def scoped(self, model, q):
        if self.repo is not None:
            q = q.where(model.repo == self.repo)
        if self.repos is not None:
            q = q.where(model.repo.in_(self.repos))
        if model is not RoutingRecord and (self.since is not None or self.until is not None):
            # only the issues routed in the window: a day's refresh must not group a repository's every run
            r = RoutingRecord
            q = q.where(tuple_(model.repo, model.number).in_(self.timed(self.scoped(r, select(r.repo, r.number)))))
        return q

    def timed(self, q):
        if self.since is not None:
            q = q.where(RoutingRecord.created_at >= self.since)
        if self.until is not None:
            q = q.where(RoutingRecord.created_at < self.until)
        return q


def rollup(engine: Engine, repo: str | None = None, since: datetime | None = None,
           repos: list[str] | None = None, until: datetime | None = None) -> list[Group]:
    """Additive counts of routed issues, grouped; `repo`/`repos` and `since`/`until` filter by the routing record."""
    window = _Window(repo, repos, since, until)
    q = window.timed(window.scoped(RoutingRecord, _query(window)))
    with engine.connect() as conn:
        return [_group(row._mapping) for row in conn.execute(q)]


def _query(window: _Window):
    """One row per (day, repo, tier, complexity): `Tally`'s counts but the per-tier ones, from three joins."""
    r = RoutingRecord
    ov = window.scoped(Override, select(Override.repo, Override.number, func.count().label("n"))
                       .group_by(Override.repo, Override.number)).subquery("ov")
    executed, tried = Dispatch.mode == "execute", Dispatch.status.not_in(NOT_A_TRY)  # definitions.a_try
    runs = window.scoped(Dispatch, select(
        Dispatch.repo, Dispatch.number,
        func.min(case((and_(executed, tried), Dispatch.id))).label("first_id"),
        func.sum(_one(and_(executed, tried, Dispatch.attempt > 1))).label("escalations"),
        func.sum(Dispatch.actual_cost_usd).label("actual"),
        func.count(Dispatch.actual_cost_usd).label("n_actual"),
        func.count(Dispatch.score).label("rated"),
        func.sum(Dispatch.score).label("scores"),
    ).group_by(Dispatch.repo, Dispatch.number)).subquery("runs")
    first = Dispatch.__table__.alias("first")
    first_done = and_(first.c.status.in_(FINISHED), or_(first.c.truth.is_(None), first.c.truth.not_in(OPEN_PR)))
    has_ov = ov.c.n.is_not(None)
    has_actual = func.coalesce(runs.c.n_actual, 0) > 0
    day = func.date(r.created_at).label("day")
    return (
        select(
            day, r.repo, r.tier, r.complexity,
            func.count().label("issues"),
            func.sum(_one(and_(first_done, first.c.tier == HAIKU))).label("haiku_first_runs"),
            func.sum(_one(and_(first_done, first.c.status == "success", first.c.tier == HAIKU))).label("haiku_first_successes"),
            func.sum(_one(or_(has_ov, first_done))).label("judged"),
            func.sum(_one(and_(~has_ov, first_done, first.c.status == "success"))).label("accurate"),
            func.sum(_one(has_ov)).label("overridden"),
            func.sum(func.coalesce(ov.c.n, 0)).label("overrides"),
            func.sum(func.coalesce(runs.c.escalations, 0)).label("escalations"),
            func.sum(r.estimated_cost_usd).label("estimated_usd"),
            func.sum(r.baseline_cost_usd).label("baseline_usd"),
            func.sum(_one(has_actual)).label("actual_issues"),
            func.sum(func.coalesce(runs.c.actual, literal(0.0))).label("actual_usd"),
            func.sum(case((has_actual, r.baseline_cost_usd), else_=literal(0.0))).label("actual_baseline_usd"),
            func.sum(case((has_actual, runs.c.actual), else_=r.estimated_cost_usd) + r.classifier_usd).label("spend_usd"),
            func.sum(r.classifier_usd).label("classifier_usd"),
            func.sum(_one(r.classifier_usd > 0)).label("classified"),
            func.sum(case((has_actual, r.classifier_usd), else_=literal(0.0))).label("actual_classifier_usd"),
            func.sum(func.coalesce(runs.c.rated, 0)).label("rated_runs"),
            func.sum(func.coalesce(runs.c.scores, 0)).label("score_sum"),
        )
        .select_from(r)
        .outerjoin(ov, and_(ov.c.repo == r.repo, ov.c.number == r.number))
        .outerjoin(runs, and_(runs.c.repo == r.repo, runs.c.number == r.number))
        .outerjoin(first, first.c.id == runs.c.first_id)
        .group_by(day, r.repo, r.tier, r.complexity)
    )


def _group(m) -> Group:
    tally = Tally(**{k: (float(m[k] or 0) if k.endswith("_usd") else int(m[k] or 0))
                     for k in Tally.__dataclass_fields__ if k != "tiers"})
    tally.tiers = tier_counts(m["tier"], tally.issues)
    d = m["day"]
    return Group(d if isinstance(d, date) else date.fromisoformat(str(d)[:10]), m["repo"], m["tier"], m["complexity"],
                 tally)


def latest(engine: Engine, repos: list[str] | None, limit: int = 50) -> list[dict]:
    """The newest routings (by routing time, newest first) with their last run, for the dashboard's table.

    One indexed (repo, created_at) query per repository, merged here: a single query over many
    repositories would sort all their routings to keep 50."""
    r = RoutingRecord
    cols = (r.repo, r.number, r.tier, r.model, r.complexity, r.strategy, r.estimated_cost_usd,
            r.baseline_cost_usd, r.source, r.created_at)
    with engine.connect() as conn:
        names = repos if repos is not None else [row[0] for row in conn.execute(select(r.repo).distinct())]
        rows = []
        for name in names:
            q = select(*cols).where(r.repo == name).order_by(r.created_at.desc()).limit(limit)
            rows += [dict(row._mapping) for row in conn.execute(q)]
        rows = sorted(rows, key=lambda x: x["created_at"], reverse=True)[:limit]
        if not rows:
            return rows
        keys = {(x["repo"], x["number"]) for x in rows}
        d = Dispatch
        # one (repo = ? AND number = ?) per issue: SQLite then searches the (repo, number) index for each
        last = select(d).where(or_(*(and_(d.repo == repo, d.number == number) for repo, number in keys))).order_by(d.id)
        runs: dict[tuple[str, int], dict] = {}
        for run in conn.execute(last):
            m = dict(run._mapping)
            runs[(m["repo"], m["number"])] = m
    for x in rows:
        run = runs.get((x["repo"], x["number"])) or {}
        x.update(run_status=run.get("status"), run_url=run.get("run_url"), actual_cost_usd=run.get("actual_cost_usd"),
                 attempt=run.get("attempt"))
    return rows


def repos(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(select(RoutingRecord.repo).distinct().order_by(RoutingRecord.repo))]


def run_outcomes(engine: Engine, repo: str | None = None, since: datetime | None = None,
                 repos: list[str] | None = None, until: datetime | None = None) -> list[dict]:
    """Finished executor runs counted by (repo, routing day, tier, status, truth, conclusion): what
    `bot.measures.definitions.runs` turns into true outcomes per tier and the claimed-vs-true gap. Filtered and
    grouped like `rollup`, by the issue's routing record, so the dashboard's cache re-reads only touched days."""
    d, r = Dispatch, RoutingRecord
    day = func.date(r.created_at).label("day")
    keys = (d.repo, day, d.tier, d.status, d.truth, d.conclusion)
    window = _Window(repo, repos, since, until)
    q = window.timed(window.scoped(r, select(*keys, func.count().label("n")).select_from(d)
                                   .join(r, and_(r.repo == d.repo, r.number == d.number))
                                   .where(d.mode == "execute", d.status.in_(FINISHED)).group_by(*keys)))
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(q)]
