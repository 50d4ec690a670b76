"""Executor runs: starting one on the routed model, recording its outcome, escalating, plan-then-execute."""

from __future__ import annotations

from typing import Protocol

from bot.github.port import Identity, Repository, Issues, Comments, Actions, Pulls
from bot.store.ports import Lifetime, Routings, Dispatches, Budgets


class GitHub(Identity, Repository, Issues, Comments, Actions, Pulls, Protocol):
    """The slice of GitHubPort this package calls (tests/test_architecture.py holds it to that)."""


class Store(Lifetime, Routings, Dispatches, Budgets, Protocol):
    """The slice of IssueStore this package calls."""
