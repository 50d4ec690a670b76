"""The routing decision: strategies in precedence order, then `finish` (floor, learning, phases). Pure.

Precedence: a person's labels, then the LLM classifier's reasoning (rule evidence is its hint), then
pattern rules, the changed-file count and the default. Whatever decided, the result is a plan of
phases: Sonnet plans when a cheaper tier can then execute decomposable work, the cheapest adequate tier
executes, Opus reviews security-sensitive or complex work. Opus executes only when asked (a label, an
override, a rule that names opus such as an audit) or after escalation."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import RepoConfig
from bot.models import ClassifierResult, Complexity, IssueInput, Pins, RoutingDecision, RuleMatch, Strategy, Tier
from bot.routing.evidence import Evidence, trace_entry
from bot.routing.finish import COMPLEXITY_FOR_TIER, CONFIDENCE, Choice, finish
from bot.routing.kinds import text_kind
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


@dataclass(slots=True)
class _Draft:
    """The strategies' shared state while they run in precedence order: the first one to decide wins."""

    trace: list[RuleMatch] = field(default_factory=list)
    decided: tuple[Strategy, Tier, str] | None = None  # strategy, tier, reason
    complexity: Complexity | None = None
    plan: bool = False  # sonnet plans first (kept only when a cheaper tier then executes)
    opus_asked: bool = False  # opus may execute: a person or a rule named it
    confidence_cap: float = 1.0

    def decided_by(self, strategy: Strategy) -> bool:
        return self.decided is not None and self.decided[0] is strategy


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
    d = _Draft()
    if ev.model_labels:  # 1. explicit model label
        _model_labels(ev, d, notes)
    if ev.complexity_labels:  # 2. complexity label
        _complexity_labels(ev, d)
    if llm_result is not None:  # 3. the LLM classifier (asked outside, with the rule evidence as hints)
        _classifier(ev, d, llm_result)
    if ev.hits:  # 4. pattern rules over title and body
        _patterns(ev, d)
    if ev.files:  # 5. changed-file count
        _file_count(ev, d)
    if d.decided is None:  # 6. default
        d.decided = (_DEFAULT, _SONNET, "no rule matched, so the default tier applies")
        d.trace.append(trace_entry(strategy=_DEFAULT, rule="default", tier=_SONNET, decided=True))

    strategy, tier, reason = d.decided
    learn = knowledge if strategy is not _MODEL_LABEL and strategy is not _COMPLEXITY_LABEL else None
    choice = Choice(strategy=strategy, tier=tier, reason=reason, complexity=d.complexity,
                    confidence=min(CONFIDENCE[strategy], d.confidence_cap), plan=d.plan, opus_asked=d.opus_asked,
                    trace=d.trace, security=ev.security, notes=notes,
                    kind=text_kind(ev.kind(), issue, learn.text if learn is not None else None, notes))  # routing/kinds.py
    return finish(config, comp.costs, choice, learn, repo, knowledge.ladders if knowledge is not None else None)


def _model_labels(ev: Evidence, d: _Draft, notes: list[str]) -> None:
    """A person's `model:` label decides; of several, the highest tier."""
    tier = max((t for _, t in ev.model_labels), key=_tier_rank)
    names = ", ".join(repr(n) for n, _ in ev.model_labels)
    if len({t for _, t in ev.model_labels}) > 1:
        notes.append(f"conflicting model labels ({names}); the highest tier wins")
    d.decided = (_MODEL_LABEL, tier, f"the issue is labelled {names}")
    d.opus_asked = True
    for name, t in ev.model_labels:
        d.trace.append(trace_entry(strategy=_MODEL_LABEL, rule=name, tier=t, decided=t is tier))


def _complexity_labels(ev: Evidence, d: _Draft) -> None:
    """A `complexity:` label sets the complexity, and the tier when no model label did."""
    label_complexity = max((c for _, c in ev.complexity_labels), key=_complexity_rank)
    d.complexity = label_complexity
    if d.decided is None:
        tier = TIER_FOR_COMPLEXITY[label_complexity]
        d.decided = (_COMPLEXITY_LABEL, tier,
                     f"the issue is labelled {label_complexity._value_} work, which goes to {tier._value_}")
        d.opus_asked = True
    for name, c in ev.complexity_labels:
        d.trace.append(trace_entry(strategy=_COMPLEXITY_LABEL, rule=name, complexity=c, tier=TIER_FOR_COMPLEXITY[c],
                                   decided=d.decided_by(_COMPLEXITY_LABEL) and c is label_complexity))


def _classifier(ev: Evidence, d: _Draft, llm: ClassifierResult) -> None:
    """The classifier's reasoning decides when no label did; only its enums and flags are used."""
    if d.decided is None:
        if d.complexity is None:
            d.complexity = llm.complexity
        d.confidence_cap = llm.confidence
        d.plan = llm.needs_planning
        d.decided = (_LLM, llm.tier, f"the LLM classifier judged it {llm.complexity._value_} "
                     f"work for {llm.tier._value_} (confidence {llm.confidence:.2f})")
    if llm.security_sensitive:  # it can raise the floor, never lower it
        ev.security.append(trace_entry(strategy=_SECURITY, rule="classifier", detail="the LLM classifier flagged it"))
    d.trace.append(trace_entry(strategy=_LLM, rule="classifier", tier=llm.tier, complexity=llm.complexity,
                               decided=d.decided_by(_LLM)))


def _patterns(ev: Evidence, d: _Draft) -> None:
    """Pattern rules: the highest tier they name, else the execution their complexity implies."""
    tiers = [h.rule.tier for h in ev.hits if h.rule.tier is not None]
    complexities = [h.rule.complexity for h in ev.hits if h.rule.complexity is not None]
    pattern_complexity = max(complexities, key=_complexity_rank) if complexities else None
    if d.complexity is None:
        d.complexity = pattern_complexity
    if d.decided is None and (tiers or pattern_complexity is not None):
        if tiers:
            tier = max(tiers, key=_tier_rank)
            d.opus_asked = tier is _OPUS
            d.plan = tier is _HAIKU and pattern_complexity is _COMPLEX
        else:
            tier, d.plan = EXECUTION_FOR_COMPLEXITY[pattern_complexity]  # type: ignore[index]
        reason = "the text mentions " + "; ".join([h.because for h in ev.hits])
        if len(set(tiers)) > 1:
            reason += "; the highest tier wins"
        d.decided = (_PATTERN, tier, reason)
    elif d.decided_by(_LLM) and any(h.rule.tier is _OPUS for h in ev.hits):
        d.opus_asked = True  # e.g. an audit: the work itself is review
    for h in ev.hits:
        d.trace.append(trace_entry(strategy=_PATTERN, rule=h.rule.name, tier=h.rule.tier,
                                   complexity=h.rule.complexity, detail=", ".join(h.words),
                                   decided=d.decided_by(_PATTERN)
                                   and (h.rule.tier is d.decided[1] or h.rule.tier is None)))  # type: ignore[index]


def _file_count(ev: Evidence, d: _Draft) -> None:
    """One file or four and more go to haiku (four and more after a Sonnet plan); two or three to sonnet."""
    many = ev.files >= 4
    file_tier = _HAIKU if ev.files == 1 or many else _SONNET
    if d.decided is None:
        d.plan = many
        if d.complexity is None:
            d.complexity = _SIMPLE if ev.files == 1 else _STANDARD
        d.decided = (_FILE_COUNT, file_tier, f"it changes {ev.files} file{'s' if ev.files != 1 else ''}")
    d.trace.append(trace_entry(strategy=_FILE_COUNT, rule=f"files={ev.files}", tier=file_tier,
                               detail="pipeline" if many else "", decided=d.decided_by(_FILE_COUNT)))


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
    choice = Choice(strategy=_OVERRIDE, tier=chosen_tier, reason=f"{by} set {what}", complexity=chosen_complexity,
                    confidence=1.0, opus_asked=True, trace=trace, security=ev.security, notes=notes, kind=ev.kind())
    return finish(config, comp.costs, choice)
