"""Issue #23 regression tests for convoys: who may start one, which tier its tasks run on, and which code the
review of the whole sees. On FakeGitHub (every call checked against GitHub's OpenAPI description)."""

from __future__ import annotations

from bot.convoy import service
from bot.handlers import handle_event as dispatch
from bot.simulator.convoy_demo import PARENT, PLAN, REPO, Simulation, example, set_config
from tests.test_convoy_e2e import ctx  # noqa: F401 - the convoy's Context on FakeGitHub and FakeAnthropic, cap 2


def runs(fake):
    """(issue number, mode, tier) of every executor run asked for, in order."""
    return [(int(d["inputs"]["issue_number"]), d["inputs"].get("mode", "execute"), d["inputs"]["tier"])
            for d in fake.repo(REPO)["workflow_dispatches"]]


def task_runs(fake):
    return [r for r in runs(fake) if r[0] != PARENT]


# -- finding 3: pipeline.auto runs outsiders' issues ------------------------------------------------------
def _opened(fake_github, ctx, number, login, title="Rework retries across modules"):
    fake_github.add_issue(REPO, number, title=title, body="")
    p = example("issues", "opened")
    p["issue"].update(number=number, title=title, body="", labels=[])
    p["issue"]["user"]["login"] = p["sender"]["login"] = login
    p["repository"]["full_name"] = REPO
    return dispatch("issues", p, ctx)


def test_pipeline_auto_never_starts_a_paid_run_for_an_outsiders_issue(fake_github, ctx):
    set_config(ctx, {"pipeline": {"auto": True}, "llm": {"enabled": False}, "budgets": {"max_concurrent_runs": 3}})
    fake_github.set_permission(REPO, "drive-by", "read")
    for number in (7, 8, 9):
        res = _opened(fake_github, ctx, number, "drive-by")
        assert any("/plan" in m for m in res.messages)  # says how a writer starts it
    assert runs(fake_github) == []
    fake_github.set_permission(REPO, "maintainer", "write")
    _opened(fake_github, ctx, 10, "maintainer")
    assert runs(fake_github) == [(10, "plan", "sonnet")]


def test_pipeline_auto_leaves_a_slot_for_a_maintainers_dispatch(fake_github, ctx):
    set_config(ctx, {"pipeline": {"auto": True}, "llm": {"enabled": False}, "budgets": {"max_concurrent_runs": 2}})
    fake_github.set_permission(REPO, "maintainer", "write")
    _opened(fake_github, ctx, 7, "maintainer")
    res = _opened(fake_github, ctx, 8, "maintainer")  # would take the last slot
    assert [r[0] for r in runs(fake_github)] == [7]
    assert any("max_concurrent_runs" in m for m in res.messages)
    Simulation(fake_github, ctx).comment("/dispatch", user="maintainer", role="maintain")
    assert [r[0] for r in runs(fake_github)] == [7, PARENT]  # the person's run is not refused


def plan_on(fake_github, ctx, plan, title=None, body="", labels=()):
    """A writer's `/plan` on the parent, the comment's payload carrying the parent as GitHub has it."""
    parent = fake_github.issue(REPO, PARENT)
    if title:
        parent.update(title=title, body=body)
    parent["labels"].extend(labels)
    sim = Simulation(fake_github, ctx, plan=plan)
    fake_github.set_permission(REPO, "maintainer", "maintain")
    p = example("issue_comment", "created")
    p["issue"].pop("pull_request", None)
    p["issue"].update(number=PARENT, title=parent["title"], body=parent["body"], labels=[{"name": x} for x in labels])
    p["comment"]["id"] = fake_github.add_comment(REPO, PARENT, "/plan", user="maintainer")
    p["comment"]["body"] = "/plan"
    p["comment"]["user"]["login"] = p["sender"]["login"] = "maintainer"
    p["repository"]["full_name"] = REPO
    sim.deliver("issue_comment", p)
    return sim


# -- finding 5: a security parent's tasks run on Haiku ------------------------------------------------------
def test_the_security_floor_reaches_every_sub_task(fake_github, ctx):
    plan = {"tasks": [{**t, "title": f"Add a field to {t['id']}", "description": "Add one field."}
                      for t in PLAN["tasks"]]}
    sim = plan_on(fake_github, ctx, plan, title="Rotate the signing keys of session tokens across modules",
                  body="Session tokens are checked in three places; the access token secret moves to the vault.")
    assert ctx.store.decision(REPO, PARENT).security_sensitive
    sim.run()
    assert len(task_runs(fake_github)) == 5
    assert all(tier != "haiku" for _, _, tier in task_runs(fake_github)), task_runs(fake_github)
    for t in service.load(ctx, PARENT).tasks:
        assert "security" in fake_github.labels_on(REPO, t.issue)  # the sub-issue says why


# -- finding 9: the plan picks the tier -------------------------------------------------------------------
def _hinted(tier):
    return {"tasks": [{**t, "tier": tier} for t in PLAN["tasks"]]}


def test_a_plans_tier_hint_never_raises_a_task_above_what_the_router_chose(fake_github, ctx):
    sim = plan_on(fake_github, ctx, _hinted("opus"))  # text steered the planner
    sim.run()
    assert task_runs(fake_github) and all(tier != "opus" for _, _, tier in task_runs(fake_github))


def test_a_writers_opus_choice_on_the_parent_lets_the_hint_raise_to_opus(fake_github, ctx):
    fake_github.add_label(REPO, "model:opus")
    p = example("issues", "labeled")
    p.update(label={"name": "model:opus"})
    p["issue"].update(number=PARENT, title=fake_github.issue(REPO, PARENT)["title"], labels=[{"name": "model:opus"}])
    p["sender"]["login"] = "maintainer"
    p["repository"]["full_name"] = REPO
    dispatch("issues", p, ctx)  # a writer asks for opus on the whole
    sim = plan_on(fake_github, ctx, _hinted("opus"), labels=["model:opus"])
    sim.run()
    assert task_runs(fake_github) and all(tier == "opus" for _, _, tier in task_runs(fake_github))


def test_a_hint_may_lower_the_cost(fake_github, ctx):
    sim = plan_on(fake_github, ctx, _hinted("haiku"))
    sim.run()
    core = service.load(ctx, PARENT).task("core").issue  # the router puts "the registry" on sonnet
    assert [tier for n, _, tier in task_runs(fake_github) if n == core] == ["haiku"]


# -- finding 4: the review of the whole reviews the wrong code ------------------------------------------------
def test_the_review_of_the_whole_sees_only_the_executors_pull_requests(fake_github, fake_anthropic, ctx):
    sim = plan_on(fake_github, ctx, PLAN)
    for _ in range(20):  # every task done but the last one
        left = [t for t in service.load(ctx, PARENT).tasks if t.status != "done"] if service.load(ctx, PARENT) else None
        if left is not None and len(left) == 1 and len(sim.in_flight()) == 1:
            break
        sim.complete(sim.in_flight()[0])
    for t in service.load(ctx, PARENT).tasks:  # an outsider's later copies of the executor's files
        fake_github.add_pull(REPO, title="Tidy", body=f"Refs #{t.issue}", head_sha="e" * 40, user="mallory",
                             head_ref="tidy", files=[{"filename": f"exporters/{t.id}.py", "status": "added",
                                                      "additions": 1, "patch": "@@ -0,0 +1 @@\n+HARMLESS = 1"}])
    last = service.load(ctx, PARENT).tasks[-1].issue  # the executor's abandoned first attempt: closed, not merged
    draft = fake_github.add_pull(REPO, title="Draft", body=f"Closes #{last}", head_sha="d" * 40, user="claude[bot]",
                                 head_ref="claude/draft", files=[{"filename": "exporters/draft.py", "status": "added",
                                                                  "additions": 1, "patch": "@@ -0,0 +1 @@\n+DRAFT = 1"}])
    fake_github.issue(REPO, draft)["state"] = "closed"
    sim.run()
    [review] = [r for r in fake_anthropic.requests if (r.output_schema or {}).get("title") == "ReviewOutput"]
    assert "HARMLESS" not in review.prompt and "DRAFT" not in review.prompt
    assert all(f"def {tid}():" in review.prompt for tid in ("core", "csv", "json", "docs", "cli"))


# -- finding 10: the Action's report step trusts the agent's workspace ------------------------------------------
def test_the_actions_report_step_reads_the_config_from_the_default_branch(fake_github, runner_env, tmp_path):
    import json

    from tests.plugins.action import act, settings

    fake_github.add_repo(REPO, files={".github/model-router.yml": "pipeline:\n  max_tasks: 3\n"
                                                                   "budgets:\n  max_concurrent_runs: 1\n"})
    fake_github.add_issue(REPO, PARENT, title="Fix typos everywhere", body="Several typos.")
    ws = tmp_path / "ws"  # the checkout the agent just edited
    (ws / ".github").mkdir(parents=True)
    (ws / ".github" / "model-router.yml").write_text("pipeline:\n  max_tasks: 50\nbudgets:\n  max_concurrent_runs: 100\n")
    tasks = [{"id": f"t{i}", "title": f"Fix typo {i}", "description": "Typo.", "files": [f"d{i}.md"],
              "acceptance": "gone"} for i in range(8)]
    (ws / "model-router-plan.json").write_text(json.dumps({"tasks": tasks}))
    execution = tmp_path / "exec.json"
    execution.write_text(json.dumps([{"type": "result", "subtype": "success", "is_error": False,
                                      "total_cost_usd": 0.05, "num_turns": 3, "result": "done"}]))
    inputs = {"issue_number": str(PARENT), "tier": "sonnet", "model": "claude-sonnet-x", "complexity": "standard",
              "routing_id": "p1", "mode": "plan"}
    event = {"inputs": inputs, "repository": {"full_name": REPO, "default_branch": "main"},
             "sender": {"login": "github-actions[bot]", "type": "Bot"}}
    code, log = act(settings(tmp_path, fake_github, "workflow_dispatch", event, mode="report", run_id="201", repository=REPO,
                             workspace=ws, execution_file=execution))
    assert code == 0, log
    assert len(fake_github.repo(REPO)["issues"]) == 1  # the 8-task plan is over the default branch's max_tasks: 3
    assert fake_github.repo(REPO)["workflow_dispatches"] == []


def test_the_review_of_the_whole_sees_a_writers_pr_that_a_run_recorded(fake_github, ctx):
    from bot.convoy.review import linked_files, unreviewed
    sim = plan_on(fake_github, ctx, PLAN)
    while not (convoy := service.load(ctx, PARENT)) or not any(t.status == "done" for t in convoy.tasks):
        sim.complete(sim.in_flight()[0])
    task = next(t for t in convoy.tasks if t.status == "done")
    row = ctx.store.dispatches(REPO, task.issue)[-1]
    fake_github.set_permission(REPO, "maintainer", "maintain")  # the Action leaves opening the PR to a person
    number = fake_github.add_pull(REPO, title="Task", body="", head_sha="f" * 40, user="maintainer",
                                  head_ref="claude/task", files=[{"filename": "exporters/writer.py", "status": "added",
                                                                  "additions": 1, "patch": "@@ -0,0 +1 @@\n+W = 1"}])
    ctx.store.record_truth(row.dispatch_id, truth="checks_passed", pr_number=number, success=None, time_to_merge_s=None)
    pulls, files = linked_files(ctx, convoy)
    assert number in pulls and "exporters/writer.py" in [f.filename for f in files]
    assert task.id not in unreviewed(ctx, convoy, pulls)
