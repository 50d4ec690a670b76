"""What the router learns from: finished execute runs joined with their issue's routing record — a query over
recorded outcomes, no table of its own. A run whose pull request is still open is pending, not learned from;
unreadable rows are skipped; an unreadable store becomes a note."""

from __future__ import annotations

import logging
import time
import weakref
from typing import Any

from sqlalchemy import Engine, or_, select
from sqlalchemy.exc import SQLAlchemyError

from bot.measures.definitions import OPEN_PR
from bot.routing.learning import Knowledge
from bot.store.issue_rows import FINISHED, Dispatch, RoutingRecord
from bot.store.observations import LOW_SCORE, observation, with_ladder_places  # noqa: F401 - LOW_SCORE re-exported

log = logging.getLogger(__name__)

MAX_ROWS = 20_000  # the most recent runs are enough to learn from
CACHE_SECONDS = 30.0  # a process reads the history at most this often (stores are built per job)
# per engine, per reading (low scores as failures or not): (when read, what was learned)
_cache: "weakref.WeakKeyDictionary[Engine, dict[bool, tuple[float, Knowledge]]]" = weakref.WeakKeyDictionary()


def read_knowledge(engine: Engine, session: Any, *, now: float | None = None,
                   low_score_is_failure: bool = False) -> Knowledge:
    """Every finished execute attempt (the most recent MAX_ROWS), oldest first; cached per engine and reading."""
    now = time.monotonic() if now is None else now
    cached = _cache.get(engine, {}).get(low_score_is_failure)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    q = (select(Dispatch.repo, Dispatch.tier, Dispatch.complexity, Dispatch.status, Dispatch.actual_cost_usd,
                RoutingRecord.decision["kind"].as_string(),  # records from before `kind` give null: "" below
                Dispatch.score, RoutingRecord.features, Dispatch.number)
         .join(RoutingRecord, (RoutingRecord.repo == Dispatch.repo) & (RoutingRecord.number == Dispatch.number))
         .where(Dispatch.mode == "execute", Dispatch.status.in_(FINISHED),
                or_(Dispatch.truth.is_(None), Dispatch.truth.not_in(OPEN_PR)))  # a PR still open: pending
         .order_by(Dispatch.id.desc()).limit(MAX_ROWS))
    try:
        with session() as s:
            rows = s.execute(q).all()
    except (SQLAlchemyError, ValueError, TypeError) as exc:  # an older or damaged store: route without it
        log.warning("outcome history unreadable: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return Knowledge(note=f"the outcome history could not be read ({type(exc).__name__})")
    found = with_ladder_places([(observation(*row[:8], low_score_is_failure=low_score_is_failure), row[8])
                                for row in reversed(rows)])
    skipped = len(rows) - len(found)
    knowledge = Knowledge(found, note=(f"{skipped} unreadable outcome rows skipped" if skipped else
                                       "no executor outcomes recorded yet"))
    _cache.setdefault(engine, {})[low_score_is_failure] = (now, knowledge)
    return knowledge


def forget(engine: Engine) -> None:
    """Drop the cached history (after recording an outcome, so the next routing sees it)."""
    _cache.pop(engine, None)


def phase_totals(engine: Engine, repo: str | None = None, since: Any = None) -> dict[str, dict]:
    """Per role (plan, execute, review): how many routed issues have that phase, on which tiers, at what
    estimate (`model-router report`). Records from before phases existed count for nothing here."""
    q = select(RoutingRecord.decision["phases"])
    if repo:
        q = q.where(RoutingRecord.repo == repo)
    if since is not None:
        q = q.where(RoutingRecord.updated_at >= since)
    out: dict[str, dict] = {}
    with engine.connect() as c:
        for (phases,) in c.execute(q):
            for p in phases if isinstance(phases, list) else ():
                role = p.get("role") if isinstance(p, dict) else None
                if role not in ("plan", "execute", "review"):
                    continue
                t = out.setdefault(role, {"issues": 0, "tiers": {}, "estimated_cost_usd": 0.0})
                t["issues"] += 1
                t["tiers"][str(p.get("tier"))] = t["tiers"].get(str(p.get("tier")), 0) + 1
                usd = p.get("estimated_cost_usd")
                if isinstance(usd, (int, float)) and not isinstance(usd, bool):
                    t["estimated_cost_usd"] = round(t["estimated_cost_usd"] + float(usd), 6)
    return {role: out[role] for role in ("plan", "execute", "review") if role in out}


def phases_text(phases: dict[str, dict]) -> str:
    """`plan 3 (sonnet 3) $0.96; execute 13 (haiku 8, sonnet 5) $2.10; review 5 (opus 5) $0.80`"""
    return "; ".join(
        f"{role} {t['issues']} ({', '.join(f'{tier} {n}' for tier, n in t['tiers'].items())}) ${t['estimated_cost_usd']:.4f}"
        for role, t in phases.items())
