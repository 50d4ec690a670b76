"""A planning run's plan: the shipped JSON schema, and validation that says exactly what is wrong.

The plan is untrusted model output. It is validated (schema, unknown ids, cycles, `pipeline.max_tasks`)
before anything is created; a plain-text plan is accepted as one task. Nothing in it is ever parsed
for commands: its text only becomes sub-issue bodies, fenced.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.convoy.dag import find_cycle
from bot.models import Tier

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "model-router-plan.schema.json"
from bot.runs.outcome import PLAN_FILE  # its name in the planning run's artifact
MAX_TEXT_PLAN = 60_000

TaskId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]


class PlanTask(BaseModel):
    """One bounded piece of work a cheaper tier can do alone."""

    model_config = ConfigDict(extra="forbid")
    id: TaskId
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=20_000)
    files: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(default_factory=list, max_length=100)
    acceptance: str = Field(min_length=1, max_length=4_000, description="How to tell the task is done")
    depends_on: list[TaskId] = Field(default_factory=list, max_length=50)
    tier: Tier | None = Field(default=None, description="Suggested tier; it may lower the routed tier, or raise it up to the parent tier and never above")


class Plan(BaseModel):
    """`{"tasks": [...]}` as the executor workflow uploads it in model-router-plan.json."""

    model_config = ConfigDict(extra="forbid", title="model-router plan")
    tasks: list[PlanTask] = Field(min_length=1, max_length=100)


class PlanError(ValueError):
    """The plan is unusable; `problems` are one line each, for the comment that says so."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def json_schema() -> dict:
    """The schema the executor workflow passes to claude-code-action (`--json-schema`)."""
    return Plan.model_json_schema()


def shipped_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _where(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "plan"


def validate_plan(data: object, *, max_tasks: int) -> Plan:
    """A valid plan, or PlanError listing every problem found (schema first, then the graph)."""
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanError([f"{_where(e['loc'])}: {e['msg']}" for e in exc.errors()[:20]]) from None
    problems: list[str] = []
    if len(plan.tasks) > max_tasks:
        problems.append(f"the plan has {len(plan.tasks)} tasks; at most {max_tasks} are allowed (`pipeline.max_tasks`)")
    ids = [t.id for t in plan.tasks]
    seen: set[str] = set()
    for i, tid in enumerate(ids):
        if tid in seen:
            problems.append(f"tasks[{i}].id: duplicate task id {tid!r}")
        seen.add(tid)
    for i, t in enumerate(plan.tasks):
        for dep in t.depends_on:
            if dep not in seen:
                problems.append(f"tasks[{i}].depends_on: unknown task id {dep!r}")
            elif dep == t.id:
                problems.append(f"tasks[{i}].depends_on: task {t.id!r} depends on itself")
    if not problems:
        cycle = find_cycle({t.id: t.depends_on for t in plan.tasks})
        if cycle:
            problems.append("dependency cycle: " + " → ".join(cycle))
    if problems:
        raise PlanError(problems)
    return plan


def parse_plan(*, json_text: str | None, text: str | None, max_tasks: int, title: str = "") -> Plan:
    """The structured plan when the run uploaded one; else a plain-text plan as one task."""
    if json_text is not None and json_text.strip():
        try:
            data = json.loads(json_text)
        except ValueError as exc:
            raise PlanError([f"{PLAN_FILE} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"]) from None
        return validate_plan(data, max_tasks=max_tasks)
    if text is None or not text.strip():
        raise PlanError(["the planning run produced no plan (no model-router-plan.json and no plan text)"])
    return Plan(tasks=[PlanTask(
        id="1", title=(title or "Carry out the plan")[:200], description=text.strip()[:MAX_TEXT_PLAN][:20_000],
        acceptance="Every step of the plan is done and the tests pass.",
    )])
