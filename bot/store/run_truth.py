"""IssueStore's side of a run's true outcome: the run by its executor's branch, and what GitHub said of its PR.

Kept apart from bot/store/issues.py (a mixin, as the review methods are) so each module stays small.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.store import outcomes as _outcomes
from bot.store.db import row_dict as _row
from bot.store.issue_rows import Dispatch
from bot.store.records import DispatchRecord, dispatch_record, truth_fields


class RunTruth:
    """IssueStore's outcome-truth methods (it provides `_session` and `engine`)."""

    _session: Any
    engine: Any
    clock: Any

    def dispatch_for_branch(self, repo: str, branch: str) -> DispatchRecord | None:
        """The latest run whose executor pushed `branch` in `repo` (the branch its artifact named)."""
        with self._session() as s:
            d = s.scalar(select(Dispatch).where(Dispatch.repo == repo, Dispatch.branch == branch)
                         .order_by(Dispatch.id.desc()).limit(1))
            return dispatch_record(_row(d)) if d else None

    def dispatch_for_pull(self, repo: str, number: int) -> DispatchRecord | None:
        """The latest run whose pull request is `number` in `repo`."""
        with self._session() as s:
            d = s.scalar(select(Dispatch).where(Dispatch.repo == repo, Dispatch.pr_number == number)
                         .order_by(Dispatch.id.desc()).limit(1))
            return dispatch_record(_row(d)) if d else None

    def record_truth(self, dispatch_id: str, *, truth: str, pr_number: int | None, success: bool | None,
                     time_to_merge_s: float | None) -> tuple[DispatchRecord, bool]:
        """What GitHub says about a run's PR; a settled outcome (`success` not None) becomes the run's status.
        (row, False) when nothing changed (a redelivery) or the run's PR was merged already (a stale view)."""
        with self._session.begin() as s:
            d = s.scalar(select(Dispatch).where(Dispatch.dispatch_id == dispatch_id).with_for_update())
            if d is None:
                raise KeyError(dispatch_id)
            new = truth_fields(d.truth, d.status, truth=truth, pr_number=pr_number, success=success,
                               time_to_merge_s=time_to_merge_s)
            if new is None:  # a merge only moves to a revert: a concurrent job's older view loses
                return dispatch_record(_row(d)), False
            changed = any(getattr(d, k) != v for k, v in new.items())
            for k, v in new.items():
                setattr(d, k, v)
            if changed:
                d.changed_at = self.clock()
            row = dispatch_record(_row(d))
        if changed:
            _outcomes.forget(self.engine)  # learning reads the run's status
        return row, changed
