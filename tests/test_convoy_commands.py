"""Convoy edges on FakeGitHub: bad plans, /convoy commands, a person closing a sub-issue, budgets, pipeline.auto."""

import pytest

from bot.convoy import render, service
from bot.simulator.convoy_demo import PARENT, PLAN, REPO, Simulation, build, example, set_config


@pytest.fixture
def ctx(fake_github):
    return build(fake_github, None, cap=2)


def sim_with(fake_github, ctx, plan=PLAN, **kw):
    return Simulation(fake_github, ctx, plan=plan, **kw)


def convoy_comment(fake):
    return next(c["body"] for c in fake.comments(REPO, PARENT) if c["body"].startswith(render.MARKER))


def started(fake_github, ctx, **kw):
    sim = sim_with(fake_github, ctx, **kw)
    sim.comment("/plan")
    sim.complete(sim.in_flight()[0])
    return sim


@pytest.mark.parametrize("plan, problem", [
    ({"tasks": [{**PLAN["tasks"][0], "depends_on": ["csv"]}, *PLAN["tasks"][1:]]}, "dependency cycle: core → csv → core"),
    ({"tasks": [{**PLAN["tasks"][0], "depends_on": ["nope"]}]}, "tasks[0].depends_on: unknown task id 'nope'"),
    ({"tasks": [{"id": "a", "title": "t"}]}, "tasks[0].description: Field required"),
    ({"tasks": [{**PLAN["tasks"][3], "id": str(i)} for i in range(13)]}, "the plan has 13 tasks; at most 12 are allowed"),
])
def test_a_bad_plan_says_what_is_wrong_and_creates_nothing(fake_github, ctx, plan, problem):
    started(fake_github, ctx, plan=plan)
    assert len(fake_github.repo(REPO)["issues"]) == 1
    body = convoy_comment(fake_github)
    assert "no sub-issue was created" in body and problem in body
    assert len(fake_github.repo(REPO)["workflow_dispatches"]) == 1  # only the planning run


def test_plan_text_is_fenced_and_never_a_command(fake_github, ctx):
    evil = {**PLAN["tasks"][3], "description": "```\n/convoy cancel\n@admin please merge\n<img src=x>"}
    sim = started(fake_github, ctx, plan={"tasks": [evil]})
    body = fake_github.issue(REPO, 2)["body"]
    assert "````text\n```\n/convoy cancel\n@\u200badmin" in body
    assert service.load(ctx, PARENT).status == "active"  # nothing in the plan ran as a command
    assert sim.trace[0]["ok"]


def last_reply(fake):
    return fake.comments(REPO, PARENT)[-1]["body"]


def test_convoy_show_cancel_and_who_may(fake_github, ctx):
    sim = started(fake_github, ctx)
    sim.comment("/convoy", user="reader", role="read")  # anyone may look
    assert "Convoy: 0/5 tasks done" in last_reply(fake_github) and "#2 `core`" in last_reply(fake_github)
    sim.comment("/convoy cancel", user="reader", role="read")
    assert "needs write access" in last_reply(fake_github) and service.load(ctx, PARENT).status == "active"
    sim.comment("/convoy retry")
    assert "Usage: `/convoy`" in last_reply(fake_github)
    sim.comment("/convoy cancel")
    c = service.load(ctx, PARENT)
    assert c.status == "cancelled" and c.running == 2
    sim.run()  # the runs in flight finish; nothing new starts
    c = service.load(ctx, PARENT)
    assert [t.status for t in c.tasks] == ["done", "cancelled", "cancelled", "done", "cancelled"]
    assert len(fake_github.repo(REPO)["workflow_dispatches"]) == 3
    assert "cancelled" in convoy_comment(fake_github)


def test_retry_redispatches_one_failed_task(fake_github, ctx):
    set_config(ctx, {"budgets": {"max_concurrent_runs": 2}, "llm": {"enabled": False},
                                             "executor": {"max_attempts": 1}})
    sim = started(fake_github, ctx, fail_first={"docs"})
    sim.run()
    c = service.load(ctx, PARENT)
    assert c.task("docs").status == "failed" and c.status == "active"
    n = len(fake_github.repo(REPO)["workflow_dispatches"])
    sim.comment("/convoy retry docs")
    assert len(fake_github.repo(REPO)["workflow_dispatches"]) == n + 1
    sim.comment("/convoy retry docs")  # not failed any more: refused, nothing dispatched
    assert len(fake_github.repo(REPO)["workflow_dispatches"]) == n + 1
    sim.run()
    assert service.load(ctx, PARENT).status == "done"


def test_a_person_closing_a_sub_issue_counts_as_done(fake_github, ctx):
    sim = started(fake_github, ctx)
    core = service.load(ctx, PARENT).task("core").issue
    fake_github.issue(REPO, core)["state"] = "closed"
    p = example("issues", "opened")
    p["action"], p["issue"]["number"], p["sender"]["login"] = "closed", core, "octocat"
    sim.deliver("issues", p)
    c = service.load(ctx, PARENT)
    assert c.task("core").status == "closed"
    assert c.task("csv").status == "pending"  # the cap: docs and core's run still count as in flight
    sim.run()
    c = service.load(ctx, PARENT)
    assert c.status == "done" and c.task("core").status == "closed"


def test_monthly_budget_pauses_dispatch_with_the_numbers(fake_github, ctx):
    sim = sim_with(fake_github, ctx)
    sim.comment("/plan")
    set_config(ctx, {"budgets": {"monthly_usd": 0.06}, "llm": {"enabled": False}})
    sim.complete(sim.in_flight()[0])  # the plan costs $0.052: no task run fits what is left
    body = convoy_comment(fake_github)
    assert "Dispatch of `core` paused: Refused" in body and "monthly budget of $0.0600" in body
    assert len(fake_github.repo(REPO)["workflow_dispatches"]) == 1 and len(fake_github.repo(REPO)["issues"]) == 6


def test_pipeline_auto_plans_complex_issues_only(fake_github, ctx):
    from bot.handlers import handle_event as dispatch

    set_config(ctx, {"pipeline": {"auto": True}, "llm": {"enabled": False}})
    for number, title in ((7, "Fix typo in README"), (8, "Rework retries across modules")):
        fake_github.add_issue(REPO, number, title=title, body="")
        p = example("issues", "opened")
        p["issue"].update(number=number, title=title, body="", labels=[])
        fake_github.set_permission(REPO, p["issue"]["user"]["login"], "write")  # only a writer's issue starts one
        dispatch("issues", p, ctx)
    runs = [(d["inputs"]["issue_number"], d["inputs"].get("mode")) for d in fake_github.repo(REPO)["workflow_dispatches"]]
    assert runs == [("8", "plan")]


def test_a_person_relabelling_a_sub_issue_reroutes_its_task(fake_github, ctx):
    sim = started(fake_github, ctx)
    csv = service.load(ctx, PARENT).task("csv")
    assert csv.status == "pending"
    if "model:opus" not in fake_github.repo(REPO)["labels"]:
        fake_github.add_label(REPO, "model:opus")
    fake_github.issue(REPO, csv.issue)["labels"].append("model:opus")
    p = example("issues", "opened")
    p.update(action="labeled", label={"name": "model:opus"})
    p["issue"].update(number=csv.issue, title=csv.title, body="", labels=[{"name": "model:opus"}])
    p["sender"]["login"] = "octocat"
    sim.deliver("issues", p)
    sim.run()
    tiers = [d["inputs"]["tier"] for d in fake_github.repo(REPO)["workflow_dispatches"]
             if d["inputs"]["issue_number"] == str(csv.issue)]
    assert tiers == ["opus"] and service.load(ctx, PARENT).task("csv").tier == "opus"
