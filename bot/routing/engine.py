"""The routing decision: strategies in precedence order, the security floor, and the phases it costs. Pure.

Precedence: a person's labels, then the LLM classifier's reasoning (rule evidence is its hint), then
pattern rules, the changed-file count and the default. Whatever decided, the result is a plan of
phases: Sonnet plans when a cheaper tier can then execute decomposable work, the cheapest adequate tier
executes, Opus reviews security-sensitive or complex work. Opus executes only when asked (a label, an
override, a rule that names opus such as an audit) or after escalation."""

from __future__ import annotations

from typing import Any

from bot.config import RepoConfig
from bot.models import (
    ClassifierResult,
    Complexity,
    CostEstimate,
    IssueInput,
    Pins,
    Role,
    RoutingDecision,
    RuleMatch,
    Strategy,
    Tier,
)
from bot.routing.learning import Knowledge, choose
from bot.routing.matcher import Compiled, compiled
from bot.review.security_paths import match_paths
from bot.routing.normalize import normalize
from bot.routing.phases import cost_table, plan_phases

# Enum members and `.value` are looked up through the enum machinery (~80 and ~200 ns a time); the hot
# path reads these module constants and `._value_` instead.
_MODEL_LABEL = Strategy.model_label
_COMPLEXITY_LABEL = Strategy.complexity_label
_PATTERN = Strategy.pattern
_FILE_COUNT = Strategy.file_count
_LLM = Strategy.llm
_DEFAULT = Strategy.default
_OVERRIDE = Strategy.override
_LEARNED = Strategy.learned
_SECURITY = Strategy.security
_HAIKU = Tier.haiku
_SONNET = Tier.sonnet
_OPUS = Tier.opus
_TRIVIAL = Complexity.trivial
_SIMPLE = Complexity.simple
_STANDARD = Complexity.standard
_COMPLEX = Complexity.complex
_PLAN = Role.plan

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
_TIERS = {t.value: t for t in Tier}
_tier_rank = {t: t.rank for t in Tier}.__getitem__  # max() keys without a lambda and a property per item
_complexity_rank = {c: c.rank for c in Complexity}.__getitem__
# Validating a dict straight through pydantic-core skips BaseModel.__init__'s Python wrapper (~0.5 us a
# RuleMatch, ~0.8 us a decision): same checks, same objects.
_validate_rule = RuleMatch.__pydantic_validator__.validate_python
_validate_decision = RoutingDecision.__pydantic_validator__.validate_python


def _rule(**fields: Any) -> RuleMatch:
    return _validate_rule(fields)  # type: ignore[no-any-return]


_COMPLEXITIES = {c.value: c for c in Complexity}


class _Evidence:
    """Everything the issue says, gathered once; strategies then read it in precedence order."""

    def __init__(self, issue: IssueInput, config: RepoConfig, notes: list[str], comp: Compiled, pins: Pins | None = None) -> None:
        mp, cp, security_labels = comp.model_prefix, comp.complexity_prefix, comp.security_labels
        self.model_labels: list[tuple[str, Tier]] = []
        self.complexity_labels: list[tuple[str, Complexity]] = []
        self.security: list[RuleMatch] = []
        self.labels: list[str] = []  # people's other labels (bug, docs, ...): a hint of the kind of work
        for name in issue.labels:
            low = (name if name.isascii() else normalize(name)).strip().lower()
            if low.startswith(mp):
                tier = _TIERS.get(low[len(mp):].strip())
                if tier is None:
                    notes.append(f"label {name!r} names no tier (haiku, sonnet, opus); ignored")
                else:
                    self.model_labels.append((name, tier))
            elif low.startswith(cp):
                complexity = _COMPLEXITIES.get(low[len(cp):].strip())
                if complexity is None:
                    notes.append(f"label {name!r} names no complexity (trivial, simple, standard, complex); ignored")
                else:
                    self.complexity_labels.append((name, complexity))
            elif low and len(self.labels) < 4:
                self.labels.append(low[:40])
            if low in security_labels:
                self.security.append(_rule(strategy=_SECURITY, rule=f"label:{name}",
                                               detail=f"labelled {name!r}"))
        if pins and pins.tier is not None:  # a person's choice weighs as that label (the caller strips ours)
            self.model_labels.append((config.labels.model_label(pins.tier), pins.tier))
        if pins and pins.complexity is not None:
            self.complexity_labels.append((config.labels.complexity_label(pins.complexity), pins.complexity))
        self.hits = comp.matcher.match(normalize(f"{issue.title}\n{issue.body}"))
        for hit in self.hits:
            if hit.rule.security:
                self.security.append(_rule(strategy=_SECURITY, rule=hit.rule.name, tier=hit.rule.tier,
                                               detail=f"mentions {hit.quoted}"))
        for m in match_paths(issue.changed_paths, config.security.paths)[:5] if issue.changed_paths else ():
            self.security.append(_rule(strategy=_SECURITY, rule=f"path:{m.path}",
                                           detail=f"changes {m.path} (matches {m.pattern})"))
        if issue.changed_files is not None:
            self.files: int | None = issue.changed_files
        else:
            self.files = len(issue.changed_paths) if issue.changed_paths else None

    def kind(self) -> str:
        """`rules|labels`, e.g. `typo|documentation`: the key outcomes are learned under."""
        hits = self.hits
        if not hits:
            rules = ""
        elif len(hits) == 1:
            rules = hits[0].rule.name
        else:
            rules = "+".join(sorted({h.rule.name for h in hits}))
        labels = self.labels
        if not labels:
            return rules
        return f"{rules}|{labels[0] if len(labels) == 1 else '+'.join(sorted(set(labels)))}"


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
    ev = _Evidence(issue, config, notes, comp, pins)
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
        trace.append(_rule(strategy=_MODEL_LABEL, rule=name, tier=tier, decided=decided is not None
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
            trace.append(_rule(strategy=_COMPLEXITY_LABEL, rule=name, complexity=c,
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
            ev.security.append(_rule(strategy=_SECURITY, rule="classifier",
                                         detail="the LLM classifier flagged it"))
        trace.append(_rule(strategy=_LLM, rule="classifier", tier=llm_result.tier,
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
            trace.append(_rule(strategy=_PATTERN, rule=h.rule.name, tier=h.rule.tier,
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
        trace.append(_rule(strategy=_FILE_COUNT, rule=f"files={ev.files}", tier=file_tier,
                               detail="pipeline" if many else "", decided=decided[0] is _FILE_COUNT))

    # 6. default
    if decided is None:
        decided = (_DEFAULT, _SONNET, "no rule matched, so the default tier applies")
        trace.append(_rule(strategy=_DEFAULT, rule="default", tier=_SONNET, decided=True))

    strategy, tier, reason = decided
    confidence = min(CONFIDENCE[strategy], confidence_cap)
    learn = knowledge if strategy is not _MODEL_LABEL and strategy is not _COMPLEXITY_LABEL else None
    return _finish(config, comp.costs, strategy, tier, complexity, confidence, reason, trace, ev.security,
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
    ev = _Evidence(issue, config, notes, comp, pins)
    chosen_tier = Tier(tier) if tier is not None else TIER_FOR_COMPLEXITY[Complexity(complexity)]  # type: ignore[arg-type]
    chosen_complexity = Complexity(complexity) if complexity is not None else None
    if chosen_complexity is None:
        base = route(issue, config, pins=pins)
        chosen_complexity = base.complexity if base.tier is chosen_tier else None
    what = " and ".join(x for x in (tier is not None and f"tier {chosen_tier._value_}",
                                    complexity is not None and f"complexity {Complexity(complexity)._value_}") if x)
    trace = [_rule(strategy=_OVERRIDE, rule=f"override by {by}", tier=chosen_tier,
                       complexity=chosen_complexity, decided=True)]
    return _finish(config, comp.costs, _OVERRIDE, chosen_tier, chosen_complexity, 1.0, f"{by} set {what}",
                   trace, ev.security, False, notes, ev.kind(), True)


def _finish(
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
                            target=config.learning.target_success, ladder=ladder)
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
