"""A dispatch GitHub answered with a 5xx may have started its run: the retry adopts that run instead of starting a
second (possibly Opus) one, and dispatches once when there is none. Counted on the wire: the dispatch POSTs the fake
received and the runs it started. The App through its durable job queue, the Action's re-run job, the store's rows."""

from __future__ import annotations

import pytest

from bot.config import RepoConfig
from bot.github.port import GitHubError
from bot.runs import executor
from bot.store.records import DISPATCH_ERROR
from tests.plugins.action import REPO as AREPO
from tests.test_action_true_outcomes import dispatched, state  # noqa: F401
from tests.test_escalation_retry import (DISPATCH, app_started, fail_with_a_500_escalation, report_job,  # noqa: F401
                                         tiers)
from tests.test_outcomes_workflow_run import REPO, completed, config, ctx, execution, set_config  # noqa: F401

RUNS = r"/actions/workflows/[^/]+/runs$"
POSTED = {"actions/create-workflow-dispatch", "repos/create-dispatch-event"}


def posts(fake, repo=REPO):
    """Every dispatch request GitHub received for `repo`, answered or not."""
    return [r for r in fake.requests if r.operation_id in POSTED and r.path.lower().startswith(f"/repos/{repo.lower()}/")]


def lookups(fake):
    return [r for r in fake.requests if r.operation_id == "actions/list-workflow-runs"]


def runs(fake, repo=REPO):
    return fake.repo(repo)["workflow_runs"]


# --- the App: the escalation's dispatch answered 500, the job retried ---------------------------------------------


def test_a_dispatch_answered_500_after_github_started_the_run_is_adopted_by_the_jobs_retry(
        app_started, completed, post_event, run_jobs, runtime, fake_github):
    ctx, row = app_started
    fail_with_a_500_escalation(row, completed, post_event, run_jobs, fake_github, applied=True)
    job = runtime.queue.by_delivery("run-1")
    assert job["status"] == "done" and job["attempts"] == 2, job
    assert len(posts(fake_github)) == 2 and len(runs(fake_github)) == 2  # Haiku's, then Sonnet's once
    sonnet = runs(fake_github)[-1]
    assert sonnet["display_title"].endswith(f"on sonnet [mr:{ctx.store.dispatches(REPO, 1)[-1].dispatch_id}]")
    assert tiers(ctx) == [("haiku", "failure", 1), ("sonnet", "dispatched", 2)]
    adopted = ctx.store.dispatches(REPO, 1)[-1]
    assert (adopted.run_id, adopted.error) == (sonnet["id"], None) and adopted.run_url.endswith(f"/runs/{sonnet['id']}")
    [look] = lookups(fake_github)  # only the retry looked, from the failed attempt's time
    assert look.query["event"] == "workflow_dispatch" and look.query["created"].startswith(">=")
    post_event("workflow_run", completed(row, "failure", artifact=execution(error=True)), delivery="run-2")
    run_jobs(wait_for_retries=True)  # a redelivery: nothing more
    assert len(posts(fake_github)) == 2 and len(runs(fake_github)) == 2


def test_a_dispatch_answered_500_that_started_nothing_is_dispatched_once_by_the_jobs_retry(
        app_started, completed, post_event, run_jobs, runtime, fake_github):
    ctx, row = app_started
    fail_with_a_500_escalation(row, completed, post_event, run_jobs, fake_github)
    assert runtime.queue.by_delivery("run-1")["status"] == "done"
    assert len(posts(fake_github)) == 3 and len(runs(fake_github)) == 2  # the retry looked, found none, sent once
    assert len(lookups(fake_github)) == 1
    assert tiers(ctx) == [("haiku", "failure", 1), ("sonnet", "dispatched", 2)]


# --- the service: the lookup failing, repository_dispatch, the client's own retries --------------------------------


def test_a_first_dispatch_and_the_retry_of_a_refused_one_send_no_lookup(ctx, fake_github):
    """A refusal (4xx) started nothing, and the first try of a dispatch adds no request."""
    fake_github.fail_next("POST", DISPATCH, 422, body={"message": "Unexpected inputs provided"})
    assert executor.start_run(ctx, 1, cause="comment:7", by="octocat", tier="opus").status == "error"
    [row] = ctx.store.dispatches(REPO, 1)
    assert row.status == DISPATCH_ERROR and row.unconfirmed_at is None
    assert executor.start_run(ctx, 1, cause="comment:7", by="octocat", tier="opus").started  # a redelivery
    assert executor.start_run(ctx, 1, cause="comment:8", by="octocat", tier="opus").started
    assert lookups(fake_github) == [] and len(posts(fake_github)) == 3 and len(runs(fake_github)) == 2


def test_a_lookup_that_fails_raises_and_never_dispatches_blind(ctx, fake_github):
    fake_github.fail_next("POST", DISPATCH, 502, applied=True)
    with pytest.raises(GitHubError):
        executor.start_run(ctx, 1, cause="comment:7", by="octocat", tier="opus")
    assert len(posts(fake_github)) == 1 and len(runs(fake_github)) == 1  # the client did not send it again
    [row] = ctx.store.dispatches(REPO, 1)
    first = row.unconfirmed_at
    assert row.status == DISPATCH_ERROR and first is not None
    fake_github.fail_next("GET", RUNS, 503, times=10)  # more than the client retries
    with pytest.raises(GitHubError) as info:
        executor.start_run(ctx, 1, cause="comment:7", by="octocat", tier="opus")
    assert info.value.transient and len(posts(fake_github)) == 1  # raised for the job's retry, sent nothing
    [row] = ctx.store.dispatches(REPO, 1)
    assert row.status == DISPATCH_ERROR and row.unconfirmed_at == first  # the earliest attempt is still looked for
    fake_github.faults.clear()  # GitHub answers again
    res = executor.start_run(ctx, 1, cause="comment:7", by="octocat", tier="opus")
    assert res.started and res.dispatch.run_id == runs(fake_github)[0]["id"]
    assert len(posts(fake_github)) == 1 and len(runs(fake_github)) == 1


def test_a_repository_dispatch_answered_500_after_starting_is_adopted(ctx, config, fake_github):
    config["value"] = RepoConfig.model_validate({"executor": {"dispatch": "repository_dispatch"}})
    fake_github.fail_next("POST", r"/dispatches$", 500, applied=True)
    with pytest.raises(GitHubError):
        executor.start_run(ctx, 1, cause="comment:7", by="octocat", tier="opus")
    res = executor.start_run(ctx, 1, cause="comment:7", by="octocat", tier="opus")  # the job's retry
    assert res.started and len(posts(fake_github)) == 1 and len(runs(fake_github)) == 1
    [look] = lookups(fake_github)
    assert look.query["event"] == "repository_dispatch" and res.dispatch.run_id == runs(fake_github)[0]["id"]


def test_a_run_titled_for_another_dispatch_or_started_by_someone_else_is_not_adopted(ctx, fake_github):
    fake_github.fail_next("POST", DISPATCH, 500)
    with pytest.raises(GitHubError):
        executor.start_run(ctx, 1, cause="comment:7", by="octocat", tier="opus")
    [row] = ctx.store.dispatches(REPO, 1)
    r = fake_github.repo(REPO)
    for title, login in ((f"model-router #1 execute on opus [mr:{row.dispatch_id}x]", "github-actions[bot]"),
                         (f"model-router #1 execute on opus [mr:{row.dispatch_id}]", "mallory")):
        r["workflow_runs"].append({**_run(fake_github), "display_title": title, "actor": fake_github.user(login)})
    res = executor.start_run(ctx, 1, cause="comment:7", by="octocat", tier="opus")
    assert res.started and len(posts(fake_github)) == 2 and res.dispatch.run_id is None
    assert len(lookups(fake_github)) == 1  # it looked, and took neither run


def _run(fake):
    from bot.simulator.github_seed import _now
    return {"id": fake.next_id(), "name": "x", "event": "workflow_dispatch", "status": "queued", "conclusion": None,
            "head_branch": "main", "path": ".github/workflows/model-router-executor.yml", "workflow_id": 1,
            "run_number": 1, "created_at": _now()}


# --- the Action: a person re-runs the failed job --------------------------------------------------------------------


def test_the_actions_re_run_job_adopts_the_run_a_500_dispatch_started(fake_github, webhook_example, runner_env,
                                                                     tmp_path):
    fake_github.add_repo(AREPO)
    inputs = dispatched(fake_github, webhook_example, tmp_path)
    fake_github.fail_next("POST", DISPATCH, 500, body={"message": "Server Error"}, applied=True)
    code, log = report_job(fake_github, tmp_path, inputs)
    assert code == 1 and "GitHub 500" in log, log
    sonnet = state(fake_github).runs[-1]
    assert (sonnet.tier, sonnet.status) == ("sonnet", DISPATCH_ERROR) and sonnet.unconfirmed_at is not None
    code, log = report_job(fake_github, tmp_path, inputs)  # a person re-runs the failed job
    assert code == 0, log
    assert len(posts(fake_github, AREPO)) == 2 and len(runs(fake_github, AREPO)) == 2  # Haiku's, Sonnet's once
    assert [(r.tier, r.status) for r in state(fake_github).runs] == [("haiku", "failure"), ("sonnet", "dispatched")]
    assert state(fake_github).runs[-1].run_id == runs(fake_github, AREPO)[-1]["id"]


# --- the in-memory fake holds the same contract -----------------------------------------------------------------------


def test_the_memory_fakes_dispatch_answered_500_after_starting_is_adopted(memory_github):
    from bot.config.source import FixedConfig
    from bot.context import Context
    from bot.issues.service import route_issue
    from bot.store.memory import MemoryIssueStore

    memory_github.add_repo(REPO)
    memory_github.add_issue(REPO, 1, title="Fix typo in README", body="Small change.")
    ctx = Context(gh=memory_github, repo=REPO, store=MemoryIssueStore(), configs=FixedConfig(RepoConfig))
    route_issue(ctx, 1)
    memory_github.fail_dispatch(500, started=True)
    with pytest.raises(GitHubError):
        executor.start_run(ctx, 1, cause="comment:7", by="octocat", tier="opus")
    res = executor.start_run(ctx, 1, cause="comment:7", by="octocat", tier="opus")
    [run] = memory_github.runs(REPO)
    assert res.started and res.dispatch.run_id == run.id and len(memory_github.dispatches) == 1
    memory_github.fail_dispatch(503)  # started nothing: the retry dispatches once
    with pytest.raises(GitHubError):
        executor.start_run(ctx, 1, cause="comment:8", by="octocat", tier="opus")
    assert executor.start_run(ctx, 1, cause="comment:8", by="octocat", tier="opus").started
    assert len(memory_github.dispatches) == 3 and len(memory_github.runs(REPO)) == 2
