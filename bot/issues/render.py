"""The sticky routing comment: the decision, its expected price against no routing's, and how to override.

Anything that may carry issue text (rationale, notes, config errors) is untrusted: mentions are
defused and HTML is escaped so the comment cannot ping people or inject markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from bot.config.loading import CONFIG_PATH
from bot.issues.state import MARKER, encode, run_field
from bot.measures.definitions import API_REFUSED, DISPATCH_ERROR, EXECUTOR_FAULTS, NO_AGENT, fmt, savings
from bot.models import Complexity, RoutingDecision, Tier
from bot.routing import ladder_stats
from bot.untrusted import defuse, fenced

RUNS_BEGIN = "<!-- model-router:runs -->"  # the executor runs + estimate vs actual
RUNS_END = "<!-- /model-router:runs -->"



def safe(text: str, limit: int = 2_000) -> str:
    """One untrusted line, defused: no HTML, no @mentions, no line breaks, bounded length."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = html.escape(text, quote=False)
    return defuse(text).replace("`", "ˋ")


def money(usd: float | None) -> str:
    if usd is None:
        return "—"
    return f"${usd:,.4f}" if abs(usd) < 1 else f"${usd:,.2f}"


def phases_line(d: RoutingDecision) -> str:
    """`plan: sonnet $0.32 → execute: haiku $0.06 → review: opus $0.32`, for comments and replies."""
    return " → ".join(f"{p.role.value}: {p.tier.value} {money(p.estimated_cost_usd)}" for p in d.phases) or d.tier.value


def score(run: Any) -> str | None:
    """A run's human quality score as shown (`4/5`), or None when nobody rated it."""
    value = run_field(run, "score")
    return f"{value}/5" if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5 else None


_WITHOUT_PR = {"no_pr": "no PR: nothing changed", "issue_completed": "no PR; closed as completed",
               "claimed": "awaiting its PR"}  # truth states a run can have before (or without) a pull request


def pr_state(run: Any) -> str | None:
    """What GitHub says of a run's pull request (`PR #7 merged`, `no PR: nothing changed`), or None before the
    App looked (#21)."""
    truth, number = run_field(run, "truth"), run_field(run, "pr_number")
    if not isinstance(truth, str) or not truth:
        return None
    if not isinstance(number, int) or isinstance(number, bool):
        return _WITHOUT_PR.get(truth)
    return f"PR #{number} {truth.replace('_', ' ')}"


def not_run(run: Any) -> str | None:
    """`not run (no execution file)` for a run that ended before its agent ran (NO_AGENT), else None."""
    if run_field(run, "status") != NO_AGENT:
        return None
    return f"not run ({run_field(run, 'conclusion') or '—'})"


def why_not_run(conclusion: object, log: str) -> str:
    """Why a run ended before its agent ran, by its conclusion, and what to check; `log` names the run's log (a
    link, a URL). One text for the sticky comment and the Action's log; it quotes nothing the run wrote."""
    if conclusion not in EXECUTOR_FAULTS:
        return "the issue changed after it was dispatched, or the runner failed"
    reason = ("the agent's first request to the Claude API failed, at no cost" if conclusion == API_REFUSED else
              "the executor workflow failed before the agent produced any output")
    return (f"{reason}, as it would on every tier. Check {log}, e.g. that the repository's `ANTHROPIC_API_KEY` "
            "secret is set and valid, and that the runner could install claude-code-action and reach the API")


def run_link(url: object, text: str = "run") -> str | None:
    """A markdown link to a run's page, or None when its URL is not an https one."""
    return f"[{text}]({url})" if url and str(url).startswith("https://") else None


def runs_section(runs: str | Iterable[Any] | None) -> str:
    """Executor runs with estimate vs actual; a ready-made markdown string is used as is."""
    if runs is None:
        return ""
    if isinstance(runs, str):
        inner = runs.strip()
    else:
        rows = list(runs)
        if not rows:
            return ""
        rated = any(score(run) for run in rows)  # the Score column only once a person rated a run (`/rate`)
        lines = ["**Executor runs**", "", "| # | Tier | Model | Status | Estimated | Actual | Run |" + (" Score |" if rated else ""),
                 "|---|---|---|---|---|---|---|" + ("---|" if rated else "")]
        for i, run in enumerate(rows, 1):
            status = pr_state(run) or not_run(run) or run_field(run, "conclusion") or run_field(run, "status") or "—"
            link = run_link(run_field(run, "run_url") or run_field(run, "url")) or "—"
            lines.append(
                f"| {run_field(run, 'attempt', i)} | {safe(run_field(run, 'tier', '—'), 20)} | `{safe(run_field(run, 'model', '—'), 80)}` "
                f"| {safe(status, 30)} | {money(run_field(run, 'estimated_cost_usd'))} | {money(run_field(run, 'actual_cost_usd'))} | {link} |"
                + (f" {score(run) or '—'} |" if rated else "")
            )
        last = rows[-1]
        if run_field(last, "status") == DISPATCH_ERROR:  # GitHub refused or failed its dispatch: nothing runs
            tier = safe(run_field(last, "tier", "—"), 20)
            lines += ["", f"Attempt {safe(run_field(last, 'attempt', len(rows)), 10)} on {tier} was not started: "
                      "GitHub did not take its dispatch. If no retry starts it, a maintainer can comment "
                      f"`/dispatch {tier}` to start it."]
        if not_run(last):  # why, and what happens next: no escalation, nothing learned
            tier, conclusion = safe(run_field(last, "tier", "—"), 20), run_field(last, "conclusion")
            log = run_link(run_field(last, "run_url"), "the run's log") or "the run's log"
            ended = f"Attempt {safe(run_field(last, 'attempt', len(rows)), 10)} on {tier} ended before its agent ran"
            why = why_not_run(conclusion, log)
            lines += ["", f"{ended} ({safe(conclusion, 30)}): {why}. It was not escalated, nor counted against {tier}; "
                      "once it is fixed, a maintainer can comment `/dispatch` to run it again."
                      if conclusion in EXECUTOR_FAULTS else
                      f"{ended} ({safe(conclusion or '—', 30)}: {why}): not escalated, and not counted against {tier}. "
                      "A maintainer can comment `/dispatch` to run it again."]
        inner = "\n".join(lines)
    return f"{RUNS_BEGIN}\n{inner}\n{RUNS_END}" if inner else ""


def routing_comment(
    decision: RoutingDecision,
    *,
    config_error: str | None = None,
    runs: str | Iterable[Any] | None = None,
    model_prefix: str = "model:",
    complexity_prefix: str = "complexity:",
    notes: Iterable[str] = (),
    overrides: Mapping[str, str] | None = None,
    state_key: bytes | None = None,
) -> str:
    """The whole sticky comment: marker, state line, the decision table, why, warnings, runs, how to override."""
    d = decision
    rows = [] if runs is None or isinstance(runs, str) else list(runs)
    runs = runs if isinstance(runs, str) else rows
    lines = [MARKER, encode(d, overrides=overrides, runs=rows, key=state_key), *_summary(d)]
    if d.security_sensitive:
        lines += ["", "Security-sensitive: never routed to Haiku."]
    extra = [*(n for n in d.notes if n not in d.rationale), *notes]  # the rationale already ends with its notes
    if extra:
        lines += ["", *(f"- {safe(n, 500)}" for n in extra[:20])]
    if config_error:
        lines += ["", "> [!WARNING]", f"> `{CONFIG_PATH}` is invalid, so the defaults were used:", "", fenced(str(config_error))]
    section = runs_section(runs)
    if section:
        lines += ["", section]
    lines += _how_to_override(model_prefix, complexity_prefix)
    return "\n".join(lines) + "\n"


def _summary(d: RoutingDecision) -> list[str]:
    """The heading, the decision's table and the reason."""
    saved = savings(d.estimated_cost_usd, d.baseline_cost_usd)  # the one definition the dashboard and report use
    savings_pct = f" ({fmt('savings', saved)})" if saved is not None else ""
    return [
        f"### Model router: **{d.tier.value.capitalize()}** (`{safe(d.model, 100)}`)",
        "",
        "| | |",
        "|---|---|",
        f"| Tier | **{d.tier.value}** (executes){' — Sonnet plans, Haiku executes' if d.pipeline else ''} |",
        f"| Model | `{safe(d.model, 100)}` |",
        f"| Phases | {phases_line(d)} |",
        f"| Complexity | {d.complexity.value} |",
        f"| Confidence | {d.confidence:.0%} |",
        f"| Strategy | {d.strategy.value.replace('_', ' ')} |",
        *(_ladder_rows(d) if d.estimate_ladder or d.ladder else [
            f"| Estimated cost | {money(d.estimated_cost_usd)} |",
            f"| All-Sonnet baseline | {money(d.baseline_cost_usd)} (the same phases, all on Sonnet) |"]),
        f"| Savings | {money(d.savings_usd)}{savings_pct} |"
        if d.savings_usd >= 0
        else f"| Savings | none: {money(-d.savings_usd)} more than the baseline, for a tier that fits the work |",
        "",
        f"**Why:** {safe(d.rationale)}",
    ]


_BASIS = {"priors": "; from public per-task priors", "actuals": "; from this repository's actual costs"}


def _ladder_rows(d: RoutingDecision) -> list[str]:
    """The ladder the issue runs (#22), learned or the rules': the expected cost of every attempt, from the public
    priors or this repository's actual costs, against what no routing is expected to cost, priced the same way."""
    order = ladder_stats.show(tuple(d.estimate_ladder or d.ladder))
    basis = _BASIS.get(d.estimate_basis, "")
    return [f"| Estimated cost | {money(d.estimated_cost_usd)} (expected, escalation included: {order}{basis}) |",
            f"| No-routing baseline | {money(d.baseline_cost_usd)} (Sonnet, then Opus, expected; the other phases on Sonnet) |"]


def _how_to_override(model_prefix: str, complexity_prefix: str) -> list[str]:
    tiers = ", ".join(f"`{model_prefix}{t.value}`" for t in Tier)
    levels = ", ".join(f"`{complexity_prefix}{c.value}`" for c in Complexity)
    return [
        "",
        "<details><summary>How to override</summary>",
        "",
        f"- Set a label: {tiers}, or {levels}. A label a person sets wins and is never reverted.",
        "- Or comment (write access): `/model opus`, `/complexity complex`, `/route` to route again, "
        "`/cost` for every tier's price, `/why` for the rule trace, `/dispatch` to run it, `/help`.",
        "",
        "</details>",
    ]

