"""Small helpers the command modules share (no commands here)."""

from __future__ import annotations

from bot.models import RoutingDecision
from bot.render import money


def summary(d: RoutingDecision) -> str:
    return (
        f"**{d.tier.value}** (`{d.model}`), complexity **{d.complexity.value}**, "
        f"confidence {d.confidence:.2f}, estimated {money(d.estimated_cost_usd)} "
        f"(all-Sonnet {money(d.baseline_cost_usd)})"
    )


def choices(values) -> str:
    return " | ".join(v.value for v in values)
