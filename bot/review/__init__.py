"""The Opus review of a pull request: diff collection, prompt, structured verdict, publishing."""

from __future__ import annotations

from typing import Protocol

from bot.github.port import Identity, Labels, Comments, Pulls, Statuses
from bot.store.ports import Lifetime, Reviews, Budgets


class GitHub(Identity, Labels, Comments, Pulls, Statuses, Protocol):
    """The slice of GitHubPort this package calls (tests/test_architecture.py holds it to that)."""


class Store(Lifetime, Reviews, Budgets, Protocol):
    """The slice of IssueStore this package calls."""


class ReviewUnavailable(Exception):
    """The review API is unreachable or overloaded; the job queue retries the job later."""

    transient = True

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class ReviewInvalid(Exception):
    """The model's answer did not fit the schema: the gate reports "review error", never success."""
