"""Scoring routed issues against labelled expectations: accuracy, confusion, under-routing and cost. Pure."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.config import RepoConfig
from bot.models import Complexity, RoutingDecision, Tier
from bot.routing.estimate import by_tier
from bot.routing.matcher import compiled


def parse_expected(obj: dict[str, Any], where: str) -> tuple[Tier | None, Complexity | None]:
    """The labels of one eval line; ValueError names what is wrong."""
    tier, complexity = obj.get("expected_tier"), obj.get("expected_complexity")
    try:
        t = Tier(tier) if tier is not None else None
    except ValueError:
        raise ValueError(f"{where}: expected_tier: {tier!r} is not {_either(Tier)}") from None
    try:
        c = Complexity(complexity) if complexity is not None else None
    except ValueError:
        raise ValueError(f"{where}: expected_complexity: {complexity!r} is not {_either(Complexity)}") from None
    if t is None and c is None:
        raise ValueError(f"{where}: needs expected_tier and/or expected_complexity")
    return t, c


def _either(values) -> str:
    """`a, b or c`: every member of an enum, for an error message."""
    *head, last = (v.value for v in values)
    return f"{', '.join(head)} or {last}" if head else last


def scored_tier(d: RoutingDecision, expected: Tier) -> Tier:
    """The tier an expectation is scored against: a phase on the expected tier counts ("opus" is met by an
    Opus review, "sonnet" by a Sonnet plan: Sonnet plans, Haiku executes, Opus reviews); else the execution tier."""
    return expected if any(p.tier is expected for p in d.phases) else d.tier


class Scorer:
    def __init__(self, config: RepoConfig) -> None:
        self.config = config
        self.total = 0
        self.tiers: Counter[Tier] = Counter()
        self.tier_pairs: Counter[tuple[Tier, Tier]] = Counter()  # (expected, predicted)
        self.complexity_pairs: Counter[tuple[Complexity, Complexity]] = Counter()
        self.costs: Counter[str] = Counter()

    def add(self, d: RoutingDecision, expected_tier: Tier | None, expected_complexity: Complexity | None) -> None:
        self.total += 1
        self.tiers[d.tier] += 1
        if expected_tier is not None:
            self.tier_pairs[(expected_tier, scored_tier(d, expected_tier))] += 1
        if expected_complexity is not None:
            self.complexity_pairs[(expected_complexity, d.complexity)] += 1
        complexity = expected_complexity or d.complexity  # price the same work for every alternative
        starts, _ = by_tier(self.config, compiled(self.config).costs, complexity)  # escalation included (#22)
        execute = d.phase("execute")  # execute runs only, like the policies it is compared with
        self.costs["routed"] += (execute.estimated_cost_usd if execute is not None and complexity is d.complexity
                                 else starts[d.tier][1])
        for tier in Tier:  # always_sonnet: no routing, Sonnet then Opus
            self.costs[f"always_{tier.value}"] += starts[tier][1]

    def report(self) -> dict[str, Any]:
        labelled = sum(self.tier_pairs.values())
        under = sum(n for (e, p), n in self.tier_pairs.items() if p.rank < e.rank)
        over = sum(n for (e, p), n in self.tier_pairs.items() if p.rank > e.rank)
        c_labelled = sum(self.complexity_pairs.values())
        return {
            "issues": self.total,
            "tier": {
                "labelled": labelled,
                "accuracy": _ratio(sum(n for (e, p), n in self.tier_pairs.items() if e is p), labelled),
                "under_routing_rate": _ratio(under, labelled),
                "over_routing_rate": _ratio(over, labelled),
                "confusion": _matrix(self.tier_pairs, list(Tier)),
            },
            "complexity": {
                "labelled": c_labelled,
                "accuracy": _ratio(sum(n for (e, p), n in self.complexity_pairs.items() if e is p), c_labelled),
                "confusion": _matrix(self.complexity_pairs, list(Complexity)),
            },
            "share": {t.value: _ratio(self.tiers[t], self.total) for t in Tier},
            "haiku_share": _ratio(self.tiers[Tier.haiku], self.total),
            "cost_usd": {k: round(self.costs[k], 6) for k in ["routed", *(f"always_{t.value}" for t in Tier)]},
        }


def _ratio(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def _matrix(pairs: Counter[Any], values: list[Any]) -> dict[str, dict[str, int]]:
    return {e.value: {p.value: pairs[(e, p)] for p in values} for e in values}


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.1f}%"


def render_table(r: dict[str, Any]) -> str:
    t, c = r["tier"], r["complexity"]
    lines = [
        f"Issues scored:        {r['issues']}",
        f"Tier accuracy:        {_pct(t['accuracy'])} of {t['labelled']} labelled",
        f"Under-routed:         {_pct(t['under_routing_rate'])} (sent below the expected tier)",
        f"Over-routed:          {_pct(t['over_routing_rate'])}",
        f"Complexity accuracy:  {_pct(c['accuracy'])} of {c['labelled']} labelled",
        f"Haiku share:          {_pct(r['haiku_share'])}  "
        f"({', '.join(f'{tier} {_pct(x)}' for tier, x in r['share'].items() if tier != Tier.haiku.value)})",
        "",
        "Tier confusion (rows expected, columns routed):",
        f"  {'':10}" + "".join(f"{v:>8}" for v in t["confusion"]),
    ]
    for expected, row in t["confusion"].items():
        lines.append(f"  {expected:10}" + "".join(f"{n:>8}" for n in row.values()))
    lines += ["", "Estimated cost of the execute runs (USD, expected, escalation included; always_<tier> starts there):"]
    costs = r["cost_usd"]
    for key, value in costs.items():
        lines.append(f"  {key.replace('_', ' '):14} ${value:,.4f}")
    return "\n".join(lines)
