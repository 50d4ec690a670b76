"""Issues as the router sees them: routing one issue, its labels, the sticky comment and its state."""

from __future__ import annotations

from typing import Protocol

from bot.github.port import Identity, Labels, Issues, Comments
from bot.store.ports import Routings


class GitHub(Identity, Labels, Issues, Comments, Protocol):
    """The slice of GitHubPort this package calls (tests/test_architecture.py holds it to that)."""


class Store(Routings, Protocol):
    """The slice of IssueStore this package calls."""
