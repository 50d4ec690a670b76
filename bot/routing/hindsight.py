"""The best fixed ladders in hindsight: the replay's yardsticks for the ladder objective. Pure.

Given every issue's outcome on every tier, each fixed ladder (first tier, then escalation order, tiers may
be skipped) is run over the whole stream; the best one is the cheapest whose success is at least the
no-routing policy's (Sonnet, then Opus). Per category of work (when a generator knows it), the same choice per
category in hindsight: a yardstick chosen on the stream it is measured on, not a policy that could run."""

from __future__ import annotations

from collections import defaultdict
from itertools import permutations
from typing import Any

from bot.models import Tier
from bot.routing.ladder_stats import NO_ROUTING, Ladder, show

Outcomes = dict[Tier, tuple[bool, float]]  # tier → (success, cost_usd)


def run(ladder: Ladder, outcomes: Outcomes) -> tuple[float, bool]:
    """(cost of every attempt, resolved) of one issue on one ladder."""
    cost = 0.0
    for t in ladder:
        ok, usd = outcomes[t]
        cost += usd
        if ok:
            return cost, True
    return cost, False


class Hindsight:
    """Every issue's outcomes, kept to score every fixed ladder once the stream is done."""

    def __init__(self, max_attempts: int) -> None:
        n = min(max_attempts, len(Tier))
        self.ladders: list[Ladder] = [lad for k in range(1, n + 1) for lad in permutations(list(Tier), k)]
        self.base: Ladder = NO_ROUTING[:max_attempts]
        self.issues: dict[str, list[Outcomes]] = defaultdict(list)

    def add(self, outcomes: Outcomes, category: str | None) -> None:
        self.issues[category or ""].append(outcomes)

    def _best(self, issues: list[Outcomes]) -> tuple[Ladder, float, int]:
        totals = {}
        for lad in self.ladders:
            cost = ok = 0.0
            for o in issues:
                c, s = run(lad, o)
                cost += c
                ok += s
            totals[lad] = (cost, int(ok))
        bar = totals[self.base][1]
        fine = [lad for lad in self.ladders if totals[lad][1] >= bar]
        best = min(fine, key=lambda lad: (totals[lad][0], len(lad))) if fine else self.base
        return best, *totals[best]

    def report(self) -> dict[str, Any]:
        """`best_fixed_ladder` over the whole stream and, when categories are known, `category_oracle`."""
        every = [o for group in self.issues.values() for o in group]
        lad, cost, ok = self._best(every)
        out: dict[str, Any] = {"best_fixed_ladder": _entry(cost, ok, len(every)) | {"ladder": show(lad)}}
        if set(self.issues) - {""}:
            cost = ok = 0
            ladders = {}
            for category, issues in sorted(self.issues.items()):
                lad, c, s = self._best(issues)
                cost += c
                ok += s
                ladders[category or "unknown"] = show(lad)
            out["category_oracle"] = _entry(cost, ok, len(every)) | {"ladders": ladders}
        return out


def _entry(cost: float, ok: int, n: int) -> dict[str, Any]:
    return {"cost_usd": round(cost, 6), "success_rate": round(ok / n, 4) if n else None,
            "cost_per_resolved_usd": round(cost / ok, 6) if ok else None}
