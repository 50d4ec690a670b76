"""Plain-words rule trace of a decision, for `/why` and `model-router explain`."""

from __future__ import annotations

from bot.models import RoutingDecision, RuleMatch, Strategy

_STRATEGY_WORDS = {
    Strategy.model_label: "an explicit model label",
    Strategy.complexity_label: "a complexity label",
    Strategy.pattern: "pattern rules over the title and body",
    Strategy.file_count: "the number of changed files",
    Strategy.llm: "the LLM classifier",
    Strategy.default: "the default",
    Strategy.override: "a human override",
    Strategy.learned: "outcomes recorded in this repository",
    Strategy.security: "the security floor",
}


def _line(m: RuleMatch) -> str:
    mark = "*" if m.decided else "-"
    if m.strategy is Strategy.pattern:
        text = f"pattern rule {m.rule!r} matched {m.detail}"
    elif m.strategy is Strategy.file_count:
        text = f"changed files: {m.rule.removeprefix('files=')}" + (" (sonnet plans, haiku executes)" if m.detail else "")
    elif m.strategy is Strategy.security:
        text = f"security: {m.detail}"
    elif m.strategy in (Strategy.model_label, Strategy.complexity_label):
        text = f"label {m.rule!r}"
    else:
        text = m.rule if not m.detail else f"{m.rule}: {m.detail}"
    outcome = ", ".join(x for x in (m.tier and m.tier.value, m.complexity and m.complexity.value) if x)
    if outcome:
        text += f" -> {outcome}"
    return f"  {mark} {text}" + ("   [decided]" if m.decided else "")


def explain(decision: RoutingDecision) -> str:
    d = decision
    lines = [
        f"Decision: {d.tier.value} ({d.model}), complexity {d.complexity.value}, confidence {d.confidence:.2f}, "
        f"decided by {_STRATEGY_WORDS[d.strategy]}.",
        f"Why: {d.rationale}",
        "Evidence, in precedence order (* decided, - only evidence):",
        *(_line(m) for m in d.matched_rules),
        f"Security-sensitive: {'yes (never routed to haiku)' if d.security_sensitive else 'no'}.",
    ]
    if d.pipeline:
        lines.append("Pipeline: sonnet writes the plan, haiku executes it.")
    lines.append("Phases: " + "; ".join(f"{p.role.value} on {p.tier.value} ({p.model}) ~${p.estimated_cost_usd:.4f}"
                                         for p in d.phases) + ".")
    saving = (f"saves ${d.savings_usd:.4f}" if d.savings_usd >= 0 else f"costs ${-d.savings_usd:.4f} more")
    lines.append(f"Cost: about ${d.estimated_cost_usd:.4f} vs ${d.baseline_cost_usd:.4f} without routing (sonnet, "
                 f"then opus; the other phases on sonnet) ({saving}).")
    return "\n".join(lines)
