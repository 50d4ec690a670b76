"""The convoy service on the in-memory GitHub port (fast unit tests; the HTTP contract is in test_convoy_e2e)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine

from bot.config import RepoConfig
from bot.config.source import FixedConfig
from bot.context import Context
from bot.convoy import render, service
from bot.store.convoys import Busy
from bot.store.issues import IssueStore

REPO = "octo/convoy"


def task(tid, deps=(), title=None):
    return {"id": tid, "title": title or f"Fix typo in {tid}.md", "description": "Typo.", "files": [f"{tid}.md"],
            "acceptance": "gone", "depends_on": list(deps)}


@pytest.fixture
def ctx(memory_github, tmp_path):
    memory_github.add_repo(REPO)
    memory_github.add_issue(REPO, 1, "Fix the typos", "Many.")
    config = RepoConfig.model_validate({"budgets": {"max_concurrent_runs": 2}})
    return Context(gh=memory_github, repo=REPO, store=IssueStore(create_engine(f"sqlite:///{tmp_path / 'c.db'}")),
                   configs=FixedConfig(config))


def plan(*tasks):
    return json.dumps({"tasks": list(tasks)})


def test_start_creates_attaches_links_routes_and_dispatches_within_the_cap(ctx, memory_github):
    service.start(ctx, 1, run_id=7, plan_json=plan(task("a"), task("b", ["a"]), task("c"), task("d")), plan_text=None)
    assert [i.number for i in memory_github.list_sub_issues(REPO, 1)] == [2, 3, 4, 5]
    assert [i.number for i in memory_github.list_blocked_by(REPO, 3)] == [2]
    assert all(any(x.startswith("model:") for x in memory_github.issue_labels(REPO, n)) for n in (2, 3, 4, 5))
    assert [d[1][0] for d in memory_github.writes if d[0] == "dispatch_workflow"] == [REPO, REPO]
    c = service.load(ctx, 1)
    assert [t.status for t in c.tasks] == ["running", "pending", "running", "pending"]  # a, c: b waits, d: the cap


def test_a_second_start_for_the_same_run_resumes(ctx, memory_github):
    for _ in range(2):
        service.start(ctx, 1, run_id=7, plan_json=plan(task("a"), task("b", ["a"])), plan_text=None)
    assert len(memory_github.list_sub_issues(REPO, 1)) == 2
    assert [w for w, _ in memory_github.writes].count("create_issue") == 2


def test_bad_plan_posts_the_problems_and_creates_nothing(ctx, memory_github):
    out = service.start(ctx, 1, run_id=7, plan_json=plan(task("a", ["b"]), task("b", ["a"])), plan_text=None)
    assert out == "plan rejected: dependency cycle: a → b → a"
    assert "create_issue" not in [w for w, _ in memory_github.writes]
    [comment] = memory_github.comments(REPO, 1)
    assert comment.body.startswith(render.MARKER) and "- dependency cycle: a → b → a" in comment.body


def test_the_lease_keeps_a_second_worker_out(ctx):
    service.start(ctx, 1, run_id=7, plan_json=plan(task("a")), plan_text=None)
    st = service.store(ctx)
    owner = st.acquire(REPO, 1)
    with pytest.raises(Busy):
        service.advance(ctx, 1)
    st.release(REPO, 1, owner)
    assert service.advance(ctx, 1).startswith("convoy #1")


def test_state_line_round_trips_and_defuses_text(ctx):
    service.start(ctx, 1, run_id=7, plan_json=plan(task("a", title="@everyone --> <b>x</b>")), plan_text=None)
    body = render.checklist(service.load(ctx, 1))
    state_line = body.splitlines()[-1]
    assert "@" not in state_line and "-->" not in state_line[:-3] and "<b>" not in state_line
    assert render.read_state(body)["tasks"][0]["title"] == "@everyone --> <b>x</b>"


def test_an_issue_created_but_never_saved_is_adopted_not_created_again(ctx, memory_github):
    """The worker died after GitHub created the sub-issue, before it was saved or attached."""
    from datetime import timedelta

    from bot.convoy.plan import validate_plan
    from bot.convoy.state import Convoy

    convoy = Convoy.from_plan(REPO, 1, validate_plan({"tasks": [task("a")]}, max_tasks=12), plan_run=7, needs_review=False)
    convoy.tasks[0].creating_since = (ctx.store.clock() - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    service.store(ctx).create(convoy)
    orphan = memory_github.create_issue(REPO, "Fix typo in a.md", render.task_body(convoy, convoy.tasks[0]))
    forged = memory_github.add_issue(REPO, 9, "x", render.task_marker(1, "a"))  # someone else's copy: not ours
    assert forged.user_login != memory_github.login
    service.advance(ctx, 1)
    assert [i.number for i in memory_github.list_sub_issues(REPO, 1)] == [orphan.number]
    assert [w for w, _ in memory_github.writes].count("create_issue") == 1


def test_a_task_whose_run_never_reached_its_agent_frees_its_slot_and_waits_for_dispatch(ctx, memory_github):
    """The sub-issue's run ended before its agent ran (no_agent: the issue edited after the dispatch, a failed
    runner): not running, so the next task takes its slot; never re-dispatched by itself (the text may have been
    edited unapproved): the parent's comment says a writer's `/dispatch` runs it again."""
    from bot.runs import executor

    service.start(ctx, 1, run_id=7, plan_json=plan(task("a"), task("c"), task("d")), plan_text=None)
    [run] = ctx.store.dispatches(REPO, 2)
    ctx.store.record_outcome(run.dispatch_id, run_id=71, success=None, conclusion="no execution file")
    service.task_finished(ctx, 2)
    c = service.load(ctx, 1)
    assert [t.status for t in c.tasks] == ["not_run", "running", "running"]  # d took a's slot
    assert c.running == 2 and len(ctx.store.dispatches(REPO, 2)) == 1  # a: no second run by itself
    [comment] = [x for x in memory_github.comments(REPO, 1) if x.body.startswith(render.MARKER)]
    row = next(line for line in comment.body.splitlines() if "`a`" in line)
    assert "not run" in row and "`/dispatch` on #2" in row
    assert not c.finished and "never reached its agent" in service.retry(ctx, 1, "a")
    [c_run] = ctx.store.dispatches(REPO, 3)  # the repository's cap holds for a writer's run too: one ends first
    ctx.store.record_outcome(c_run.dispatch_id, run_id=73, success=True)
    service.task_finished(ctx, 3)
    again = executor.start_run(ctx, 2, cause="comment:5", by="octocat")  # a writer's /dispatch on the sub-issue
    assert again.status == "dispatched", again.message
    ctx.store.record_outcome(again.dispatch.dispatch_id, run_id=72, success=True)
    service.task_finished(ctx, 2)
    assert service.load(ctx, 1).task("a").status == "done"


def test_a_task_whose_escalation_github_refused_frees_its_slot_and_waits_for_dispatch(ctx, memory_github, monkeypatch):
    """Its run failed and GitHub refused the escalation's dispatch for good (a permission, the workflow file): no
    run is in flight, so the task holds no slot and says a writer's `/dispatch` runs it, instead of 'running'
    until the convoy is cancelled."""
    from bot.github.port import GitHubError
    from bot.runs.finished import escalate_failure

    service.start(ctx, 1, run_id=7, plan_json=plan(task("a"), task("c"), task("d")), plan_text=None)
    [run] = ctx.store.dispatches(REPO, 2)
    row, _ = ctx.store.record_outcome(run.dispatch_id, run_id=71, success=False, conclusion="failure")

    def refuse(*_: object) -> None:
        raise GitHubError(403, "Resource not accessible by integration")

    monkeypatch.setattr(memory_github, "dispatch_workflow", refuse)
    escalate_failure(ctx, row)
    monkeypatch.undo()  # GitHub takes the next task's dispatch
    assert [r.status for r in ctx.store.dispatches(REPO, 2)] == ["failure", "error"]
    service.task_finished(ctx, 2)
    c = service.load(ctx, 1)
    assert [t.status for t in c.tasks] == ["not_run", "running", "running"]  # d took a's slot
    [comment] = [x for x in memory_github.comments(REPO, 1) if x.body.startswith(render.MARKER)]
    assert "`/dispatch` on #2" in next(line for line in comment.body.splitlines() if "`a`" in line)
