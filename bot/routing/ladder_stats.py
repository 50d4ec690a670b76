"""The ladder objective's record: per kind, what each tier resolves given which tiers already failed, what
an attempt costs, and from them a ladder's expected cost and success. Pure.

What a ladder needs is learned from attempts that know their place on the issue's ladder: per tier, how
often it resolves an issue *given which tiers already failed on it*, and what one attempt actually costs.
Both start from dated priors (bot/data/ladder_priors-*.yaml: public per-task cost ratios and a joint
distribution of per-tier outcomes), worth a few attempts. Outcomes: the kind's own record on the dated joint
(not on the pooled record of every kind: on real outcomes that pooled prior drifted into haiku-only ladders,
docs/benchmarks.md), an EM estimate over each issue's partial pattern. Costs: the pooled actual costs of
every kind, then the kind's own. Which ladder to run on that record is ladder.py.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from bot.config import RepoConfig
from bot.models import Complexity, Tier
from bot.routing.phases import attempt_usd

if TYPE_CHECKING:
    from bot.priors import LadderPriors

NO_ROUTING = (Tier.sonnet, Tier.opus)  # what a repository does without the router
EM_ROUNDS = 25  # rounds of the EM estimate of a joint from partial patterns
_ANY = "*"
Ladder = tuple[Tier, ...]
Scale = float | Mapping[Tier, float]  # USD per unit of the per-task cost ratio: one, or per tier
Pattern = int  # a set of tiers that resolve an issue, one bit per tier
CELLS: tuple[Pattern, ...] = tuple(range(2 ** len(Tier)))


def _bit(tier: Tier) -> int:
    return 1 << tier.rank


def _pattern(flags: tuple[bool, ...]) -> Pattern:
    return sum(1 << i for i, ok in enumerate(flags) if ok)


def resolves(ladder: Ladder, cell: Pattern) -> int:
    """1 when some tier of `ladder` resolves an issue whose per-tier outcomes are `cell`, else 0."""
    return int(any(cell & _bit(t) for t in ladder))


class LadderStats:
    """Attempts per (kind, tiers that already failed, tier, success) and actual costs per (kind, tier), and from
    them a joint distribution of per-tier outcomes per kind; add() learns one attempt."""

    def __init__(self, priors: "LadderPriors | None" = None) -> None:
        self._priors = priors  # read on first use (bot/priors.py caches the file)
        self.costs: dict[tuple[str, Tier], list[float]] = defaultdict(lambda: [0.0, 0])
        self.issues: Counter[str] = Counter()  # first attempts per kind: the pace of exploration
        self.size = 0
        self._scoped: dict[str, Counter[tuple[frozenset[Tier], Tier, bool]]] = defaultdict(Counter)  # scope → attempts
        self._joint: dict[str, tuple[int, dict[Pattern, float]]] = {}  # scope → (size when computed, joint)

    @property
    def counts(self) -> dict[tuple[str, frozenset[Tier], Tier, bool], int]:
        """Attempts per (kind or every kind, tiers that already failed, tier, success)."""
        return {(scope, *key): n for scope, per in self._scoped.items() for key, n in per.items()}

    @property
    def priors(self) -> "LadderPriors":
        if self._priors is None:
            from bot.priors import load_ladder_priors

            self._priors = load_ladder_priors()
        return self._priors

    def add(self, kind: str, tier: Tier, failed: frozenset[Tier], success: bool, cost_usd: float | None) -> None:
        self.size += 1
        if not failed:
            self.issues[kind] += 1
        for scope in (_ANY, kind):
            self._scoped[scope][(failed, tier, success)] += 1
            if cost_usd is not None and cost_usd >= 0:
                k = self.costs[(scope, tier)]
                k[0] += cost_usd
                k[1] += 1

    def joint(self, scope: str) -> dict[Pattern, float]:
        """P(each pattern of per-tier outcomes) for `scope` (a kind, or every kind pooled): the dated prior, worth
        `kind_weight` issues, updated by what its issues showed: the EM estimate over partial patterns."""
        cached = self._joint.get(scope)
        if cached is not None and cached[0] == self.size:
            return cached[1]
        prior, weight = {_pattern(f): p for f, p in self.priors.outcomes.items()}, self.priors.kind_weight
        seen = self._seen(scope)
        theta = dict(prior)
        for _ in range(EM_ROUNDS):
            expected = {cell: weight * prior[cell] for cell in theta}
            for cells, n in seen:
                total = sum(theta[c] for c in cells)
                for c in cells:
                    expected[c] += n * theta[c] / total if total > 0 else n / len(cells)
            norm = sum(expected.values())
            theta = {c: v / norm for c, v in expected.items()}
        self._joint[scope] = (self.size, theta)
        return theta

    def _seen(self, scope: str) -> list[tuple[list[Pattern], int]]:
        """Each issue's partial pattern, counted: a success shows the tiers before it failed and it resolved;
        a failure nothing followed shows every tier tried failed (failures minus the attempts after them)."""
        out, scoped, after = [], self._scoped.get(scope, Counter()), Counter[frozenset[Tier]]()
        for (failed, _, _), n in scoped.items():
            after[failed] += n  # attempts made after these tiers failed
        for (failed, tier, ok), n in scoped.items():
            if not ok:
                n -= after[failed | {tier}]
            if n > 0:
                out.append(([c for c in CELLS if not any(c & _bit(f) for f in failed)
                             and (bool(c & _bit(tier)) is ok)], n))
        return out

    def rate(self, kind: str, tier: Tier, failed: frozenset[Tier]) -> float:
        """P(tier resolves | every tier in `failed` failed), from this kind's joint."""
        theta = self.joint(kind)
        given = [c for c in CELLS if not any(c & _bit(f) for f in failed)]
        total = sum(theta[c] for c in given)
        return sum(theta[c] for c in given if c & _bit(tier)) / total if total > 0 else 0.0

    def scale(self) -> float | None:
        """USD per unit of the prior cost ratio, from every recorded actual cost (None: none yet)."""
        num = sum(self.costs[(_ANY, t)][0] for t in Tier if (_ANY, t) in self.costs)
        den = sum(self.costs[(_ANY, t)][1] * self.priors.cost[t] for t in Tier if (_ANY, t) in self.costs)
        return num / den if den else None

    def cost(self, kind: str, tier: Tier, scale: float) -> float:
        """Expected USD of one attempt: the prior ratio × scale, then the pooled actuals, then this kind's."""
        w = self.priors.cost_weight
        s, n = self.costs.get((_ANY, tier), (0.0, 0))
        pooled = (s + w * self.priors.cost[tier] * scale) / (n + w)
        s, n = self.costs.get((kind, tier), (0.0, 0))
        return (s + w * pooled) / (n + w)

    def thinnest(self, kind: str, ladder: Ladder) -> tuple[int, frozenset[Tier], Tier]:
        """The ladder's step with the fewest attempts on this kind: (attempts, tiers failed before, tier)."""
        steps = [(frozenset(ladder[:i]), t) for i, t in enumerate(ladder)]
        return min((self._tries(kind, f, t), f, t) for f, t in steps)

    def first_tries(self, kind: str, tier: Tier) -> int:
        return self._tries(kind, frozenset(), tier)

    def _tries(self, kind: str, failed: frozenset[Tier], tier: Tier) -> int:
        scoped = self._scoped.get(kind, Counter())
        return scoped[(failed, tier, True)] + scoped[(failed, tier, False)]

    def actual_costs(self, tier: Tier) -> int:
        return int(self.costs.get((_ANY, tier), (0.0, 0))[1])


def expect(stats: LadderStats, kind: str, ladder: Ladder, cost: dict[Tier, float]) -> tuple[float, float]:
    """(expected total cost, expected final success) of running `ladder` until a tier resolves the issue."""
    reach, total, failed = 1.0, 0.0, frozenset[Tier]()
    for t in ladder:
        total += reach * cost[t]
        reach *= 1 - stats.rate(kind, t, failed)
        failed = failed | {t}
    return total, 1 - reach


def attempt_costs(stats: LadderStats, kind: str, tiers: Iterable[Tier], fallback_scale: Scale) -> dict[Tier, float]:
    """Expected USD of one attempt per tier: the per-task ratios × the recorded actuals' scale, else `fallback_scale`
    (one for every tier, or per tier: token_scale)."""
    scale = stats.scale() or fallback_scale
    return {t: stats.cost(kind, t, scale if isinstance(scale, float | int) else scale[t]) for t in tiers}


def token_scale(costs: dict[Any, Any], config: RepoConfig, complexity: Complexity,
                priors: "LadderPriors") -> dict[Tier, float]:
    """USD per unit of each tier's per-task ratio before actual costs arrive: one attempt at the tier's own
    price (phases.attempt_usd) over its ratio."""
    usd = attempt_usd(costs, config, complexity, priors.cost)
    return {t: usd[t] / priors.cost[t] for t in Tier}


def show(ladder: Ladder) -> str:
    return " → ".join(t._value_ for t in ladder)

