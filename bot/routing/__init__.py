"""Routing core: issue in, decision out. Pure: no I/O, no environment reads."""

from bot.routing.engine import COMPLEXITY_FOR_TIER, TIER_FOR_COMPLEXITY, cost_table, forced, route
from bot.routing.explain import explain

__all__ = ["route", "forced", "cost_table", "explain", "TIER_FOR_COMPLEXITY", "COMPLEXITY_FOR_TIER"]
