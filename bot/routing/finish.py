"""From the strategy that decided to the decision: Opus executes only when asked, the security floor, what
was learned from outcomes, then the phases and their prices. Pure."""

from __future__ import annotations

from typing import Any

from bot.config import RepoConfig
from bot.models import Complexity, Role, RoutingDecision, RuleMatch, Strategy, Tier
from bot.routing.learning import Knowledge, choose
from bot.routing.phases import plan_phases

_LLM = Strategy.llm
_LEARNED = Strategy.learned
_SONNET = Tier.sonnet
_OPUS = Tier.opus
_COMPLEX = Complexity.complex
_PLAN = Role.plan

COMPLEXITY_FOR_TIER = {Tier.haiku: Complexity.simple, Tier.sonnet: Complexity.standard, Tier.opus: Complexity.complex}
CONFIDENCE = {
    Strategy.model_label: 1.0,
    Strategy.complexity_label: 0.95,
    Strategy.pattern: 0.8,
    Strategy.file_count: 0.7,
    Strategy.llm: 0.85,  # a ceiling: the classifier's own confidence is used when lower
    Strategy.default: 0.6,
    Strategy.override: 1.0,
    Strategy.learned: 0.9,  # a ceiling: the evidence's own strength is used when lower
}
# Validating a dict straight through pydantic-core skips BaseModel.__init__'s Python wrapper (~0.8 us a
# decision): same checks, same objects.
_validate_decision = RoutingDecision.__pydantic_validator__.validate_python


def finish(
    config: RepoConfig,
    costs: dict[Any, Any],
    strategy: Strategy,
    tier: Tier,
    complexity: Complexity | None,
    confidence: float,
    reason: str,
    trace: list[RuleMatch],
    security: list[RuleMatch],
    plan: bool,
    notes: list[str],
    kind: str,
    opus_asked: bool,
    knowledge: Knowledge | None = None,
    repo: str = "",
) -> RoutingDecision:
    """Opus executes only when asked; apply the security floor and what was learned; lay out and price the phases."""
    sentences = [f"Routed to {tier._value_} because {reason}"]
    if tier is _OPUS and not opus_asked:
        sentences[0] = f"The {strategy._value_.replace('_', ' ')} pointed to opus because {reason}"
        sentences.append("Sonnet executes and opus reviews instead: opus executes only when a label, an "
                         "override or an audit asks for it, or after escalation")
        tier = _SONNET
        if complexity is None:
            complexity = _COMPLEX
    if security:
        causes = ", ".join(dict.fromkeys(m.detail for m in security[:3]))
        floor = config.security.min_tier
        if tier.rank < floor.rank:
            sentences[0] = f"The rules pointed to {tier._value_} because {reason}"
            sentences.append(f"Raised to {floor._value_}: the work is security-sensitive ({causes}), "
                             "and security-sensitive work never goes to haiku")
            tier = floor
        else:
            sentences.append(f"The work is security-sensitive ({causes})")
        if plan:
            plan = False
            sentences.append("No haiku execution step, because the work is security-sensitive")
    if complexity is None:
        complexity = COMPLEXITY_FOR_TIER[tier]
    execute_usd = None
    if knowledge is not None and config.learning.enabled:
        if not knowledge.size:
            by = "the LLM classifier" if strategy is _LLM else "the rules"
            notes.append(f"nothing learned yet ({knowledge.note or 'no executor outcomes recorded'}), so {by} decided")
        else:
            ladder = [t for t in config.executor.escalation if t is not _OPUS or opus_asked]
            floor = config.security.min_tier if security else None
            choice = choose(knowledge, repo, kind, complexity._value_, tier, floor=floor,
                            target=config.learning.target_success, ladder=ladder, explore=config.learning.explore)
            if choice is not None:
                sentences.append(choice.sentence)
                if choice.changed:
                    strategy, tier = _LEARNED, choice.tier
                    confidence = CONFIDENCE[_LEARNED]
                    sentences[0] = sentences[0].replace("Routed to", "The router's rules pointed to", 1)
            execute_usd = knowledge.calibrated_cost(repo, tier, complexity._value_)
            if execute_usd is not None:
                sentences.append("The execute estimate is the mean actual cost of recorded runs")
    phases, estimate, baseline, says = plan_phases(config, costs, tier, complexity, plan, bool(security), execute_usd)
    if says:
        sentences.append(says)
    rationale = ". ".join(sentences) + "."
    if notes:
        rationale += " Note: " + "; ".join(notes) + "."
    return _validate_decision({  # type: ignore[no-any-return]
        "tier": tier,
        "model": phases[1].model if phases[0].role is _PLAN else phases[0].model,
        "complexity": complexity,
        "confidence": confidence,
        "strategy": strategy,
        "rationale": rationale,
        "matched_rules": trace + security,
        "pipeline": phases[0].role is _PLAN,
        "security_sensitive": bool(security),
        "estimated_cost_usd": estimate,
        "baseline_cost_usd": baseline,
        "savings_usd": baseline - estimate,
        "notes": notes,
        "phases": list(phases),
        "kind": kind,
    })
