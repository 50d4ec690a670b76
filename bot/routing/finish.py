"""From the strategy that decided to the decision: Opus executes only when asked, the security floor, what
was learned from outcomes, then the phases and their prices. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.config import RepoConfig
from bot.models import MAX_KIND, Complexity, Role, RoutingDecision, RuleMatch, Strategy, Tier
from bot.routing.estimate import estimate
from bot.routing.ladder import ladder_for, subtle
from bot.routing.ladder_stats import LadderStats
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


@dataclass(slots=True, kw_only=True)
class Choice:
    """What the strategy that decided chose, with the evidence `finish` weighs (the engine builds one)."""

    strategy: Strategy
    tier: Tier
    reason: str  # "… because {reason}"
    complexity: Complexity | None = None
    confidence: float = 1.0
    plan: bool = False  # sonnet plans first (kept only when a cheaper tier then executes)
    opus_asked: bool = False  # opus may execute: a person or a rule named it
    trace: list[RuleMatch] = field(default_factory=list)
    security: list[RuleMatch] = field(default_factory=list)  # the security evidence; empty: not sensitive
    notes: list[str] = field(default_factory=list)
    kind: str = ""
    ladder: list[Tier] = field(default_factory=list)  # a learned first tier and escalation order (#22)
    explored: bool = False  # that ladder explores or audits instead of the one learned
    estimate_ladder: list[Tier] = field(default_factory=list)  # what the execute estimate prices
    estimate_basis: str = "tokens"  # "priors" (public per-task priors) or "actuals" (this repository's costs)

    def __post_init__(self) -> None:
        self.kind = self.kind[:MAX_KIND]  # before learning reads it: the key it looks up is the one it stores


def finish(config: RepoConfig, costs: dict[Any, Any], c: Choice, knowledge: Knowledge | None = None,
           repo: str = "", record: LadderStats | None = None) -> RoutingDecision:
    """Opus executes only when asked; apply the security floor and what was learned; lay out and price the phases.

    `c` is updated on the way (the tier, complexity and strategy after each rule); `costs` is the compiled
    config's cache; `record` prices a decision nothing learned moved (a label's) from recorded actual costs."""
    sentences = [f"Routed to {c.tier._value_} because {c.reason}"]
    if c.tier is _OPUS and not c.opus_asked:
        _opus_only_when_asked(c, sentences)
    if c.security:
        _security_floor(config, c, sentences)
    if c.complexity is None:
        c.complexity = COMPLEXITY_FOR_TIER[c.tier]
    learned = None
    if knowledge is not None and config.learning.enabled:
        guarded = subtle(config, costs, c.trace)  # e.g. a race condition: haiku only on learned evidence
        learned = _ladder(config, costs, c, knowledge, guarded, sentences) if knowledge.size else None
        if learned is None:
            actual = _learned(config, c, knowledge, repo, guarded, sentences)
            learned = _estimate(config, costs, c, knowledge.ladders, actual)
    return _decision(config, costs, c, sentences, *(learned or _estimate(config, costs, c, record)))


def _estimate(config: RepoConfig, costs: dict[Any, Any], c: Choice, stats: LadderStats | None = None,
              actual_usd: float | None = None) -> tuple[float, float]:
    """The rules' ladder, escalation included, and no routing's, priced (bot/routing/estimate.py)."""
    est = estimate(config, costs, stats, c.kind, c.tier, c.complexity, actual_usd)  # type: ignore[arg-type]
    c.estimate_ladder, c.estimate_basis = list(est.ladder), "actuals" if est.actuals else "priors"
    return est.usd, est.baseline_usd


def _opus_only_when_asked(c: Choice, sentences: list[str]) -> None:
    sentences[0] = f"The {c.strategy._value_.replace('_', ' ')} pointed to opus because {c.reason}"
    sentences.append("Sonnet executes and opus reviews instead: opus executes only when a label, an "
                     "override or an audit asks for it, or after escalation")
    c.tier = _SONNET
    if c.complexity is None:
        c.complexity = _COMPLEX


def _security_floor(config: RepoConfig, c: Choice, sentences: list[str]) -> None:
    """Security-sensitive work is raised to `security.min_tier` and has no cheap execution after a plan."""
    causes = ", ".join(dict.fromkeys(m.detail for m in c.security[:3]))
    floor = config.security.min_tier
    if c.tier.rank < floor.rank:
        sentences[0] = f"The rules pointed to {c.tier._value_} because {c.reason}"
        sentences.append(f"Raised to {floor._value_}: the work is security-sensitive ({causes}), "
                         "and security-sensitive work never goes to haiku")
        c.tier = floor
    else:
        sentences.append(f"The work is security-sensitive ({causes})")
    if c.plan:
        c.plan = False
        sentences.append("No haiku execution step, because the work is security-sensitive")


def _ladder(config: RepoConfig, costs: dict[Any, Any], c: Choice, knowledge: Knowledge, guarded: bool,
            sentences: list[str]) -> tuple[float, float] | None:
    """The ladder objective (bot/routing/ladder.py): maybe another first tier, the ladder's expected cost and no
    routing's; None where it does not apply (then `_learned`'s target rule)."""
    lc = ladder_for(config, costs, knowledge.ladders, c.kind, c.complexity,  # type: ignore[arg-type]
                    bool(c.security), c.opus_asked, guarded)
    if lc is None:
        return None
    sentences.append(lc.sentence)
    if lc.ladder[0] is not c.tier:
        c.strategy, c.tier, c.confidence = _LEARNED, lc.ladder[0], CONFIDENCE[_LEARNED]
        sentences[0] = sentences[0].replace("Routed to", "The router's rules pointed to", 1)
    c.ladder, c.explored = list(lc.ladder), lc.explored
    c.estimate_ladder = c.ladder
    c.estimate_basis = "actuals" if knowledge.ladders.scale() is not None else "priors"
    return lc.expected_usd, lc.baseline_usd


def _learned(config: RepoConfig, c: Choice, knowledge: Knowledge, repo: str, guarded: bool,
             sentences: list[str]) -> float | None:
    """What recorded outcomes say: maybe another tier, and the mean actual cost of one attempt on it (None: none);
    no trial runs below the tier on subtle work (`guarded`)."""
    if not knowledge.size:
        by = "the LLM classifier" if c.strategy is _LLM else "the rules"
        c.notes.append(f"nothing learned yet ({knowledge.note or 'no executor outcomes recorded'}), so {by} decided")
        return None
    complexity = c.complexity._value_  # type: ignore[union-attr]
    ladder = [t for t in config.executor.escalation if t is not _OPUS or c.opus_asked]
    floor = config.security.min_tier if c.security else None
    choice = choose(knowledge, repo, c.kind, complexity, c.tier, floor=floor,
                    target=config.learning.target_success, ladder=ladder,
                    explore=config.learning.explore and not guarded)
    if choice is not None:
        sentences.append(choice.sentence)
        if choice.changed:
            c.strategy, c.tier = _LEARNED, choice.tier
            c.confidence = CONFIDENCE[_LEARNED]
            sentences[0] = sentences[0].replace("Routed to", "The router's rules pointed to", 1)
    if knowledge.ladders.scale() is not None:  # the ladder record's actual costs price every attempt (estimate.py)
        sentences.append("The execute estimate prices each attempt from this repository's recorded actual costs, "
                         "escalation included")
        return None
    execute_usd = knowledge.calibrated_cost(repo, c.tier, complexity)
    if execute_usd is not None:
        sentences.append(f"The execute estimate prices an attempt on {c.tier._value_} at the mean actual cost of "
                         "recorded runs, escalation included")
    return execute_usd  # type: ignore[no-any-return]


def _decision(config: RepoConfig, costs: dict[Any, Any], c: Choice, sentences: list[str],
              execute_usd: float, baseline_usd: float) -> RoutingDecision:
    """The phases priced, the rationale written, the decision validated."""
    phases, estimate, baseline, says = plan_phases(config, costs, c.tier, c.complexity, c.plan,  # type: ignore[arg-type]
                                                   bool(c.security), execute_usd, baseline_usd)
    if says:
        sentences.append(says)
    rationale = ". ".join(sentences) + "."
    if c.notes:
        rationale += " Note: " + "; ".join(c.notes) + "."
    return _validate_decision({  # type: ignore[no-any-return]
        "tier": c.tier,
        "model": phases[1].model if phases[0].role is _PLAN else phases[0].model,
        "complexity": c.complexity,
        "confidence": c.confidence,
        "strategy": c.strategy,
        "rationale": rationale,
        "matched_rules": c.trace + c.security,
        "pipeline": phases[0].role is _PLAN,
        "security_sensitive": bool(c.security),
        "estimated_cost_usd": estimate,
        "baseline_cost_usd": baseline,
        "savings_usd": baseline - estimate,
        "notes": c.notes,
        "phases": list(phases),
        "kind": c.kind,
        "ladder": c.ladder,
        "explored": c.explored,
        "estimate_ladder": c.estimate_ladder,
        "estimate_basis": c.estimate_basis,
    })
