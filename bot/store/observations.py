"""What one recorded run teaches the router, defined once and free of SQLAlchemy: the SQL store's history query
and the Action's memory store (rebuilt from sticky comments) learn through the same rows."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.measures.definitions import FINISHED
from bot.models import Complexity, Tier
from bot.routing.kinds import unpack
from bot.routing.learning import Observation
from bot.store.records import stored_kind

LOW_SCORE = 2  # `learning.low_score_is_failure`: a run a person rated this or lower (`/rate`) failed
_TIERS = {t.value: t for t in Tier}
_COMPLEXITIES = {c.value for c in Complexity}


def observation(repo: Any, tier: Any, complexity: Any, status: Any, cost: Any, kind: Any, score: Any = None,
                features: Any = None, *, low_score_is_failure: bool = False) -> Observation | None:
    """One finished attempt, or None when the row does not make sense (it is skipped, never fatal). With
    `low_score_is_failure`, a success a person rated LOW_SCORE or lower (`/rate`) is a failure. `features` are the
    issue's packed hashed words (bot.routing.kinds.pack); unreadable ones teach the counts, not the words."""
    if not isinstance(repo, str) or tier not in _TIERS or complexity not in _COMPLEXITIES or status not in FINISHED:
        return None
    usable = isinstance(cost, (int, float)) and not isinstance(cost, bool) and 0 <= cost < float("inf")
    low = low_score_is_failure and isinstance(score, int) and not isinstance(score, bool) and score <= LOW_SCORE
    return Observation(repo, stored_kind(kind), complexity, _TIERS[tier],
                       status == "success" and not low, float(cost) if usable else None, features=unpack(features))


def with_ladder_places(rows: list[tuple[Observation | None, Any]]) -> list[Observation]:
    """Each attempt with the tiers that already failed on its issue (oldest first), for the ladder objective."""
    failed: dict[tuple[str, Any], list[Tier]] = {}
    out = []
    for obs, number in rows:
        if obs is None:
            continue
        before = failed.setdefault((obs.repo, number), [])
        out.append(replace(obs, failed_before=tuple(before)))
        if not obs.success:
            before.append(obs.tier)
    return out
