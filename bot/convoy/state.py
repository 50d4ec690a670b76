"""A convoy's state: its tasks, their sub-issues, tiers, statuses and costs (one JSON document per parent)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from bot.convoy import dag
from bot.convoy.plan import Plan
from bot.store.records import Busy  # noqa: F401 - re-exported: a lost lease, raised by the store

# not_run: its last run ended before its agent ran (no_agent), or GitHub refused its last dispatch (error, an
# escalation's): no slot held, never re-dispatched by itself (the sub-issue may have been edited unapproved; a
# refusal needs a person's mend); a writer's `/dispatch` on the sub-issue runs it again
TaskStatus = Literal["pending", "running", "done", "failed", "closed", "cancelled", "not_run"]


class TaskState(BaseModel):
    id: str
    title: str
    description: str = ""
    files: list[str] = Field(default_factory=list)
    acceptance: str = ""
    depends_on: list[str] = Field(default_factory=list)
    hint: str | None = None  # the plan's suggested tier
    issue: int | None = None  # the sub-issue's number, once created
    issue_id: int | None = None  # GitHub's id for it (sub-issue and dependency calls take ids)
    creating_since: str | None = None  # set (and saved) just before the create call: a retry looks for it
    attached: bool = False  # added to the parent's sub-issues
    linked: bool = False  # its blocked-by dependencies are recorded
    routed: bool = False
    status: TaskStatus = "pending"
    tier: str | None = None
    attempt: int = 0
    retries: int = 0  # `/convoy retry` count (part of the dispatch cause)
    run_url: str | None = None
    cost_usd: float = 0.0  # actual, over every attempt
    estimate_usd: float = 0.0  # the routed tier's estimate
    baseline_usd: float = 0.0  # no routing's estimate (Sonnet, then Opus)


class Review(BaseModel):
    verdict: str  # pass | pass_with_findings | fail | error | not_configured | nothing_to_review
    summary: str = ""
    cost_usd: float | None = None
    model: str = ""


class Convoy(BaseModel):
    repo: str
    parent: int
    plan_run: int | None = None
    plan_cost_usd: float = 0.0  # the Sonnet planning run's actual cost
    status: Literal["active", "cancelled", "done"] = "active"
    needs_review: bool = False
    security: bool = False  # the parent is security-sensitive: every task carries the security floor
    ceiling: str | None = None  # the parent's tier (the router's or a writer's): a plan hint raises to it, no higher
    review: Review | None = None
    note: str = ""  # why dispatching paused (budget, cap), shown on the parent
    tasks: list[TaskState]

    @classmethod
    def from_plan(cls, repo: str, parent: int, plan: Plan, *, plan_run: int | None, needs_review: bool,
                  security: bool = False, ceiling: str | None = None) -> "Convoy":
        tasks = [TaskState(id=t.id, title=t.title, description=t.description, files=t.files, acceptance=t.acceptance,
                           depends_on=t.depends_on, hint=t.tier.value if t.tier else None) for t in plan.tasks]
        return cls(repo=repo, parent=parent, plan_run=plan_run, needs_review=needs_review, security=security,
                   ceiling=ceiling, tasks=tasks)

    def task(self, tid: str) -> TaskState | None:
        return next((t for t in self.tasks if t.id == tid), None)

    def by_issue(self, number: int) -> TaskState | None:
        return next((t for t in self.tasks if t.issue == number), None)

    @property
    def deps(self) -> dict[str, list[str]]:
        return {t.id: t.depends_on for t in self.tasks}

    @property
    def statuses(self) -> dict[str, str]:
        return {t.id: t.status for t in self.tasks}

    @property
    def running(self) -> int:
        return sum(1 for t in self.tasks if t.status in dag.IN_FLIGHT)

    @property
    def finished(self) -> bool:
        return dag.finished(self.statuses)

    @property
    def cost_usd(self) -> float:
        """Everything the convoy cost: the planning run, every task's attempts, the review of the whole."""
        review = (self.review.cost_usd or 0.0) if self.review else 0.0
        return self.plan_cost_usd + sum(t.cost_usd for t in self.tasks) + review

    @property
    def baseline_usd(self) -> float:
        return sum(t.baseline_usd for t in self.tasks)
