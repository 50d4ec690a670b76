"""#21 in a convoy: a task is done when its run's pull request merges, not when its agent says so (on FakeGitHub)."""

from __future__ import annotations

from bot.convoy import service
from bot.simulator.convoy_demo import PARENT, PLAN, REPO
from tests.test_convoy_e2e import ctx  # noqa: F401 - the convoy's Context on FakeGitHub and FakeAnthropic, cap 2
from tests.test_security_convoy2 import plan_on


def test_a_task_is_done_when_its_pr_merges_and_what_it_unblocks_starts_then(fake_github, fake_anthropic, ctx):
    sim = plan_on(fake_github, ctx, PLAN)
    sim.branches = True
    sim.complete(sim.in_flight()[0])  # the planning run: the convoy starts
    core = service.load(ctx, PARENT).task("core").issue
    runs = {int(r["issue_number"]): r for r in sim.in_flight()}
    sim.complete(runs[core])
    assert service.load(ctx, PARENT).task("core").status == "running"  # claimed; its PR is open
    started = {int(r["issue_number"]) for r in sim.in_flight()}
    assert service.load(ctx, PARENT).task("csv").issue not in started  # csv depends on core: not yet
    sim.merge(core)
    c = service.load(ctx, PARENT)
    assert c.task("core").status == "done"
    [row] = [d for d in ctx.store.dispatches(REPO, core)]
    assert (row.truth, row.status) == ("merged", "success")
    assert c.task("csv").status in ("running", "pending")  # unblocked: dispatched now, or waiting for the cap


def finish_all(sim, fake_github, ctx, edit=None):
    """Every run completes and its PR merges; `edit(task id, PR issue dict)` may change a PR before its merge."""
    for _ in range(30):
        runs = sim.in_flight()
        if not runs:
            return
        run = runs[0]
        sim.complete(run)
        number = int(run["issue_number"])
        if run.get("mode") == "plan" or number == PARENT:
            continue
        prs = [i for i in fake_github.repo(REPO)["issues"].values() if i["pull"] and i["pull"]["head_ref"] == f"claude/issue-{number}"]
        if edit and prs:
            edit(sim._task_of(number), prs[-1])
        if prs:
            sim.merge(number)


def test_the_review_of_the_whole_reads_each_runs_recorded_pr(fake_github, fake_anthropic, ctx):
    sim = plan_on(fake_github, ctx, PLAN)
    sim.branches = True

    def unlinked(task, pr):
        if task == "docs":
            pr["body"] = "Tidy the exporters docs."  # no `#N`: found only by the run's own branch

    finish_all(sim, fake_github, ctx, unlinked)
    [review] = [r for r in fake_anthropic.requests if (r.output_schema or {}).get("title") == "ReviewOutput"]
    assert all(f"def {tid}():" in review.prompt for tid in ("core", "csv", "json", "docs", "cli"))


def test_a_pr_on_the_runs_branch_by_someone_else_never_settles_the_task(fake_github, fake_anthropic, ctx):
    sim = plan_on(fake_github, ctx, PLAN)
    sim.branches = True

    def hijacked(task, pr):
        if task == "cli":
            pr["user"] = "mallory"  # the PR on the run's branch is someone else's: never the run's outcome

    finish_all(sim, fake_github, ctx, hijacked)
    c = service.load(ctx, PARENT)
    assert c.task("cli").status == "running" and c.review is None  # waits; nothing reviewed as the whole


def test_the_whole_is_not_reviewed_when_a_done_tasks_recorded_pr_cannot_be_shown(fake_github, fake_anthropic, ctx):
    from bot.convoy.review import review_whole

    sim = plan_on(fake_github, ctx, PLAN)
    sim.branches = True
    finish_all(sim, fake_github, ctx)
    assert service.load(ctx, PARENT).review.verdict == "pass"
    cli = service.load(ctx, PARENT).task("cli").issue
    [pr] = [i for i in fake_github.repo(REPO)["issues"].values() if i["pull"] and i["pull"]["head_ref"] == f"claude/issue-{cli}"]
    pr["user"] = "mallory"  # what GitHub shows of the run's recorded PR is no longer the executor's
    review = review_whole(ctx, service.load(ctx, PARENT))
    assert review.verdict == "error" and "`cli`" in review.summary


def test_a_task_whose_run_pushed_no_branch_of_its_own_unblocks_nothing(fake_github, fake_anthropic, ctx):
    """A task's run that claims success but names the default branch (or none) is `no_pr`, a failure: the tasks that
    depend on it are not started first on the agent's word."""
    import io
    import json
    import zipfile

    from bot.handlers import handle_event

    sim = plan_on(fake_github, ctx, PLAN)
    sim.branches = True
    sim.complete(sim.in_flight()[0])  # the planning run: the convoy starts
    core = service.load(ctx, PARENT).task("core").issue
    run = {int(r["issue_number"]): r for r in sim.in_flight()}[core]
    event = sim.finish(run)
    [artifact] = [a for a in fake_github.repo(REPO)["artifacts"].values() if a["run_id"] == event["workflow_run"]["id"]]
    files = zipfile.ZipFile(io.BytesIO(artifact["data"]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in files.namelist():
            z.writestr(name, json.dumps({"branch_name": "main"}) if name == "model-router-run.json" else files.read(name))
    artifact["data"] = out.getvalue()
    handle_event("workflow_run", event, ctx)
    [row] = ctx.store.dispatches(REPO, core)[:1]
    assert (row.truth, row.status) == ("no_pr", "failure")
    started = {int(r["issue_number"]) for r in sim.in_flight()}
    assert service.load(ctx, PARENT).task("csv").issue not in started  # csv depends on core
