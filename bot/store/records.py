"""The store's own record types, free of SQLAlchemy: services map them, the store imports no service.

`RunState` is one executor run as the store records it and the sticky comment's state line carries it
(bot.issues.state encodes it); `DispatchRecord` the same run as the store hands it out (its issue, cause and
follow-up too); `REVIEWED` the verdicts of a review that happened; `Busy` what a convoy
store raises when another worker holds the lease; `ConvoyDoc` what a convoy store saves (bot.convoy.state's
`Convoy` is one), while it loads the saved JSON document back for the convoy service to read.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Protocol, Sequence

from pydantic import BaseModel, Field

from bot.measures.definitions import DISPATCH_ERROR, ENDED, FINISHED, NO_AGENT, a_try  # noqa: F401  (the stores' imports)
from bot.models import MAX_KIND

ACTIVE = ("pending", "dispatched", "running")
# A dispatched run that never reported back within this time no longer counts as "in flight":
# GitHub cancels a job after 6 hours, so a missing workflow_run event must not block the cap forever.
STALE_RUN_AFTER = timedelta(hours=7)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)  # naive UTC: same on SQLite and PostgreSQL

REVIEWED = ("pass", "pass_with_findings", "fail", "unreviewable")  # recorded verdicts of a review that happened
MAX_SCORE_NOTE = 280  # characters of a `/rate` note kept (untrusted text: shown only defused or quoted)


class RunState(BaseModel):
    """One executor run as the state line carries it: the fields of the store's dispatch row that the Action
    needs to restore it (`IssueStore.restore_run`); `DispatchRecord` is the whole row."""

    dispatch_id: str = Field(min_length=1, max_length=64)
    key: str | None = Field(None, max_length=300)
    mode: str = Field("execute", max_length=16)
    attempt: int = 1
    tier: str = Field(max_length=16)
    model: str = Field(max_length=100)
    complexity: str = Field(max_length=16)
    status: str = Field("dispatched", max_length=16)
    conclusion: str | None = Field(None, max_length=32)
    estimated_cost_usd: float = 0.0
    actual_cost_usd: float | None = None
    run_id: int | None = None
    run_url: str | None = Field(None, max_length=500)
    created_at: datetime | None = None
    completed_at: datetime | None = None
    # when a dispatch GitHub answered with a 5xx (or no answer) was first sent: it may have started the run anyway,
    # so a retry looks for the run before sending again (bot.runs.executor)
    unconfirmed_at: datetime | None = None
    # a person's quality score of the run (`/rate`), one per run, the latest wins; None: not rated
    score: int | None = Field(None, ge=1, le=5)
    score_by: str | None = Field(None, max_length=100)
    score_note: str | None = Field(None, max_length=MAX_SCORE_NOTE)
    scored_at: datetime | None = None
    # what GitHub says about the work (#21): the branch the executor pushed (its artifact's `branch_name`), the
    # run's pull request on it, the outcome state (bot.runs.truth.STATES) and seconds from dispatch to merge
    branch: str | None = Field(None, max_length=255)
    pr_number: int | None = None
    truth: str | None = Field(None, max_length=16)
    time_to_merge_s: float | None = None


class DispatchRecord(RunState):
    """One dispatch as the store hands it out: the run, plus the issue it belongs to and what followed it."""

    id: int | None = None
    repo: str
    number: int
    routing_id: str | None = None
    comment_id: int | None = None
    by: str = ""
    error: str | None = None
    duration_s: float | None = None
    num_turns: int | None = None
    duration_ms: int | None = None
    followed_up: bool = False  # escalation and every after-run reaction done

    @property
    def finished(self) -> bool:
        """Recorded as over: with its agent's outcome, or ended before its agent ran (NO_AGENT)."""
        return self.status in ENDED


def outcome_status(success: bool | None) -> str:
    """The status a finished run is recorded with; None: its agent never ran (bot.runs.finished.judge)."""
    return NO_AGENT if success is None else ("success" if success else "failure")



def dispatch_record(row: dict) -> DispatchRecord:
    return DispatchRecord.model_validate(row)


def stored_kind(kind: Any) -> str:
    """A decision's kind as the stores hand it out: one recorded before kinds were bounded (MAX_KIND) clipped, as
    the router clips the kinds it makes now, so it validates and is learned under the key routing looks up."""
    return kind[:MAX_KIND] if isinstance(kind, str) else ""


def routing_record(row: dict) -> dict:
    """A routing record's row as the stores hand it out: its decision's kind read through `stored_kind`, so a
    decision stored before kinds were bounded re-renders, prices and reports instead of failing validation."""
    decision = row.get("decision")
    if isinstance(decision, dict) and isinstance(decision.get("kind"), str) and len(decision["kind"]) > MAX_KIND:
        return dict(row, decision=dict(decision, kind=stored_kind(decision["kind"])))
    return row


class Busy(Exception):
    """Another worker holds the convoy's lease: the job queue retries this job shortly."""

    transient = True
    retry_after = 2.0


class _Task(Protocol):
    issue: int | None


class ConvoyDoc(Protocol):
    """What a convoy store saves: the parent it belongs to, its tasks' issues (the task index), a JSON dump."""

    repo: str
    parent: int

    @property
    def tasks(self) -> Sequence[_Task]: ...

    def model_dump(self, *, mode: str = ...) -> dict[str, Any]: ...


# A run's true outcome only moves forward from these states: a merge can only be reverted, a revert is final (an
# event read before either is stale; bot.runs.truth's states).
_FINAL_TRUTH = {"merged": ("merged", "reverted"), "reverted": ("reverted",)}


def stale_truth(recorded: str | None, new: str) -> bool:
    """Whether `new` comes from an older view of the run's PR than the `recorded` state."""
    return recorded in _FINAL_TRUTH and new not in _FINAL_TRUTH[recorded]


def truth_fields(recorded: str | None, status: str, *, truth: str, pr_number: int | None, success: bool | None,
                 time_to_merge_s: float | None) -> dict[str, Any] | None:
    """The dispatch fields GitHub's view of a run's PR sets (a settled outcome, `success` not None, becomes the run's
    status), for both stores; None when the view is older than the `recorded` truth (stale_truth)."""
    if stale_truth(recorded, truth):
        return None
    status = status if success is None else ("success" if success else "failure")
    return dict(truth=truth, pr_number=pr_number, time_to_merge_s=time_to_merge_s, status=status)


def month_start(now: datetime) -> datetime:
    """The first instant of `now`'s calendar month: where a month's spend and the budgets count from."""
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
