"""Small helpers the command modules share (no commands here)."""

from __future__ import annotations

from bot.models import RoutingDecision


def summary(d: RoutingDecision) -> str:
    return (
        f"**{d.tier.value}** (`{d.model}`), complexity **{d.complexity.value}**, "
        f"confidence {d.confidence:.2f}, estimated ${d.estimated_cost_usd:.2f} "
        f"(all-Sonnet ${d.baseline_cost_usd:.2f})"
    )


def choices(values) -> str:
    return " | ".join(v.value for v in values)
