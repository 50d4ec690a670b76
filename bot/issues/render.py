"""The sticky routing comment: the decision, its price against an all-Sonnet baseline, and how to override.

Anything that may carry issue text (rationale, notes, config errors) is untrusted: mentions are
defused and HTML is escaped so the comment cannot ping people or inject markup.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from bot.models import RoutingDecision

MARKER = "<!-- model-router:routing -->"
RUNS_BEGIN = "<!-- model-router:runs -->"  # the commands helper's dispatch runs + estimate vs actual
RUNS_END = "<!-- /model-router:runs -->"

STATE_PREFIX = "<!-- model-router:state "  # machine-readable twin of the comment, on the line after MARKER
STATE_VERSION = 1
MAX_STATE = 16_000  # characters of the encoded state; older runs are dropped first
MAX_STATE_RUNS = 20
_RUN_KEYS = (
    "dispatch_id", "key", "mode", "attempt", "tier", "model", "complexity", "status", "conclusion",
    "estimated_cost_usd", "actual_cost_usd", "run_id", "run_url", "created_at", "completed_at",
)
_STATE_LINE = re.compile(re.escape(MARKER) + r"\r?\n" + re.escape(STATE_PREFIX) + r"(\{[^\n]*\}) -->")

_DASHES = re.compile(r"-(?=-)|(?<=-)-")  # every dash of a run of two or more
_MENTION = re.compile(r"@(?=[A-Za-z0-9-])")


def safe(text: str, limit: int = 2_000) -> str:
    """One untrusted line, defused: no HTML, no @mentions, no line breaks, bounded length."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = html.escape(text, quote=False)
    return _MENTION.sub("@\u200b", text).replace("`", "ˋ")


def money(usd: float | None) -> str:
    if usd is None:
        return "—"
    return f"${usd:,.4f}" if abs(usd) < 1 else f"${usd:,.2f}"


def _fenced(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    body = _MENTION.sub("@\u200b", text[:4_000])
    return f"{fence}text\n{body}\n{fence}"


def _get(run: Any, key: str, default: Any = None) -> Any:
    if isinstance(run, Mapping):
        return run.get(key, default)
    return getattr(run, key, default)


def _encode(value: Any) -> str:
    """Compact JSON in which no string holds `--`, `<`, `>` or `@`: nothing can close the HTML comment early."""
    if isinstance(value, str):
        text = _DASHES.sub(r"\\u002d", json.dumps(value, ensure_ascii=True))
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("@", "\\u0040")  # no mention, even hidden
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_encode(str(k))}:{_encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    if isinstance(value, (datetime, date)):
        return _encode(value.isoformat())
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)  # a number's own `-` never follows another `-`
    return _encode(str(value))


def _clip(value: Any, limit: int) -> Any:
    return value[:limit] if isinstance(value, str) else value


def _state_decision(d: RoutingDecision) -> dict:
    """The decision, trimmed: enough to restore the routing record in a later Action job."""
    out = d.model_dump(mode="json")
    out["rationale"] = d.rationale[:500]
    out["notes"] = [n[:200] for n in d.notes[:5]]
    out["matched_rules"] = [
        {**r, "rule": r["rule"][:100], "detail": r.get("detail", "")[:200]} for r in out["matched_rules"][:10]
    ]
    return out


def state_block(
    decision: RoutingDecision,
    *,
    overrides: Mapping[str, str] | None = None,
    runs: Iterable[Any] = (),
) -> str:
    """The hidden state line: what the router decided, people's choices, and the executor runs.

    No routing id: it belongs to one store, and each Action job has its own, so it would churn the comment."""
    state: dict[str, Any] = {
        "v": STATE_VERSION,
        "tier": decision.tier.value,
        "complexity": decision.complexity.value,
        "strategy": decision.strategy.value,
        "model": decision.model[:100],
        "overrides": {str(k)[:16]: str(v)[:32] for k, v in (overrides or {}).items()},
        "decision": _state_decision(decision),
        "runs": [{k: _clip(_get(r, k), 300) for k in _RUN_KEYS if _get(r, k) is not None} for r in runs][-MAX_STATE_RUNS:],
    }
    encoded = _encode(state)
    while len(encoded) > MAX_STATE and state["runs"]:
        state["runs"] = state["runs"][1:]
        encoded = _encode(state)
    if len(encoded) > MAX_STATE:  # cannot happen with the clips above; never emit an unbounded line
        state.pop("decision")
        encoded = _encode(state)
    return f"{STATE_PREFIX}{encoded} -->"


def read_state(body: str) -> dict | None:
    """The state line of a sticky comment, only where the router puts it (right after the marker that
    opens the body), so text quoted further down can never pass for it. None when absent or unreadable."""
    m = _STATE_LINE.match(body.lstrip("\ufeff"))
    if not m:
        return None
    try:
        state = json.loads(m.group(1))
    except ValueError:
        return None
    if not isinstance(state, dict) or state.get("v") != STATE_VERSION:
        return None
    return state


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
        lines = ["**Executor runs**", "", "| # | Tier | Model | Status | Estimated | Actual | Run |", "|---|---|---|---|---|---|---|"]
        for i, run in enumerate(rows, 1):
            status = _get(run, "conclusion") or _get(run, "status") or "—"
            url = _get(run, "run_url") or _get(run, "url")
            link = f"[run]({url})" if url and str(url).startswith("https://") else "—"
            lines.append(
                f"| {_get(run, 'attempt', i)} | {safe(_get(run, 'tier', '—'), 20)} | `{safe(_get(run, 'model', '—'), 80)}` "
                f"| {safe(status, 30)} | {money(_get(run, 'estimated_cost_usd'))} | {money(_get(run, 'actual_cost_usd'))} | {link} |"
            )
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
) -> str:
    d = decision
    rows = [] if runs is None or isinstance(runs, str) else list(runs)
    runs = runs if isinstance(runs, str) else rows
    savings_pct = f" ({d.savings_usd / d.baseline_cost_usd:.0%})" if d.baseline_cost_usd > 0 else ""
    lines = [
        MARKER,
        state_block(d, overrides=overrides, runs=rows),
        f"### Model router: **{d.tier.value.capitalize()}** (`{safe(d.model, 100)}`)",
        "",
        "| | |",
        "|---|---|",
        f"| Tier | **{d.tier.value}**{' — Sonnet plans, Haiku executes' if d.pipeline else ''} |",
        f"| Model | `{safe(d.model, 100)}` |",
        f"| Complexity | {d.complexity.value} |",
        f"| Confidence | {d.confidence:.0%} |",
        f"| Strategy | {d.strategy.value.replace('_', ' ')} |",
        f"| Estimated cost | {money(d.estimated_cost_usd)} |",
        f"| All-Sonnet baseline | {money(d.baseline_cost_usd)} |",
        f"| Savings | {money(d.savings_usd)}{savings_pct} |"
        if d.savings_usd >= 0
        else f"| Savings | none: {money(-d.savings_usd)} more than the baseline, for a tier that fits the work |",
        "",
        f"**Why:** {safe(d.rationale)}",
    ]
    if d.security_sensitive:
        lines += ["", "Security-sensitive: never routed to Haiku."]
    extra = [*d.notes, *notes]
    if extra:
        lines += ["", *(f"- {safe(n, 500)}" for n in extra[:20])]
    if config_error:
        lines += [
            "",
            "> [!WARNING]",
            "> `.github/model-router.yml` is invalid, so the defaults were used:",
            "",
            _fenced(str(config_error)),
        ]
    section = runs_section(runs)
    if section:
        lines += ["", section]
    tiers = ", ".join(f"`{model_prefix}{t}`" for t in ("haiku", "sonnet", "opus"))
    levels = ", ".join(f"`{complexity_prefix}{c}`" for c in ("trivial", "simple", "standard", "complex"))
    lines += [
        "",
        "<details><summary>How to override</summary>",
        "",
        f"- Set a label: {tiers}, or {levels}. A label a person sets wins and is never reverted.",
        "- Or comment (write access): `/model opus`, `/complexity complex`, `/route` to route again, "
        "`/cost` for every tier's price, `/why` for the rule trace, `/dispatch` to run it, `/help`.",
        "",
        "</details>",
    ]
    return "\n".join(lines) + "\n"
