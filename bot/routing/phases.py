"""A decision's phases — plan (Sonnet), execute, review (Opus) — and their price against no routing. Pure."""

from __future__ import annotations

from typing import Any, Mapping

from bot.catalog import estimate_cost, model_for, phase_specs
from bot.config import RepoConfig
from bot.models import Complexity, Phase, Role, Tier

_PLAN, _EXECUTE, _REVIEW = Role.plan, Role.execute, Role.review
_SONNET = Tier.sonnet  # the baseline's plan and review phases (its execute phase: no routing's ladder)
_COMPLEX = Complexity.complex


def phase_usd(costs: dict[Any, Any], role: Role, tier: Tier, complexity: Complexity, config: RepoConfig) -> float:
    """One phase's estimate, cached per config (`costs` is the compiled config's cache)."""
    key = (role, tier, complexity)
    usd = costs.get(key)
    if usd is None:
        usd = costs[key] = estimate_cost(tier, complexity, config, role._value_).usd
    return usd  # type: ignore[no-any-return]


def attempt_usd(costs: dict[Any, Any], config: RepoConfig, complexity: Complexity,
                ratio: Mapping[Tier, float]) -> dict[Tier, float]:
    """One execute attempt per tier before actual costs arrive: the execute token budget × the tier's turn
    multiplier, at the tier's own price (the repository's `prices:`/`models:` override included). The
    multiplier is the priors' per-task ratio (`ratio`, relative to Sonnet) over the tiers' per-token ratio at
    the dated catalog's list prices: a cheaper model takes more turns. At list prices an attempt is the budget
    at Sonnet's price × the ratio; a tier whose list price is zero keeps that rule."""
    key = ("attempt", complexity, *ratio.items())
    out = costs.get(key)
    if out is None:
        listed = {t: estimate_cost(t, complexity, config, listed=True).usd for t in Tier}
        per_task = {t: ratio[t] / ratio[_SONNET] for t in Tier}
        out = costs[key] = {
            t: phase_usd(costs, _EXECUTE, t, complexity, config) * per_task[t] * listed[_SONNET] / listed[t]
            if listed[t] > 0 else phase_usd(costs, _EXECUTE, _SONNET, complexity, config) * per_task[t]
            for t in Tier}
    return out  # type: ignore[no-any-return]


def model_id(costs: dict[Any, Any], tier: Tier, config: RepoConfig) -> str:
    model = costs.get(tier)
    if model is None:
        model = costs[tier] = model_for(tier, config)
    return model  # type: ignore[no-any-return]


def roles(tier: Tier, complexity: Complexity, plan: bool, security: bool) -> tuple[tuple[Role, Tier], ...]:
    """Who runs which phase: a plan only when a cheaper tier then executes; a review of security-sensitive
    or complex work unless opus itself executes."""
    specs = phase_specs()
    out: list[tuple[Role, Tier]] = []
    plan_tier, review_tier = specs["plan"].tier, specs["review"].tier
    if plan and tier.rank < plan_tier.rank:
        out.append((_PLAN, plan_tier))
    out.append((_EXECUTE, tier))
    if (security or complexity is _COMPLEX) and tier.rank < review_tier.rank:
        out.append((_REVIEW, review_tier))
    return tuple(out)


def plan_phases(
    config: RepoConfig, costs: dict[Any, Any], tier: Tier, complexity: Complexity, plan: bool, security: bool,
    execute_usd: float, baseline_execute_usd: float,
) -> tuple[list[Phase], float, float, str]:
    """(phases, estimate, baseline: no routing's, a sentence for the rationale).

    The execute phase costs `execute_usd`, its ladder's expected cost, in the baseline `baseline_execute_usd`, no
    routing's (bot/routing/estimate.py); plan and review phases cost their token budget, in the baseline on Sonnet."""
    key = ("phases", tier, complexity, plan, security, execute_usd, baseline_execute_usd)
    cached = costs.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    layout = roles(tier, complexity, plan, security)
    phases: list[Phase] = []
    estimate = baseline = 0.0
    for role, t in layout:
        if role is _EXECUTE:
            usd, base = execute_usd, baseline_execute_usd
        else:
            usd, base = phase_usd(costs, role, t, complexity, config), phase_usd(costs, role, _SONNET, complexity, config)
        phases.append(Phase(role=role, tier=t, model=model_id(costs, t, config), estimated_cost_usd=usd))
        estimate += usd
        baseline += base
    says = ""
    if len(layout) > 1:
        says = ", ".join(f"{t._value_} {_VERB[r]}" for r, t in layout).capitalize()
        review = layout[-1][0] is _REVIEW
        if review:
            says += " (the work is " + ("security-sensitive" if security else "complex") + ")"
    result = (phases, estimate, baseline, says)
    if len(costs) < 4096:
        costs[key] = result
    return result


_VERB = {_PLAN: "plans", _EXECUTE: "executes", _REVIEW: "reviews"}


def cost_table(complexity: Complexity, config: RepoConfig) -> list[tuple[Tier, str, Any]]:
    """What this complexity of work costs executed on every tier, cheapest first (for `/cost`)."""
    return [(t, model_for(t, config), estimate_cost(t, Complexity(complexity), config)) for t in Tier]
