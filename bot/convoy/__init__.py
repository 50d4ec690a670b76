"""Convoys: Sonnet splits an issue into sub-issues, cheap tiers execute them in dependency order, Opus reviews the whole."""

from __future__ import annotations

from typing import Protocol

from bot.github.port import Identity, Issues, Labels, SubIssues, Pulls
from bot.store.ports import Budgets, Convoys, Dispatches, Lifetime, Routings


class GitHub(Identity, Issues, Labels, SubIssues, Pulls, Protocol):
    """The slice of GitHubPort this package calls (tests/test_architecture.py holds it to that)."""


class Store(Lifetime, Routings, Dispatches, Budgets, Convoys, Protocol):
    """The slice of IssueStore this package calls."""
