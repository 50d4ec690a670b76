"""Grouped counts folded by week, tier, complexity or repository, and the dashboard's weekly series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable

from bot.measures.definitions import TIERS, Tally, classify, measure, summary
from bot.measures.targets import Targets

BY = ("week", "tier", "complexity", "repo")


@dataclass(frozen=True)
class Group:
    """Additive counts of the issues routed on one day, in one repository, to one tier and complexity."""

    day: date
    repo: str
    tier: str
    complexity: str
    tally: Tally


def group_records(records: Iterable[dict[str, Any]]) -> list[Group]:
    """Store records (with overrides and dispatches) grouped by day, repository, tier and complexity: the
    reference `classify` summed, what the SQL rollup computes in the database (the Action's store is in memory)."""
    groups: dict[tuple, Tally] = {}
    for r in records:
        created = r["created_at"]
        key = (created.date() if hasattr(created, "date") else date.fromisoformat(str(created)[:10]),
               r["repo"], r["tier"], r["complexity"])
        groups[key] = groups.get(key, Tally()) + classify(r)
    return [Group(*k, tally) for k, tally in groups.items()]


def week_of(day: date) -> date:
    """The Monday that starts `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def key_of(g: Group, by: str) -> str:
    if by == "week":
        return week_of(g.day).isoformat()
    if by not in BY:
        raise ValueError(f"unknown grouping {by!r} (one of {', '.join(BY)})")
    return getattr(g, by)


def total(groups: Iterable[Group]) -> Tally:
    out = Tally()
    for g in groups:
        out = out + g.tally
    return out


def fold(groups: Iterable[Group], by: str) -> dict[str, Tally]:
    """{group key: summed counts}, keys sorted (weeks oldest first)."""
    out: dict[str, Tally] = {}
    for g in groups:
        k = key_of(g, by)
        out[k] = out.get(k, Tally()) + g.tally
    return dict(sorted(out.items()))


def table(groups: Iterable[Group], by: str, targets: Targets | None = None) -> list[dict[str, Any]]:
    """One summary row per group (what `report --by` prints)."""
    return [{by: k, **summary(t, targets)} for k, t in fold(groups, by).items()]


def weekly(groups: list[Group], targets: Targets | None = None) -> dict[str, Any]:
    """The dashboard's chart data: one point per week (weeks without issues included, so lines do not lie)."""
    weeks = fold(groups, "week")
    if weeks:
        first, last = date.fromisoformat(next(iter(weeks))), date.fromisoformat(list(weeks)[-1])
        labels = [(first + timedelta(weeks=i)).isoformat() for i in range((last - first).days // 7 + 1)]
    else:
        labels = []
    ts = [weeks.get(w, Tally()) for w in labels]
    targets = targets or Targets()

    def pct(x: float | None) -> float | None:
        return None if x is None else round(100 * x, 2)

    return {
        "weeks": labels,
        "tiers": list(TIERS),  # the stacked bars' order (the page's JSON sorts keys)
        "tier_share": {t: [pct(x.tier_count(t) / x.issues) if x.issues else None for x in ts] for t in TIERS},
        "haiku_success": [pct(measure(x, targets)["haiku_success"]["value"]) for x in ts],
        "haiku_success_target": pct(targets.haiku_success.min),
        "spend": {
            "estimated": [round(x.estimated_usd, 4) for x in ts],
            "actual": [round(x.actual_usd, 4) if x.actual_issues else None for x in ts],
            "baseline": [round(x.baseline_usd, 4) for x in ts],
        },
        "escalations": [x.escalations for x in ts],
        "overrides": [x.overrides for x in ts],
    }
