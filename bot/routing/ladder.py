"""The ladder objective's choice: per kind of work, the first tier and escalation order with the lowest expected
total cost (every attempt counts) whose expected final success is at least a floor. Pure.

The estimates it compares are ladder_stats.py's. The default floor is the no-routing policy's expected success
(Sonnet, then Opus) on the same estimates, less FLOOR_SLACK. Exploration is bounded: at most one issue in
EXPLORE_EVERY of a kind, only while a candidate ladder has a step (a tier, after the tiers before it failed)
with fewer than EXPLORE_MIN tries on this kind. The candidates are the best ladder from each first tier other
than the chosen ladder's and the chosen ladder with one more tier (within max_attempts); the one explored is
the one whose thinnest step has the fewest tries (the cheaper on a tie); escalation catches a failed try.
After that the same slot retries a first tier judged on a few early failures (sequential, bounded): a ladder
meeting the floor whose cost at an optimistic HOPE_Z bound of its first tier's rate beats the chosen one,
while that tier has fewer than HOPE_MAX first tries here (on the what-if real stream kinds settled on sonnet →
opus after early haiku failures). A ladder that leaves out no routing's last tier (opus) is audited:
one issue in AUDIT_EVERY of the kind runs no routing's ladder first, then the ladder's other tiers. Such a
ladder rests on an estimate of what no routing resolves that its own runs never check (after its last
failure nothing runs), and outcomes need not be nested; without audits, orders of the real SWE-bench Pro
stream settled on haiku alone and fell 2-7 points below no routing (docs/benchmarks.md). With the default
floor a kind's own ladder runs every tier no routing runs (in any order, with haiku or not): such a ladder
resolves whatever no routing would, whatever the joint's unseen cells hold. A ladder that leaves out one of
them (haiku → opus) rests on what sonnet alone resolves among issues haiku resolved, a cell no haiku-first
run ever shows (on real outcomes the priors put it at 0.3 %, it was 18 %, and such kinds fell up to 3 points
below no routing). Where the kind's ladder clears the floor with room to spare (haiku resolving what sonnet
and opus miss), a cheaper ladder, one that leaves out a tier included, is mixed into a share of the kind's
issues, the largest share whose success bound (MIX_Z) stays at the floor, once MIX_MIN issues of the kind
began on no routing's first tier; a mix worth more an issue than an audit costs is audited too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import permutations
from statistics import NormalDist
from typing import Any

from bot.config import RepoConfig
from bot.models import Complexity, RuleMatch, Strategy, Tier
from bot.routing.ladder_stats import (CELLS, NO_ROUTING, Ladder, LadderStats, Scale, attempt_costs, expect, resolves,
                                      show, token_scale)

MIN_FIRST = 4  # haiku first tries on a subtle kind (a race condition) before its ladders may use haiku
EXPLORE_MIN = 6  # tries per ladder step and kind after which exploration leaves a ladder with that step alone
EXPLORE_EVERY = 5  # at most one issue in this many of a kind explores
HOPE_Z = 1.0  # re-exploration: a one-sided upper bound of a first tier's rate
HOPE_MAX = 100  # first tries per tier and kind after which re-exploration leaves that first tier alone
AUDIT_EVERY = 5  # one issue in this many of a kind whose ladder is audited runs no routing's ladder first
MIX_Z = 0.5  # a mix's success bound: one-sided z
MIX_MIN = 10  # first tries on no routing's first tier (audits, explorations) in a kind before it may mix
MIX_STEPS = 20  # bisection steps for a mix's share
FLOOR_SLACK = 0.005  # the default floor is no routing's estimate less this: estimates are not sharper
HOPE_LEVEL, MIX_LEVEL = (f"{NormalDist().cdf(z) * 100:.0f} %" for z in (HOPE_Z, MIX_Z))  # the bounds, in rationales
COST_MIN = 5  # recorded actual costs on a tier before the ladder may start with opus unasked
EXPLORING = "; exploring "  # how a rationale says this issue explores or audits


@dataclass(frozen=True)
class LadderChoice:
    ladder: Ladder
    expected_usd: float  # every attempt, escalation included
    success: float
    baseline_usd: float  # no routing: Sonnet, then Opus
    baseline_success: float
    explored: bool
    sentence: str


def _usd(x: float) -> str:
    return f"${x:.2f}" if x >= 0.1 else f"${x:.4f}"  # a typo's ladder costs fractions of a cent


def choose_ladder(
    stats: LadderStats, kind: str, *, max_attempts: int, fallback_scale: Scale, min_tier: Tier | None = None,
    opus_asked: bool = False, floor: float | None = None, explore: bool = True, guarded: bool = False,
) -> LadderChoice:
    """The cheapest ladder meeting the floor (else the most successful), or a bounded exploration of another.
    Subtle work (`guarded`) runs on haiku only once this kind has MIN_FIRST haiku first tries on record
    (learned evidence, never a trial); opus goes first unasked only once its actual cost is known (COST_MIN)."""
    if guarded and stats.first_tries(kind, Tier.haiku) < MIN_FIRST and (min_tier is None or min_tier is Tier.haiku):
        min_tier = Tier.sonnet
    tiers = [t for t in Tier if min_tier is None or t.rank >= min_tier.rank]
    cost = attempt_costs(stats, kind, {*tiers, *NO_ROUTING}, fallback_scale)  # no routing's tiers: the baseline
    opus_first = opus_asked or stats.actual_costs(Tier.opus) >= COST_MIN

    ladders = [lad for n in range(1, min(max_attempts, len(tiers)) + 1) for lad in permutations(tiers, n)]
    scored = {lad: expect(stats, kind, lad, cost) for lad in ladders}
    base = tuple(t for t in NO_ROUTING if t in tiers)[:max_attempts] or (tiers[0],)  # the floor's, in the tiers
    base_ok = scored[base][1]
    # what the repository does without the router (Sonnet, then Opus), whatever the router's own floor: the
    # baseline said and priced, as the rules' estimate does (bot/routing/estimate.py)
    shown = NO_ROUTING[:max_attempts]
    shown_usd, shown_ok = scored[shown] if shown in scored else expect(stats, kind, shown, cost)
    bar = base_ok - FLOOR_SLACK if floor is None else floor

    pool = [lad for lad in ladders if lad[0] is not Tier.opus or opus_first]
    keeps = [lad for lad in pool if floor is not None or set(base) <= set(lad)]  # the kind's own ladder: see above

    def best(first: Tier | None) -> Ladder | None:
        some = [lad for lad in (pool if first is not None else keeps) if first in (None, lad[0])]
        ok = [lad for lad in some if scored[lad][1] >= bar - 1e-9]
        if ok:
            return min(ok, key=lambda lad: (scored[lad][0], len(lad)))
        return max(some, key=lambda lad: (scored[lad][1], -scored[lad][0])) if some else None

    chosen = best(None) or base
    due = explore and stats.issues[kind] % AUDIT_EVERY == AUDIT_EVERY // 2  # this issue's turn to be audited
    audit, why = _audit(stats, kind, scored, chosen, pool, base, max_attempts) if due else (None, "")
    mixable = floor is None and set(base) <= set(chosen) and stats.first_tries(kind, base[0]) >= MIX_MIN
    chosen, mixed = _mixed(stats, kind, scored, chosen, pool, base, MIX_Z) if mixable else (chosen, "")
    explored = False
    if audit is not None:
        why = f"{EXPLORING}{show(audit)} instead ({why}), estimated {scored[audit][1]:.0%} success"
        chosen, explored = audit, True
    elif explore and stats.issues[kind] % EXPLORE_EVERY == EXPLORE_EVERY - 1:
        others = [best(t) for t in tiers if t is not chosen[0]]
        longer = [(*chosen, t) for t in tiers if t not in chosen and len(chosen) < max_attempts]
        thin = sorted(((stats.thinnest(kind, lad), scored[lad][0], lad) for lad in [*longer, *others]
                       if lad is not None), key=lambda x: (x[0][0], x[1]))
        if thin and thin[0][0][0] < EXPLORE_MIN:
            (n, failed, t), _, alt = thin[0]
            after = f" after {' and '.join(f._value_ for f in failed if f in alt)} failed" if failed else " first"
            why = (f"{EXPLORING}{show(alt)} instead (one issue in {EXPLORE_EVERY} of this kind, until every step "
                   f"has {EXPLORE_MIN} tries here; {t._value_}{after} has {n}), estimated {scored[alt][1]:.0%} "
                   "success; a failure escalates")
            chosen, explored = alt, True
        else:
            hope = _hopeful(stats, kind, scored, chosen, keeps, bar)
            if hope is not None:
                alt, hi, opt = hope
                why = (f"{EXPLORING}{show(alt)} instead (one issue in {EXPLORE_EVERY} of this kind, while "
                       f"{alt[0]._value_} first has fewer than {HOPE_MAX} tries here and, at an optimistic "
                       f"{HOPE_LEVEL} bound of its rate ({hi:.0%}), that ladder would cost {_usd(opt)}, less than "
                       f"{show(chosen)}), estimated {scored[alt][1]:.0%} success; a failure escalates")
                chosen, explored = alt, True
    why = why if explored else mixed
    usd, ok = scored[chosen]
    what = "actual costs recorded" if stats.scale() else "per-task cost ratios (no actual costs recorded yet)"
    floor_says = (f"{'no routing' if base == shown else show(base)}'s, less half a point ({bar:.1%})"
                  if floor is None else f"the configured {floor:.0%}")
    sentence = (f"Ladder {show(chosen)}: expected {_usd(usd)} with escalation included and {ok:.0%} success, "
                f"against no routing ({show(shown)}) at {_usd(shown_usd)} and {shown_ok:.0%}, estimated from "
                f"{stats.size} recorded attempts and {what}; the success floor is {floor_says}{why}")
    return LadderChoice(chosen, usd, ok, shown_usd, shown_ok, explored, sentence)


def _hopeful(stats: LadderStats, kind: str, scored: dict[Ladder, tuple[float, float]], chosen: Ladder,
             candidates: list[Ladder], bar: float) -> tuple[Ladder, float, float] | None:
    """A ladder meeting the floor, with another first tier, that would beat `chosen` on cost were its first
    tier's rate at its optimistic bound (HOPE_Z, the kind's first tries and the prior's weight), while that
    tier has fewer than HOPE_MAX first tries here: (ladder, bound, cost at the bound), the cheapest; else None.
    Sequential: each try narrows the bound, so a tier unluckily judged early is retried, a poor one soon not."""
    best: tuple[float, Ladder, float] | None = None
    for lad in candidates:
        usd, ok = scored[lad]
        n = stats.first_tries(kind, lad[0])
        if lad[0] is chosen[0] or ok < bar - 1e-9 or n >= HOPE_MAX or len(lad) < 2:
            continue
        p = stats.rate(kind, lad[0], frozenset())
        hi = min(1.0, p + HOPE_Z * math.sqrt(p * (1 - p) / (n + stats.priors.kind_weight)))
        first = scored[lad[:1]][0]
        opt = first + (1 - hi) * (usd - first) / (1 - p) if p < 1 else first
        if opt < scored[chosen][0] - 1e-12 and (best is None or opt < best[0]):
            best = (opt, lad, hi)
    return None if best is None else (best[1], best[2], best[0])


def _audit(stats: LadderStats, kind: str, scored: dict[Ladder, tuple[float, float]], chosen: Ladder,
           pool: list[Ladder], base: Ladder, max_attempts: int) -> tuple[Ladder | None, str]:
    """No routing's ladder, then the chosen ladder's other tiers, and why; None when no audit is due: the
    chosen ladder keeps no routing's last tier and no cheaper mix would save more an issue than an audit costs."""
    audit = (*base, *(t for t in chosen if t not in base))[:max_attempts]
    if audit == chosen:
        return None, ""
    every = f"one issue in {AUDIT_EVERY} of this kind"
    if base[-1] not in chosen:
        return audit, (f"{every} while its ladder, {show(chosen)}, leaves out {base[-1]._value_}: a check of what "
                       "no routing resolves, which that ladder's estimate rests on")
    _, lo = _mix_share(stats, kind, scored, chosen, pool, base, 0.0) if set(base) <= set(chosen) else (0.0, None)
    if lo is None:
        return None, ""
    save, extra = scored[chosen][0] - scored[lo][0], scored[audit][0] - scored[chosen][0]
    if save <= extra:
        return None, ""
    return audit, (f"{every}: mixing in {show(lo)} could save {_usd(save)} an issue, more than this check of what "
                   f"no routing resolves costs, {_usd(extra)}")



def _margin(stats: LadderStats, kind: str, hi: Ladder, lo: Ladder, base: Ladder, share: float, z: float) -> float:
    """Lower bound (z one-sided) of the success of `lo` on `share` of the issues and `hi` on the rest, less no
    routing's: the kind's joint as a Dirichlet posterior worth its issues and the prior's weight."""
    theta = stats.joint(kind)
    n = stats.issues[kind] + stats.priors.kind_weight
    g = {c: (1 - share) * resolves(hi, c) + share * resolves(lo, c) - resolves(base, c) for c in CELLS}
    mean = sum(theta[c] * g[c] for c in CELLS)
    var = max(0.0, sum(theta[c] * g[c] ** 2 for c in CELLS) - mean * mean) / (n + 1)
    return mean - z * math.sqrt(var)


def _mix_share(stats: LadderStats, kind: str, scored: dict[Ladder, tuple[float, float]], chosen: Ladder,
               pool: list[Ladder], base: Ladder, z: float) -> tuple[float, Ladder | None]:
    """The cheaper ladder and the largest share of issues it may take from `chosen` with the mix's success
    bound still within FLOOR_SLACK of no routing's, saving the most (0, None: none may)."""
    best: tuple[float, float, Ladder | None] = (0.0, 0.0, None)
    if _margin(stats, kind, chosen, chosen, base, 0.0, z) < -FLOOR_SLACK:
        return 0.0, None
    for lo in pool:
        if scored[lo][0] >= scored[chosen][0] - 1e-12:
            continue
        low, high = 0.0, 1.0
        if _margin(stats, kind, chosen, lo, base, 1.0, z) >= -FLOOR_SLACK:
            low = 1.0
        for _ in range(0 if low == 1.0 else MIX_STEPS):
            mid = (low + high) / 2
            low, high = (mid, high) if _margin(stats, kind, chosen, lo, base, mid, z) >= -FLOOR_SLACK else (low, mid)
        save = low * (scored[chosen][0] - scored[lo][0])
        if save > best[0]:
            best = (save, low, lo)
    return best[1], best[2]


def _mixed(stats: LadderStats, kind: str, scored: dict[Ladder, tuple[float, float]], chosen: Ladder,
           pool: list[Ladder], base: Ladder, z: float) -> tuple[Ladder, str]:
    """This issue's ladder under the mix (by issue count, deterministic) and what the rationale adds."""
    share, lo = _mix_share(stats, kind, scored, chosen, pool, base, z)
    i = stats.issues[kind]
    if lo is None or math.floor((i + 1) * share) == math.floor(i * share):
        return chosen, ""
    return lo, (f"; mixed in on {share:.0%} of this kind's issues instead of {show(chosen)}, which the rest get: "
                f"the mix's success stays within half a point of no routing's at a one-sided {MIX_LEVEL} bound")


def next_tier(ladder: list[Tier], tier: Tier, escalation: list[Tier]) -> Tier | None:
    """After a failed run: the next tier of the decision's learned ladder, or up `executor.escalation`."""
    if tier in ladder:
        i = ladder.index(tier)
        return ladder[i + 1] if i + 1 < len(ladder) else None
    return tier.up(escalation)


def subtle(config: RepoConfig, costs: dict[Any, Any], trace: list[RuleMatch]) -> bool:
    """A matched rule marks subtle work (`subtle: true`): no trial runs on haiku, only learned evidence."""
    names = costs.get("subtle-rules")
    if names is None:
        names = costs["subtle-rules"] = frozenset(r.name for r in config.all_patterns() if r.subtle)
    return bool(names) and any(m.strategy is Strategy.pattern and m.rule in names for m in trace)


def ladder_for(config: RepoConfig, costs: dict[Any, Any], stats: LadderStats, kind: str, complexity: Complexity,
               security: bool, opus_asked: bool, guarded: bool) -> LadderChoice | None:
    """The ladder objective for one decision, or None where it does not apply (objective "target", or no
    recorded attempt knows its place on a ladder, as in a store that does not record it)."""
    if config.learning.objective != "ladder" or not stats.size:
        return None
    return choose_ladder(stats, kind, max_attempts=config.executor.max_attempts,
                         fallback_scale=token_scale(costs, config, complexity, stats.priors),
                         min_tier=config.security.min_tier if security else None, opus_asked=opus_asked,
                         floor=config.learning.success_floor, explore=config.learning.explore, guarded=guarded)
