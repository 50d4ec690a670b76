"""The convoy service: start from a plan, advance (sub-issues, dispatch in dependency order), react to runs.

Everything that writes to GitHub runs under the convoy's lease (bot.store.convoys), and every run has a
cause key (`convoy:<parent>:<task>`, `convoy-retry:…`), so redelivered events, retried jobs and
concurrent workflow_run events never create a second sub-issue or a second run for one task.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from bot.context import Context, Result
from bot.convoy import dag, render
from bot.convoy.plan import PlanError, parse_plan
from bot.convoy.review import review_whole
from bot.convoy.state import Busy, Convoy, TaskState
from bot.convoy.subissues import materialise
from bot.issues import sticky
from bot.measures.definitions import DISPATCH_ERROR, NO_AGENT, a_try
from bot.models import Complexity, Tier
from bot.runs import executor, finished
from bot.runs.outcome import PLAN_FILE

if TYPE_CHECKING:  # the SQL convoy store: the Action's path never imports SQLAlchemy
    from bot.store.convoys import ConvoyStore

log = logging.getLogger(__name__)


def store(ctx: "Context") -> "ConvoyStore":
    return ctx.store.convoys()


def load(ctx: "Context", parent: int) -> Convoy | None:
    """The convoy of a parent issue; in Action mode, recovered from the parent's own convoy comment."""
    c = _read(store(ctx).load(ctx.repo, parent))
    if c is None and ctx.mode == "action":
        mine = sticky.find(ctx, parent, render.MARKER)
        data = render.read_state(mine.body) if mine else None
        if data and data.get("parent") == parent:
            c = Convoy.model_validate(data)
            store(ctx).create(c)
    return c


def _read(saved: dict | None) -> Convoy | None:
    return Convoy.model_validate(saved) if saved is not None else None


@contextmanager
def leased(ctx: "Context", parent: int) -> Iterator[tuple[Convoy, callable]]:
    st = store(ctx)
    owner = st.acquire(ctx.repo, parent)
    if owner is None:
        raise Busy(f"convoy {ctx.repo}#{parent} is being advanced by another worker")
    try:
        c = _read(st.load(ctx.repo, parent))
        yield c, (lambda: st.save(c, owner))
    finally:
        st.release(ctx.repo, parent, owner)


def needs_review(ctx: "Context", parent: int) -> bool:
    d = ctx.store.decision(ctx.repo, parent)
    return bool(d and (d.security_sensitive or d.complexity is Complexity.complex))


def start(ctx: "Context", parent: int, *, run_id: int | None, plan_json: str | None, plan_text: str | None) -> str:
    """A finished planning run: validate its plan, then create the convoy and advance it. Returns a summary."""
    cfg = ctx.config.pipeline
    issue = ctx.gh.get_issue(ctx.repo, parent)
    try:
        plan = parse_plan(json_text=plan_json, text=plan_text, max_tasks=cfg.max_tasks, title=issue.title)
    except PlanError as exc:
        sticky.upsert(ctx, parent, render.problems(exc.problems), render.MARKER)
        return "plan rejected: " + "; ".join(exc.problems)
    old = load(ctx, parent)
    if old is not None and old.plan_run == run_id:
        return advance(ctx, parent)  # a redelivered or retried completion: resume, never recreate
    if old is not None and old.running:
        return f"a convoy is still running on #{parent}; the new plan was not started"
    d = ctx.store.decision(ctx.repo, parent)
    new = Convoy.from_plan(ctx.repo, parent, plan, plan_run=run_id, needs_review=needs_review(ctx, parent),
                           security=bool(d and d.security_sensitive), ceiling=d.tier.value if d else None)
    plans = [r for r in ctx.store.dispatches(ctx.repo, parent) if r.mode == "plan" and r.actual_cost_usd]
    new.plan_cost_usd = plans[-1].actual_cost_usd if plans else 0.0
    if old is None:
        store(ctx).create(new)
    else:
        store(ctx).replace(new)
    return advance(ctx, parent)


def advance(ctx: "Context", parent: int) -> str:
    """Create what is missing, dispatch ready tasks within the caps, review the whole when done, re-render."""
    with leased(ctx, parent) as (c, save):
        materialise(ctx, c, save)
        dispatched = _dispatch_ready(ctx, c, save)
        if c.finished and c.status == "active":
            c.status = "done"
            save()
        if c.status == "done" and c.needs_review and c.review is None:
            c.review = review_whole(ctx, c)
            save()
        sticky.upsert(ctx, parent, render.checklist(c), render.MARKER)
        return f"convoy #{parent}: {len(c.tasks)} tasks, dispatched {dispatched or 'none'}"


def _dispatch_ready(ctx: "Context", c: Convoy, save) -> list[str]:
    if c.status != "active":
        return []
    started: list[str] = []
    cap = ctx.config.budgets.max_concurrent_runs
    for tid in dag.to_dispatch(c.deps, c.statuses, in_flight=c.running, cap=cap):
        t = c.task(tid)
        res = executor.start_run(ctx, t.issue, cause=_cause(c, t), by="model-router", tier=_tier(ctx, c, t))
        if res.status in ("dispatched", "duplicate"):
            t.status, t.attempt, t.tier = "running", max(t.attempt, 1), (res.tier.value if res.tier else t.tier)
            c.note = ""
            started.append(tid)
            save()
        else:  # over the cap or the monthly budget: wait for the next finished run (or /convoy retry)
            c.note = f"Dispatch of `{tid}` paused: {res.message}"
            save()
            break
    return started


def _cause(c: Convoy, t: TaskState) -> str:
    return f"convoy:{c.parent}:{t.id}" + (f":retry{t.retries}" if t.retries else "")


def _tier(ctx: "Context", c: Convoy, t: TaskState) -> Tier | None:
    """The task's tier when it is not simply the routed one (None): the plan's hint may lower the cost, or raise
    it up to the parent's tier (what the router or a writer chose for the whole), never above; a person's label
    on the sub-issue stands; a security parent's floor holds for every task."""
    d = ctx.store.decision(ctx.repo, t.issue)
    if d is None:
        return None
    tier = d.tier
    human = d.strategy.value in ("model_label", "override")
    if t.hint and not human:
        hint = Tier(t.hint)
        top = max(d.tier, Tier(c.ceiling), key=lambda x: x.rank) if c.ceiling else d.tier
        tier = hint if hint.rank <= top.rank else top
    floor = ctx.config.security.min_tier
    if (c.security or d.security_sensitive) and tier.rank < floor.rank:
        tier = floor
    return None if tier == d.tier else tier


@finished.after_run
def run_finished(ctx: "Context", run: finished.RunFinished) -> str | None:
    """A run finished (recorded, any escalation started): a planning run's plan starts a convoy; a convoy
    task's run updates its task and dispatches what it unblocked."""
    if run.mode == "plan":
        return _start_from(ctx, run) if run.succeeded else None
    return task_finished(ctx, run.number)


def _start_from(ctx: "Context", run: finished.RunFinished) -> str:
    """The plan a planning run left: structured (the plan file), else plain text (plan.md, else its last message)."""
    texts = run.report.texts
    plain = next((t for name, t in sorted(texts.items()) if name.endswith("plan.md") and t.strip()), "")
    return start(ctx, run.number, run_id=run.report.run_id, plan_json=texts.get(PLAN_FILE),
                 plan_text=plain or run.report.outcome.result)


def task_finished(ctx: "Context", number: int) -> str | None:
    """A run on a sub-issue finished (and any escalation was started): update its task, then advance."""
    parent = store(ctx).parent_of(ctx.repo, number)
    if parent is None and ctx.mode == "action":
        parent = _parent_from_body(ctx, number)
    if parent is None or load(ctx, parent) is None:
        return None
    with leased(ctx, parent) as (c, save):
        t = c.by_issue(number)
        if t is None or t.status in ("closed", "cancelled"):
            return None
        rows = ctx.store.dispatches(ctx.repo, number)
        if rows:
            last = rows[-1]
            t.attempt = max(t.attempt, sum(a_try(r.status) for r in rows))  # a refused dispatch is no attempt
            t.tier, t.cost_usd = last.tier, sum(r.actual_cost_usd or 0.0 for r in rows)
            t.run_url = last.run_url or next((r.run_url for r in reversed(rows) if r.run_url), None)
            t.status = {"success": "done", "failure": "failed", NO_AGENT: "not_run",
                        DISPATCH_ERROR: "not_run"}.get(last.status, "running")  # refused: nothing in flight
        save()
    return advance(ctx, parent)


def _parent_from_body(ctx: "Context", number: int) -> int | None:
    import re

    issue = ctx.gh.get_issue(ctx.repo, number)
    m = re.search(r"<!-- model-router:convoy-task parent=(\d+) id=", issue.body)
    if m and issue.user_login.lower() == ctx.gh.bot_login().lower():
        return int(m.group(1))
    return None


def closed(ctx: "Context", number: int, by: str) -> "Result":
    """issues.closed: when a person closed a convoy's sub-issue, its task counts as done."""
    note = on_closed(ctx, number, by)
    return Result(action="convoy" if note else "ignored", messages=[note or "not an open convoy task"])


def on_closed(ctx: "Context", number: int, by: str) -> str | None:
    """A person closed a sub-issue: its task counts as done (never re-dispatched)."""
    parent = store(ctx).parent_of(ctx.repo, number)
    if parent is None:
        return None
    with leased(ctx, parent) as (c, save):
        t = c.by_issue(number)
        if t is None or t.status in ("done", "closed"):
            return None
        t.status = "closed"
        save()
    return advance(ctx, parent)


def cancel(ctx: "Context", parent: int) -> str:
    with leased(ctx, parent) as (c, save):
        if c.status != "active":
            return f"The convoy is already {c.status}."
        c.status = "cancelled"
        for t in c.tasks:
            if t.status == "pending":
                t.status = "cancelled"
        save()
        sticky.upsert(ctx, parent, render.checklist(c), render.MARKER)
        return f"Convoy cancelled: nothing new is dispatched; {c.running} run(s) in flight finish."


def retry(ctx: "Context", parent: int, tid: str) -> str:
    with leased(ctx, parent) as (c, save):
        t = c.task(tid)
        if t is None:
            return f"No task `{render.safe(tid, 40)}` in this convoy (tasks: {', '.join(x.id for x in c.tasks)})."
        if t.status == "not_run" and t.issue:
            return (f"Task `{t.id}`'s last run did not start or never reached its agent; a writer's `/dispatch` on "
                    f"#{t.issue} runs it again (its text may have changed since it was planned).")
        if t.status != "failed":
            return f"Task `{t.id}` is {t.status}; only a failed task can be retried."
        if c.status == "cancelled":
            return "The convoy is cancelled, so nothing new is dispatched; `/plan` starts a new one."
        t.status, t.retries = "pending", t.retries + 1
        if c.status == "done":
            c.status = "active"
        save()
    return advance(ctx, parent)
