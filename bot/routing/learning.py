"""Learning from outcomes: which tier succeeds on which kind of work, per repository. Pure.

Every finished executor attempt is an observation: repository, kind of work (the decision's `kind`: the
rules it matched and its labels), complexity, tier, success, actual cost. For a new issue the router
looks, per tier, for evidence from the most specific level that has enough of it — this repository's
work of this kind, then all repositories' work of this kind, then this repository's and all
repositories' work of this complexity — and routes to the cheapest tier whose success rate is credibly
(Wilson lower bound, z = 0.67) at least `learning.target_success`. Below that tier it explores the one
tier lower on this repository's own record, never for security-sensitive work, a failure escalating as
always: at every issue while the record is thin (under EXPLORE_MAX attempts) and has not ruled the tier
out (Wilson upper bound, z = 2), since a try costs a cheap tier's run and teaches where a wrong "no"
would cost the dearer tier on every later issue; otherwise one issue in ⌈1/P⌉, P the posterior chance
(Beta, the other repositories' record as a prior worth PRIOR_WEIGHT attempts) that the tier meets the
target, and not at all below one in PACE_MAX — so a ruled-out tier all but stops and a record near the
target keeps being tested as much as it deserves. Execute estimates calibrate to mean actual costs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from bot.models import Tier
from bot.routing.kinds import TextModel
from bot.routing.ladder_stats import LadderStats

MIN_EVIDENCE = 4  # attempts at a level before it speaks for a tier
EXPLORE_MAX = 40  # a cheaper tier's record here is thin below this many attempts: explored at every issue
CALIBRATE_MIN = 5  # runs with an actual cost before estimates follow the actual mean
Z_CREDIBLE = 0.67  # one-sided ~75 %: "credibly at least the target" (Wilson lower bound)
Z_BAD = 1.0  # one-sided ~84 %: "credibly below the target" (Wilson upper bound): route one tier up
Z_RULED_OUT = 2.0  # one-sided ~98 %: below the target beyond doubt: stop exploring at every issue
PRIOR_WEIGHT = 2.0  # attempts' worth of the other repositories' record in this repository's posterior
PACE_MAX = 50  # exploring slower than one issue in this many is not exploring at all


def wilson(successes: float, n: float, z: float = Z_BAD) -> tuple[float, float]:
    """(lower, upper) Wilson score bounds of a success rate."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - margin), min(1.0, centre + margin)


def chance_at_least(target: float, successes: float, failures: float) -> float:
    """P(rate >= target) under Beta(successes, failures) (both > 0): Lentz's continued fraction."""
    a, b, x = successes, failures, target
    if x <= 0 or x >= 1:
        return 1.0 if x <= 0 else 0.0
    if x > (a + 1) / (a + b + 2):  # the fraction converges fast on this side only
        return 1.0 - chance_at_least(1 - x, b, a)
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)) / a
    tiny, c, d, h = 1e-300, 1.0, 0.0, 1.0
    for i in range(400):
        m = i // 2
        num = 1.0 if i == 0 else (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)) if i % 2 == 0
                                  else -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)))
        d = 1.0 + num * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + num / c
        c = c if abs(c) > tiny else tiny
        h *= c * d
        if abs(c * d - 1.0) < 1e-12:
            break
    return 1.0 - front * (h - 1.0)


@dataclass(frozen=True)
class Observation:
    repo: str
    kind: str
    complexity: str
    tier: Tier
    success: bool
    cost_usd: float | None = None
    failed_before: tuple[Tier, ...] | None = None  # tiers that already failed on this issue (None: unknown)
    features: tuple[int, ...] | None = None  # the hashed words (bot/routing/kinds.py), when known


@dataclass(frozen=True)
class Evidence:
    """What one level says about one tier."""

    tier: Tier
    successes: int
    attempts: int
    where: str  # e.g. "`typo` issues here", "`typo` issues in all repositories"

    @property
    def lower(self) -> float:
        return wilson(self.successes, self.attempts, Z_CREDIBLE)[0]

    @property
    def upper(self) -> float:
        return wilson(self.successes, self.attempts, Z_BAD)[1]

    def says(self) -> str:
        return f"{self.tier.value} succeeded on {self.successes} of {self.attempts} {self.where}"


def _rules(kind: str) -> str:
    return kind.split("|", 1)[0]


class Knowledge:
    """Success counts and costs per (level key, tier), built from observations; add() learns one more."""

    def __init__(self, observations: Iterable[Observation] = (), *, note: str | None = None) -> None:
        self.counts: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])  # key → [successes, attempts]
        self.costs: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0.0, 0])  # key → [sum, n]
        self.note = note  # why there is nothing to learn from (empty, unreadable, no store)
        self.size = 0
        self.since: dict[tuple[str, str, Tier], int] = {}  # attempts on higher tiers since this tier's last one
        self.ladders = LadderStats()  # the ladder objective's record: attempts that know their place on a ladder
        self.text = TextModel()  # which words haiku resolves: kinds for issues no rule matches
        for obs in observations:
            self.add(obs)

    def add(self, obs: Observation) -> None:
        self.size += 1
        if obs.failed_before is not None:
            self.ladders.add(obs.kind, obs.tier, frozenset(obs.failed_before), obs.success, obs.cost_usd)
        if obs.features is not None and obs.tier is Tier.haiku:
            self.text.learn(obs.features, obs.success)
        for t in Tier:
            if t.rank < obs.tier.rank:
                key = (obs.repo, obs.kind, t)
                self.since[key] = self.since.get(key, 0) + 1
        self.since[(obs.repo, obs.kind, obs.tier)] = 0
        for key in self._keys(obs.repo, obs.kind, obs.complexity):
            c = self.counts[(*key, obs.tier)]
            c[0] += obs.success
            c[1] += 1
        if obs.cost_usd is not None and obs.cost_usd >= 0:
            for key in (("repo", obs.repo, obs.complexity, obs.tier), ("all", obs.complexity, obs.tier)):
                k = self.costs[("cost", *key)]
                k[0] += obs.cost_usd
                k[1] += 1

    @staticmethod
    def _keys(repo: str, kind: str, complexity: str) -> list[tuple[Any, ...]]:
        keys: list[tuple[Any, ...]] = [("repo-kind", repo, kind), ("kind", kind)]
        if _rules(kind) != kind:
            keys += [("repo-kind", repo, _rules(kind)), ("kind", _rules(kind))]
        return keys + [("repo-complexity", repo, complexity), ("complexity", complexity)]

    def evidence(self, repo: str, kind: str, complexity: str, tier: Tier) -> Evidence | None:
        """The most specific level with at least MIN_EVIDENCE attempts on this tier (None: none has)."""
        for key in self._keys(repo, kind, complexity):
            c = self.counts.get((*key, tier))
            if c is not None and c[1] >= MIN_EVIDENCE:
                return Evidence(tier, c[0], c[1], _where(key))
        return None

    def own(self, repo: str, kind: str, tier: Tier) -> Evidence:
        """This repository's own record for this kind of work on a tier, however little there is."""
        c = self.counts.get(("repo-kind", repo, kind, tier), [0, 0])
        return Evidence(tier, c[0], c[1], _where(("repo-kind", repo, kind)))

    def chance(self, repo: str, kind: str, tier: Tier, target: float) -> float:
        """Posterior chance that the tier meets `target` on this kind here: this repository's record on a
        prior of the other repositories' (PRIOR_WEIGHT attempts' worth; uniform while they have too few)."""
        own = self.counts.get(("repo-kind", repo, kind, tier), [0, 0])
        everywhere = self.counts.get(("kind", kind, tier), [0, 0])
        others = everywhere[0] - own[0], everywhere[1] - own[1]
        rate = (others[0] + 1) / (others[1] + 2) if others[1] >= MIN_EVIDENCE else 0.5
        return chance_at_least(target, own[0] + PRIOR_WEIGHT * rate, own[1] - own[0] + PRIOR_WEIGHT * (1 - rate))

    def calibrated_cost(self, repo: str, tier: Tier, complexity: str) -> float | None:
        """Mean actual cost of execute runs on this tier and complexity (here, else everywhere), once enough."""
        for key in (("cost", "repo", repo, complexity, tier), ("cost", "all", complexity, tier)):
            k = self.costs.get(key)
            if k is not None and k[1] >= CALIBRATE_MIN:
                return k[0] / k[1]
        return None


def _where(key: tuple[Any, ...]) -> str:
    level, value = key[0], key[-1]
    label = f"`{value or 'unmatched'}`"
    if level == "repo-kind":
        return f"{label} issues here"
    if level == "kind":
        return f"{label} issues in all repositories"
    if level == "repo-complexity":
        return f"{value} issues here"
    return f"{value} issues in all repositories"


@dataclass(frozen=True)
class Choice:
    tier: Tier
    changed: bool  # learning moved the tier away from the base decision
    explored: bool
    sentence: str


def choose(
    knowledge: Knowledge, repo: str, kind: str, complexity: str, base: Tier, *, floor: Tier | None,
    target: float, ladder: list[Tier] | None = None, explore: bool = True,
) -> Choice | None:
    """The cheapest tier credibly at or above `target`; else the base tier, moved up past tiers credibly
    below it; then, paced by this repository's record of it, one tier lower (never when `floor` is set:
    security, nor when `explore` is off). None when nothing learned bears on this issue."""
    tiers = [t for t in (ladder or list(Tier)) if floor is None or t.rank >= floor.rank]
    if not tiers:
        return None
    ev = {t: knowledge.evidence(repo, kind, complexity, t) for t in tiers}
    credible = [t for t in tiers if ev[t] is not None and ev[t].lower >= target]  # type: ignore[union-attr]
    bad = {t for t in tiers if ev[t] is not None and ev[t].upper < target}  # type: ignore[union-attr]
    if credible:
        tier = credible[0]
        why = f"learned: {ev[tier].says()}"  # type: ignore[union-attr]
    else:
        tier = base if base in tiers else tiers[0]
        why = ""
        while tier in bad and tiers.index(tier) + 1 < len(tiers):
            if not why:
                why = f"learned: {ev[tier].says()}, below the {target:.0%} target"  # type: ignore[union-attr]
            tier = tiers[tiers.index(tier) + 1]
    explored = False
    i = tiers.index(tier)
    if explore and floor is None and i > 0:
        lower = tiers[i - 1]
        own = knowledge.own(repo, kind, lower)  # exploring is about this repository's own record
        ruled_out = own.attempts >= MIN_EVIDENCE and wilson(own.successes, own.attempts, Z_RULED_OUT)[1] < target
        if own.attempts < EXPLORE_MAX and not ruled_out:
            every, pace = 1, ""
        else:  # thick or ruled out: at the posterior chance it meets the target
            chance = knowledge.chance(repo, kind, lower, target)
            every = math.ceil(1 / chance) if chance > 1 / PACE_MAX else PACE_MAX + 1
            pace = f", one issue in {every} (a {chance:.0%} chance it meets the {target:.0%} target)"
        if every <= PACE_MAX and knowledge.since.get((repo, kind, lower), 0) >= every - 1:
            explored = True
            why = (f"exploring {lower.value}, one tier below {tier.value}{pace}: {own.says()} so far"
                   if own.attempts else f"exploring {lower.value}, one tier below {tier.value}: no {lower.value} "
                   f"runs on {own.where} yet") + "; a failure escalates"
            tier = lower
    if not explored and i > 0 and tiers[i - 1] in bad:
        lower = tiers[i - 1]
        said = f"{ev[lower].says()}, below the {target:.0%} target, so not {lower.value}"  # type: ignore[union-attr]
        why = f"{why}; {said}" if why else f"learned: {said}"
    if not why:
        return None
    return Choice(tier, tier is not base, explored, why[0].upper() + why[1:])
