"""What a decision the rules made is expected to cost (issue #22, "estimates that are true"). Pure.

The estimate is the expected cost of the ladder the issue runs, escalation included: the decided tier, then up
`executor.escalation` until `executor.max_attempts` (a failed try escalates, so every attempt counts). The
baseline is no routing's ladder (Sonnet, then Opus) priced the same way, so savings compare like with like.
One attempt costs what the ladder objective says it costs (ladder_stats.attempt_costs): the execute token budget ×
the tier's turn multiplier (the dated priors' per-task ratio over the list prices' per-token ratio: a cheaper
model takes more turns) at the tier's own price, override included (phases.attempt_usd), replaced by this
repository's actual costs as they arrive; the chance each attempt runs comes from the priors' joint outcomes
and the recorded ones (ladder_stats.expect). The learned ladder (ladder.choose_ladder) is priced by the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.config import RepoConfig
from bot.models import Complexity, Tier
from bot.routing.ladder_stats import NO_ROUTING, Ladder, LadderStats, attempt_costs, expect, token_scale


@dataclass(frozen=True)
class Estimate:
    ladder: Ladder  # what runs until a tier resolves the issue
    usd: float  # its expected cost, every attempt counted
    baseline_usd: float  # no routing's, priced the same way
    actuals: bool  # priced from this repository's actual costs (else from the public priors alone)


def escalation(tier: Tier, config: RepoConfig) -> Ladder:
    """The rules' ladder: `tier`, then up `executor.escalation`, at most `executor.max_attempts` attempts."""
    out = [tier]
    while len(out) < config.executor.max_attempts and (nxt := out[-1].up(config.executor.escalation)) is not None:
        out.append(nxt)
    return tuple(out)


def estimate(config: RepoConfig, costs: dict[Any, Any], stats: LadderStats | None, kind: str, tier: Tier,
             complexity: Complexity, actual_usd: float | None = None) -> Estimate:
    """The rules' ladder and no routing's, priced; cached per config while nothing is recorded (`costs`).
    `actual_usd`, the mean actual cost of one attempt on `tier` (learning.Knowledge.calibrated_cost), sets the
    scale of every tier's ratio where the ladder record has no actual costs of its own."""
    ex = config.executor  # `costs` is one config's cache, kept while its prices and rules stay: not its executor
    key = ("estimate", tier, complexity, ex.max_attempts, *ex.escalation)
    fresh = stats is None or not stats.size
    if fresh and actual_usd is None and (cached := costs.get(key)) is not None:
        return cached  # type: ignore[no-any-return]
    ladder, base = escalation(tier, config), NO_ROUTING[:config.executor.max_attempts]
    if stats is None or fresh:
        stats, kind = LadderStats(), ""  # the priors alone: the same for every kind
    scale = (actual_usd / stats.priors.cost[tier] if actual_usd is not None
             else token_scale(costs, config, complexity, stats.priors))
    cost = attempt_costs(stats, kind, {*ladder, *base}, scale)
    out = Estimate(ladder, expect(stats, kind, ladder, cost)[0], expect(stats, kind, base, cost)[0],
                   actual_usd is not None or stats.scale() is not None)
    if fresh and actual_usd is None:
        costs[key] = out
    return out


def by_tier(config: RepoConfig, costs: dict[Any, Any], complexity: Complexity) -> tuple[dict[Tier, tuple[float, float]], float]:
    """For `/cost`: per tier, one attempt (a task) and the expected cost of starting there, escalation included;
    and no routing's, all at the public priors."""
    stats = LadderStats()
    attempt = attempt_costs(stats, "", Tier, token_scale(costs, config, complexity, stats.priors))
    rows = {t: (attempt[t], estimate(config, costs, None, "", t, complexity).usd) for t in Tier}
    return rows, estimate(config, costs, None, "", Tier.sonnet, complexity).baseline_usd
