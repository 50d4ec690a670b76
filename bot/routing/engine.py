"""The routing decision: strategies in precedence order, then `finish` (floor, learning, phases). Pure.

Precedence: a person's labels, then the LLM classifier's reasoning (rule evidence is its hint), then
pattern rules, the changed-file count and the default. Whatever decided, the result is a plan of
phases: Sonnet plans when a cheaper tier can then execute decomposable work, the cheapest adequate tier
executes, Opus reviews security-sensitive or complex work. Opus executes only when asked (a label, an
override, a rule that names opus such as an audit) or after escalation."""

from __future__ import annotations

from bot.config import RepoConfig
from bot.models import ClassifierResult, Complexity, IssueInput, Pins, RoutingDecision, RuleMatch, Strategy, Tier
from bot.routing.evidence import Evidence, trace_entry
from bot.routing.finish import COMPLEXITY_FOR_TIER, CONFIDENCE, finish
from bot.routing.learning import Knowledge
from bot.routing.matcher import compiled
from bot.routing.phases import cost_table

__all__ = ["COMPLEXITY_FOR_TIER", "TIER_FOR_COMPLEXITY", "cost_table", "forced", "route"]

# Enum members and `.value` are looked up through the enum machinery (~80 and ~200 ns a time); the hot
# path reads these module constants and `._value_` instead.
_MODEL_LABEL = Strategy.model_label
_COMPLEXITY_LABEL = Strategy.complexity_label
_PATTERN = Strategy.pattern
_FILE_COUNT = Strategy.file_count
_LLM = Strategy.llm
_DEFAULT = Strategy.default
_OVERRIDE = Strategy.override
_SECURITY = Strategy.security
_HAIKU = Tier.haiku
_SONNET = Tier.sonnet
_OPUS = Tier.opus
_SIMPLE = Complexity.simple
_STANDARD = Complexity.standard
_COMPLEX = Complexity.complex

TIER_FOR_COMPLEXITY = {
    Complexity.trivial: Tier.haiku,
    Complexity.simple: Tier.haiku,
    Complexity.standard: Tier.sonnet,
    Complexity.complex: Tier.opus,
}
# Complexity the rules inferred (not a label) → who executes, and whether Sonnet plans first.
EXECUTION_FOR_COMPLEXITY = {
    Complexity.trivial: (Tier.haiku, False),
    Complexity.simple: (Tier.haiku, False),
    Complexity.standard: (Tier.sonnet, False),
    Complexity.complex: (Tier.haiku, True),  # sonnet plans, haiku executes, opus reviews
}
_tier_rank = {t: t.rank for t in Tier}.__getitem__  # max() keys without a lambda and a property per item
_complexity_rank = {c: c.rank for c in Complexity}.__getitem__


def route(
    issue: IssueInput,
    config: RepoConfig,
    llm_result: ClassifierResult | None = None,
    notes: list[str] | None = None,
    pins: Pins | None = None,
    knowledge: Knowledge | None = None,
    repo: str = "",
) -> RoutingDecision:
    """Labels decide first, then what was learned from outcomes (when credible), then the classifier (when it
    answered), then the rules; the rest add evidence. `knowledge` is None where there is no outcome history
    to consult (the CLI); a Knowledge with nothing in it says why in the rationale."""
    notes = list(notes or [])
    comp = compiled(config)
    ev = Evidence(issue, config, notes, comp, pins)
    trace: list[RuleMatch] = []
    decided: tuple[Strategy, Tier, str] | None = None  # strategy, tier, reason
    complexity: Complexity | None = None
    plan = False  # sonnet plans first (kept only when a cheaper tier then executes)
    opus_asked = False  # opus may execute: a person or a rule named it

    # 1. explicit model label
    if ev.model_labels:
        tier = max((t for _, t in ev.model_labels), key=_tier_rank)
        names = ", ".join(repr(n) for n, _ in ev.model_labels)
        if len({t for _, t in ev.model_labels}) > 1:
            notes.append(f"conflicting model labels ({names}); the highest tier wins")
        decided = (_MODEL_LABEL, tier, f"the issue is labelled {names}")
        opus_asked = True
    for name, tier in ev.model_labels:
        trace.append(trace_entry(strategy=_MODEL_LABEL, rule=name, tier=tier, decided=decided is not None
                                 and decided[0] is _MODEL_LABEL and tier is decided[1]))

    # 2. complexity label
    if ev.complexity_labels:
        label_complexity = max((c for _, c in ev.complexity_labels), key=_complexity_rank)
        complexity = label_complexity
        if decided is None:
            tier = TIER_FOR_COMPLEXITY[label_complexity]
            decided = (_COMPLEXITY_LABEL, tier,
                       f"the issue is labelled {label_complexity._value_} work, which goes to {tier._value_}")
            opus_asked = True
        for name, c in ev.complexity_labels:
            trace.append(trace_entry(strategy=_COMPLEXITY_LABEL, rule=name, complexity=c,
                                     tier=TIER_FOR_COMPLEXITY[c], decided=decided[0] is _COMPLEXITY_LABEL
                                     and c is label_complexity))

    # 3. LLM classifier (computed outside, with the rule evidence as hints; only its enums and flags are used)
    confidence_cap = 1.0
    if llm_result is not None:
        if decided is None:
            if complexity is None:
                complexity = llm_result.complexity
            confidence_cap = llm_result.confidence
            plan = llm_result.needs_planning
            decided = (_LLM, llm_result.tier, f"the LLM classifier judged it {llm_result.complexity._value_} "
                       f"work for {llm_result.tier._value_} (confidence {llm_result.confidence:.2f})")
        if llm_result.security_sensitive:  # it can raise the floor, never lower it
            ev.security.append(trace_entry(strategy=_SECURITY, rule="classifier",
                                           detail="the LLM classifier flagged it"))
        trace.append(trace_entry(strategy=_LLM, rule="classifier", tier=llm_result.tier,
                                 complexity=llm_result.complexity, decided=decided[0] is _LLM))

    # 4. pattern rules over title and body
    if ev.hits:
        tiers = [h.rule.tier for h in ev.hits if h.rule.tier is not None]
        complexities = [h.rule.complexity for h in ev.hits if h.rule.complexity is not None]
        pattern_complexity = max(complexities, key=_complexity_rank) if complexities else None
        if complexity is None:
            complexity = pattern_complexity
        if decided is None and (tiers or pattern_complexity is not None):
            if tiers:
                tier = max(tiers, key=_tier_rank)
                opus_asked = tier is _OPUS
                plan = tier is _HAIKU and pattern_complexity is _COMPLEX
            else:
                tier, plan = EXECUTION_FOR_COMPLEXITY[pattern_complexity]  # type: ignore[index]
            words = "; ".join([h.because for h in ev.hits])
            reason = f"the text mentions {words}"
            if len(set(tiers)) > 1:
                reason += "; the highest tier wins"
            decided = (_PATTERN, tier, reason)
        elif decided is not None and decided[0] is _LLM and any(h.rule.tier is _OPUS for h in ev.hits):
            opus_asked = True  # e.g. an audit: the work itself is review
        for h in ev.hits:
            trace.append(trace_entry(strategy=_PATTERN, rule=h.rule.name, tier=h.rule.tier,
                                     complexity=h.rule.complexity, detail=", ".join(h.words),
                                     decided=decided is not None and decided[0] is _PATTERN
                                     and (h.rule.tier is decided[1] or h.rule.tier is None)))

    # 5. changed-file count
    if ev.files:
        many = ev.files >= 4
        file_tier = _HAIKU if ev.files == 1 or many else _SONNET
        if decided is None:
            plan = many
            if complexity is None:
                complexity = _SIMPLE if ev.files == 1 else _STANDARD
            reason = f"it changes {ev.files} file{'s' if ev.files != 1 else ''}"
            decided = (_FILE_COUNT, file_tier, reason)
        trace.append(trace_entry(strategy=_FILE_COUNT, rule=f"files={ev.files}", tier=file_tier,
                                 detail="pipeline" if many else "", decided=decided[0] is _FILE_COUNT))

    # 6. default
    if decided is None:
        decided = (_DEFAULT, _SONNET, "no rule matched, so the default tier applies")
        trace.append(trace_entry(strategy=_DEFAULT, rule="default", tier=_SONNET, decided=True))

    strategy, tier, reason = decided
    confidence = min(CONFIDENCE[strategy], confidence_cap)
    learn = knowledge if strategy is not _MODEL_LABEL and strategy is not _COMPLEXITY_LABEL else None
    return finish(config, comp.costs, strategy, tier, complexity, confidence, reason, trace, ev.security,
                  plan, notes, ev.kind(), opus_asked, learn, repo)


def forced(
    issue: IssueInput,
    config: RepoConfig,
    tier: Tier | None = None,
    complexity: Complexity | None = None,
    *,
    by: str,
    pins: Pins | None = None,
) -> RoutingDecision:
    """A human decided (label change or slash-command); the security floor still applies."""
    if tier is None and complexity is None:
        raise ValueError("forced() needs a tier or a complexity")
    notes: list[str] = []
    comp = compiled(config)
    ev = Evidence(issue, config, notes, comp, pins)
    chosen_tier = Tier(tier) if tier is not None else TIER_FOR_COMPLEXITY[Complexity(complexity)]  # type: ignore[arg-type]
    chosen_complexity = Complexity(complexity) if complexity is not None else None
    if chosen_complexity is None:
        base = route(issue, config, pins=pins)
        chosen_complexity = base.complexity if base.tier is chosen_tier else None
    what = " and ".join(x for x in (tier is not None and f"tier {chosen_tier._value_}",
                                    complexity is not None and f"complexity {Complexity(complexity)._value_}") if x)
    trace = [trace_entry(strategy=_OVERRIDE, rule=f"override by {by}", tier=chosen_tier,
                         complexity=chosen_complexity, decided=True)]
    return finish(config, comp.costs, _OVERRIDE, chosen_tier, chosen_complexity, 1.0, f"{by} set {what}",
                  trace, ev.security, False, notes, ev.kind(), True)
