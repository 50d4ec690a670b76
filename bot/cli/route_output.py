"""Printing a decision for `route`: text for people, or a JSON line built directly (it runs per line in --jsonl)."""

from __future__ import annotations

import json
import math
from typing import Any

from bot.models import RoutingDecision


def as_text(d: RoutingDecision) -> str:
    phases = ", ".join(f"{p.role.value} {p.tier.value} ${p.estimated_cost_usd:.4f}" for p in d.phases)
    return (f"{d.tier.value} ({d.model}), {d.complexity.value}, confidence {d.confidence:.2f}\n{d.rationale}\n"
            f"Phases: {phases}.\n"
            f"Estimated ${d.estimated_cost_usd:.4f} vs ${d.baseline_cost_usd:.4f} without routing (sonnet, then opus; the other phases on sonnet).")


def _json_line_slow(d: RoutingDecision) -> str:
    out = d.summary()
    if d.notes:
        out["notes"] = d.notes
    return json.dumps(out, ensure_ascii=False)


_str = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses for strings
_num = float.__repr__  # ... and for finite floats (TypeError on anything else)


_phase_json: dict[int, tuple[Any, str]] = {}


def as_json_line(d: RoutingDecision, end: str = "") -> str:
    """The same text as json.dumps(summary + notes), built directly: ~4x cheaper, and this runs per line."""
    conf, est = round(d.confidence, 3), round(d.estimated_cost_usd, 6)
    base, save = round(d.baseline_cost_usd, 6), round(d.savings_usd, 6)
    if not math.isfinite(conf + est + base + save):
        return _json_line_slow(d) + end
    try:
        line = (f'{{"tier": "{d.tier._value_}", "model": {_str(d.model)}, "complexity": "{d.complexity._value_}", '
                f'"confidence": {_num(conf)}, "strategy": "{d.strategy._value_}", "rationale": {_str(d.rationale)}, '
                f'"estimated_cost_usd": {_num(est)}, "baseline_cost_usd": {_num(base)}, "savings_usd": {_num(save)}, '
                f'"pipeline": {"true" if d.pipeline else "false"}, '
                f'"security_sensitive": {"true" if d.security_sensitive else "false"}')
    except TypeError:  # a number that is not a float
        return _json_line_slow(d) + end
    parts = []
    for p in d.phases:
        known = _phase_json.get(id(p))
        if known is not None and known[0] is p:  # the router shares its (immutable) phases: render each once
            parts.append(known[1])
            continue
        usd = round(p.estimated_cost_usd, 6)
        if type(usd) is not float or not math.isfinite(usd):
            return _json_line_slow(d) + end
        text = (f'{{"role": "{p.role._value_}", "tier": "{p.tier._value_}", "model": {_str(p.model)}, '
                f'"estimated_cost_usd": {_num(usd)}}}')
        if len(_phase_json) < 1024:
            _phase_json[id(p)] = (p, text)  # holding p keeps its id from being reused
        parts.append(text)
    line = f'{line}, "phases": [{", ".join(parts)}]'
    if d.notes:
        return f'{line}, "notes": [{", ".join(map(_str, d.notes))}]}}{end}'
    return f"{line}}}{end}"
