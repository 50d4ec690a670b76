"""An escalation is never lost and never started twice: GitHub answering the next tier's workflow dispatch with a 5xx
after the failed run's outcome is recorded fails the job, and its retry (the App's durable job queue, a redelivery,
a re-run Action job) starts the escalation exactly once; if no retry does, a comment says it could not be started
and that `/dispatch <tier>` starts it. Every path that escalates: a failed run, failing checks, no pull request, a
pull request closed unmerged (the Action)."""

from __future__ import annotations

import pytest

from bot.config import RepoConfig
from bot.config.source import FixedConfig
from bot.context import Context
from bot.github.port import GitHubError
from bot.handlers import handle_event
from bot.issues.service import route_issue
from bot.runs import executor
from bot.store.records import DISPATCH_ERROR
from tests.plugins.action import REPO as AREPO
from tests.plugins.action import act, settings
from tests.test_action_learning import KEY
from tests.test_action_true_outcomes import check as check_run
from tests.test_action_true_outcomes import claimed, close, dispatched, open_pull, state  # noqa: F401
from tests.test_action_true_outcomes import dispatches as action_dispatches
from tests.test_action_true_outcomes import execution as action_execution
from tests.test_outcomes_workflow_run import REPO, completed, config, ctx, execution, started, sticky  # noqa: F401
from tests.test_run_truth import BRANCH, check, pull, suite
from tests.test_true_outcomes import dispatches, failing_check, finish, frozen  # noqa: F401

DISPATCH = r"/actions/workflows/[^/]+/dispatches$"
NOT_STARTED = "could not be started"


def said(fake_github, text):
    return [c["body"] for c in fake_github.comments(REPO, 1) if text in c["body"]]


def tiers(ctx):
    return [(r.tier, r.status, r.attempt) for r in ctx.store.dispatches(REPO, 1)]


# --- the App, through its durable job queue ---------------------------------------------------------------------


@pytest.fixture
def app_started(runtime, fake_github):
    """Issue 1 routed and a Haiku run dispatched on the App's own store (as `/dispatch` does)."""
    fake_github.add_repo(REPO)
    fake_github.add_issue(REPO, 1, title="Fix typo in README", body="Small change.")
    ctx = Context(gh=runtime.port_for(None), repo=REPO, store=runtime.store, configs=FixedConfig(RepoConfig))
    route_issue(ctx, 1)
    res = executor.start_run(ctx, 1, cause="comment:42", by="octocat", tier="haiku")
    assert res.started
    runtime.queue.backoff_base = 0.01
    return ctx, res.dispatch


def fail_with_a_500_escalation(row, completed, post_event, run_jobs, fake_github, applied: bool = False) -> None:
    """The run fails; GitHub answers its escalation's dispatch 500 once (having started the run, when `applied`);
    the App's job queue runs the delivery and its retries."""
    fake_github.fail_next("POST", DISPATCH, 500, body={"message": "Server Error"}, applied=applied)
    post_event("workflow_run", completed(row, "failure", artifact=execution(error=True)), delivery="run-1")
    run_jobs(wait_for_retries=True)


def test_a_failed_runs_escalation_github_refuses_once_starts_once_on_the_jobs_retry(
        app_started, completed, post_event, run_jobs, runtime, fake_github):
    ctx, row = app_started
    fail_with_a_500_escalation(row, completed, post_event, run_jobs, fake_github)
    job = runtime.queue.by_delivery("run-1")
    assert job["status"] == "done" and job["attempts"] == 2, job
    assert tiers(ctx) == [("haiku", "failure", 1), ("sonnet", "dispatched", 2)]
    assert [d["inputs"]["tier"] for d in dispatches(fake_github)] == ["haiku", "sonnet"]
    [first] = said(fake_github, NOT_STARTED)  # said once, when it failed: the retry then started it
    assert "I will try again" in first and "`/dispatch sonnet`" in first
    assert len(said(fake_github, "escalated to **sonnet**")) == 1
    assert "| sonnet |" in sticky(fake_github)
    post_event("workflow_run", completed(row, "failure", artifact=execution(error=True)), delivery="run-2")
    run_jobs(wait_for_retries=True)  # a redelivery: nothing more
    assert len(dispatches(fake_github)) == 2 and len(said(fake_github, "escalated")) == 1


def test_when_the_job_gives_up_the_escalation_that_did_not_start_is_said_once(
        app_started, completed, post_event, run_jobs, runtime, fake_github):
    ctx, row = app_started
    runtime.queue.max_attempts = 3
    fake_github.fail_next("POST", DISPATCH, 502, times=50)  # more than the client and the queue retry
    post_event("workflow_run", completed(row, "failure", artifact=execution(error=True)), delivery="down")
    run_jobs(wait_for_retries=True)
    job = runtime.queue.by_delivery("down")
    assert job["status"] == "failed" and "gave up after 3 attempts" in job["last_error"], job
    assert tiers(ctx) == [("haiku", "failure", 1), ("sonnet", DISPATCH_ERROR, 2)]
    [comment] = said(fake_github, NOT_STARTED)  # one comment for the three tries, never silent
    assert "escalation to **sonnet**" in comment and "`/dispatch sonnet`" in comment
    body = sticky(fake_github)  # the record as it stands: Haiku failed, Sonnet's run did not start
    assert "| haiku |" in body and "| failure |" in body and "| error |" in body, body
    assert "Attempt 2 on sonnet was not started" in body and "`/dispatch sonnet`" in body


# --- the App's pull-request outcomes: the retry is the same event handled again ------------------------------------


def checks_fail_and_the_escalation_is_refused_once(ctx, started, completed, fake_github, webhook_example) -> None:
    """The run's PR's checks fail; GitHub answers its escalation's dispatch with a 500, so the job raises."""
    pull(fake_github)
    check(fake_github, "test", None)
    finish(ctx, started, completed, fake_github, 5551, BRANCH)
    failing_check(fake_github)
    fake_github.fail_next("POST", DISPATCH, 500, body={"message": "Server Error"})
    with pytest.raises(GitHubError):
        handle_event("check_suite", suite(webhook_example, 7), ctx)


def test_failing_checks_whose_escalation_github_refuses_once_escalate_on_the_retry(
        frozen, ctx, started, completed, fake_github, webhook_example):
    checks_fail_and_the_escalation_is_refused_once(ctx, started, completed, fake_github, webhook_example)
    assert tiers(ctx) == [("haiku", "failure", 1), ("sonnet", DISPATCH_ERROR, 2)]
    assert "| PR #7 checks failed |" in sticky(fake_github) and "on sonnet was not started" in sticky(fake_github)
    res = handle_event("check_suite", suite(webhook_example, 7), ctx)  # the job's retry
    assert any("escalated to **sonnet**" in m for m in res.messages), res.messages
    assert tiers(ctx) == [("haiku", "failure", 1), ("sonnet", "dispatched", 2)]
    assert "Check `test` failed" in dispatches(fake_github)[-1]["inputs"]["context"]  # what failed, as the first time
    assert "| sonnet |" in sticky(fake_github) and len(said(fake_github, NOT_STARTED)) == 1
    for _ in range(2):  # redeliveries, later events on the PR: escalated once
        handle_event("check_suite", suite(webhook_example, 7), ctx)
    assert len(dispatches(fake_github)) == 2 and len(said(fake_github, "escalated to")) == 1


def test_a_run_that_pushed_nothing_escalates_on_the_retry(frozen, ctx, started, completed, fake_github):
    fake_github.fail_next("POST", DISPATCH, 500, body={"message": "Server Error"})
    with pytest.raises(GitHubError):
        finish(ctx, started, completed, fake_github, 5551, BRANCH)  # no commits on the branch: no_pr, a failure
    assert tiers(ctx) == [("haiku", "failure", 1), ("sonnet", DISPATCH_ERROR, 2)]
    finish(ctx, started, completed, fake_github, 5551, BRANCH)  # the job's retry
    assert tiers(ctx) == [("haiku", "failure", 1), ("sonnet", "dispatched", 2)]
    assert dispatches(fake_github)[-1]["inputs"]["context"].startswith("The previous attempt opened no pull request")
    finish(ctx, started, completed, fake_github, 5551, BRANCH)  # a redelivery
    assert len(dispatches(fake_github)) == 2 and len(said(fake_github, "escalated to")) == 1


def test_a_later_dispatch_by_a_person_supersedes_an_escalation_that_did_not_start(
        frozen, ctx, started, completed, fake_github, webhook_example):
    checks_fail_and_the_escalation_is_refused_once(ctx, started, completed, fake_github, webhook_example)
    assert executor.start_run(ctx, 1, cause="comment:99", by="octocat", tier="opus").started  # `/dispatch opus`
    handle_event("check_suite", suite(webhook_example, 7), ctx)  # the retry, or a later event: no second run
    assert [d["inputs"]["tier"] for d in dispatches(fake_github)] == ["haiku", "opus"]


# --- the Action: no queue retries its job, a person re-runs it -----------------------------------------------------


def action_said(fake, text):
    return [c["body"] for c in fake.comments(AREPO, 1) if text in c["body"]]


def report_job(fake, tmp_path, inputs, *, run_id=901):
    """The executor's `mode: report` step after a failed Haiku run ("Re-run failed jobs" keeps the run's id)."""
    event = {"inputs": inputs, "repository": {"full_name": AREPO}, "sender": {"login": "github-actions[bot]", "type": "Bot"}}
    ws = tmp_path / f"ws{run_id}"
    ws.mkdir(exist_ok=True)
    return act(settings(tmp_path, fake, "workflow_dispatch", event, mode="report", run_id=str(run_id), workspace=ws,
                        state_key=KEY, execution_file=action_execution(tmp_path / f"x{run_id}.json", ok=False)))


def test_the_actions_report_step_whose_escalation_github_refuses_escalates_once_when_re_run(
        fake_github, webhook_example, runner_env, tmp_path):
    fake_github.add_repo(AREPO)
    inputs = dispatched(fake_github, webhook_example, tmp_path)
    fake_github.fail_next("POST", DISPATCH, 500, body={"message": "Server Error"})
    code, log = report_job(fake_github, tmp_path, inputs)
    assert code == 1 and "GitHub 500" in log, log
    [comment] = action_said(fake_github, NOT_STARTED)
    assert "re-run this job" in comment.lower() and "/dispatch " in comment
    assert [(r.tier, r.status) for r in state(fake_github).runs] == [("haiku", "failure"), ("sonnet", DISPATCH_ERROR)]
    code, log = report_job(fake_github, tmp_path, inputs)  # a person re-runs the failed job
    assert code == 0, log
    assert [d["tier"] for d in action_dispatches(fake_github)] == ["haiku", "sonnet"]
    assert [(r.tier, r.status) for r in state(fake_github).runs] == [("haiku", "failure"), ("sonnet", "dispatched")]
    code, log = report_job(fake_github, tmp_path, inputs)  # re-run once more: nothing new
    assert code == 0 and len(action_dispatches(fake_github)) == 2, log


def test_an_actions_pr_closed_unmerged_whose_escalation_github_refuses_escalates_once_when_re_run(
        claimed, fake_github, webhook_example, runner_env, tmp_path):
    open_pull(fake_github)
    check_run(fake_github, "test", "failure")
    fake_github.fail_next("POST", DISPATCH, 500, body={"message": "Server Error"})
    code, log = close(fake_github, webhook_example, tmp_path, 7, merged=False)
    assert code == 1 and "GitHub 500" in log, log
    assert len(action_dispatches(fake_github)) == 1 and len(action_said(fake_github, NOT_STARTED)) == 1
    assert [r.status for r in state(fake_github).runs] == ["failure", DISPATCH_ERROR]  # what the re-run reads
    for _ in range(2):  # the re-run job, then a redelivery: escalated once
        code, log = close(fake_github, webhook_example, tmp_path, 7, merged=False)
        assert code == 0, log
    assert len(action_dispatches(fake_github)) == 2 and "Check `test` failed" in action_dispatches(fake_github)[-1]["context"]
    assert [(r.status, r.truth) for r in state(fake_github).runs][0] == ("failure", "closed_unmerged")


# --- a dispatch GitHub refused is no attempt ------------------------------------------------------------------------


def test_a_run_started_by_hand_after_a_refused_dispatch_is_the_first_attempt(fake_github, webhook_example, runner_env,
                                                                              tmp_path):
    """GitHub refused the `mode: dispatch` job's dispatch (no agent ran); a run a person then started by hand is
    attempt 1, so its failure escalates as attempt 2 of 3, not 3 of 3."""
    fake_github.add_repo(AREPO)
    fake_github.fail_next("POST", DISPATCH, 422, body={"message": "Workflow does not have 'workflow_dispatch' trigger"})
    with pytest.raises(AssertionError):
        dispatched(fake_github, webhook_example, tmp_path)  # nothing dispatched
    assert [r.status for r in state(fake_github).runs] == [DISPATCH_ERROR]
    code, log = report_job(fake_github, tmp_path, {"issue_number": "1", "tier": "haiku", "complexity": "trivial"})
    assert code == 0, log
    assert [(r.tier, r.status, r.attempt) for r in state(fake_github).runs] == [
        ("haiku", DISPATCH_ERROR, 1), ("haiku", "failure", 1), ("sonnet", "dispatched", 2)]
    assert action_said(fake_github, "attempt 2 of 3")
