"""Routing experiments: one record per routed issue, with overrides, dispatches and outcomes.

OWNER: issue #4 helper. The method names below are the contract other modules call;
the implementation may change freely behind them.
"""

from __future__ import annotations

from sqlalchemy import Engine

from bot.models import RoutingDecision


class ExperimentStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    def record_decision(self, repo: str, number: int, decision: RoutingDecision, *, source: str = "auto") -> str:
        """Store (or update) the routing record of an issue; returns its routing id."""
        raise NotImplementedError

    def record_override(self, repo: str, number: int, *, field: str, old: str | None, new: str, by: str) -> None:
        """A human changed tier or complexity (label or slash-command): counts against accuracy."""
        raise NotImplementedError

    def current(self, repo: str, number: int) -> dict | None:
        """The latest record of an issue (tier, model, complexity, decision JSON, overrides...)."""
        raise NotImplementedError
