"""Action mode true outcomes (#21): the executor's report step records the branch the run pushed (a step output), so
the run is pending until its pull request says more; the Action's own workflow then sees the PR close
(`pull_request_target`) or a writer review it (`pull_request_review`) and records what GitHub says in the issue's
signed state line, which later jobs learn from; a real failure escalates with what failed. Everything goes through
the Action's entry point and the OpenAPI-checking fake GitHub; every job starts with an empty store, as on GitHub."""

from __future__ import annotations

import copy
import json

import pytest

from bot.issues.state import decode, issue_key
from tests.plugins.action import REPO, act, parse_outputs, settings, sticky
from tests.test_action_learning import KEY, route_new, run as state_run, seed_routed, sticky_body

BRANCH = "claude/issue-1-20261120-1000"
SHA = "c" * 40
WRITER = "maintainer"


def execution(path, ok=True):
    path.write_text(json.dumps([{"type": "result", "subtype": "success" if ok else "error_during_execution",
                                 "is_error": not ok, "total_cost_usd": 0.03, "num_turns": 3, "result": "done"}]))
    return path


def state(fake, number=1):
    [comment] = sticky(fake, number)
    return decode(comment["body"], issue_key(KEY.encode(), REPO, number))


def dispatches(fake):
    return [d["inputs"] for d in fake.repo(REPO)["workflow_dispatches"]]


def dispatched(fake, webhook_example, tmp_path) -> dict:
    """Issue #1 routed and its executor run dispatched by a writer's `mode: dispatch` job: the run's inputs."""
    payload = copy.deepcopy(webhook_example("issues", "opened"))
    payload["issue"].update(number=1, title="Fix typo in README", body="There is a spelling mistake.", labels=[])
    payload["repository"]["full_name"] = REPO
    fake.seed_payload(payload)
    fake.set_permission(REPO, payload["sender"]["login"], "write")
    code, log = act(settings(tmp_path, fake, "issues", payload, mode="dispatch", state_key=KEY))
    assert code == 0 and dispatches(fake), log
    return dispatches(fake)[-1]


def report(fake, tmp_path, inputs, *, branch=BRANCH, ok=True, run_id=901, key=KEY) -> str:
    """The executor job's `mode: report` step, with claude-code-action's execution file and `branch_name` output."""
    event = {"inputs": inputs, "repository": {"full_name": REPO}, "sender": {"login": "github-actions[bot]", "type": "Bot"}}
    ws = tmp_path / f"ws{run_id}"
    ws.mkdir()
    code, log = act(settings(tmp_path, fake, "workflow_dispatch", event, mode="report", run_id=str(run_id), workspace=ws,
                             state_key=key, branch_name=branch, execution_file=execution(tmp_path / f"x{run_id}.json", ok)))
    assert code == 0, log
    return log


def open_pull(fake, number=7, *, branch=BRANCH, user=WRITER, body="Closes #1", sha=SHA):
    """A person opens the run's PR (claude-code-action's "Create PR" link): the Action never opens it itself."""
    fake.add_pull(REPO, number, title="Fix typo", body=body, head_sha=sha, head_ref=branch, user=user)
    return number


def check(fake, name, conclusion, sha=SHA):
    rid = fake.next_id()
    fake.repo(REPO)["check_runs"][rid] = {"id": rid, "head_sha": sha, "name": name, "status": "completed",
                                          "conclusion": conclusion, "output": {"title": name, "summary": "1 failed"},
                                          "annotations": []}


def close(fake, webhook_example, tmp_path, number, *, merged, branch=BRANCH, body="Closes #1",
          key=KEY) -> tuple[int, str]:
    """The PR closes (merged or not); the Action's workflow runs on `pull_request_target` `closed`."""
    issue = fake.repo(REPO)["issues"][number]
    issue["state"] = "closed"
    issue["pull"]["merged_at"] = "2026-11-20T12:00:00Z" if merged else None
    p = copy.deepcopy(webhook_example("pull_request", "closed"))
    p["pull_request"].update(number=number, body=body, merged=merged)
    p["pull_request"]["head"]["ref"], p["number"] = branch, number
    p["repository"]["full_name"] = REPO
    p["sender"].update(login=WRITER, type="User")
    code, log = act(settings(tmp_path, fake, "pull_request_target", p, state_key=key))
    return code, log


@pytest.fixture
def claimed(fake_github, webhook_example, runner_env, tmp_path):
    """Issue #1's Haiku run claimed success on BRANCH and opened no PR: pending (`claimed`), not a success."""
    fake_github.add_repo(REPO)
    fake_github.set_permission(REPO, WRITER, "write")
    log = report(fake_github, tmp_path, dispatched(fake_github, webhook_example, tmp_path))
    [run] = state(fake_github).runs
    assert (run.status, run.branch, run.truth, run.pr_number) == ("success", BRANCH, "claimed", None), log
    assert not [i for i in fake_github.repo(REPO)["issues"].values() if i["pull"]]  # the Action opened no PR
    return run


def test_the_report_steps_branch_makes_a_claimed_success_pending(claimed, fake_github, webhook_example, runner_env,
                                                                 tmp_path):
    outputs, log = route_new(fake_github, webhook_example, tmp_path, 30)
    assert "Learned from 1 recently routed issues (0 runs with an outcome" in log, log  # pending: not learned


def test_a_merged_pr_with_passing_checks_is_a_success_that_later_routing_learns(claimed, fake_github, webhook_example,
                                                                              runner_env, tmp_path):
    open_pull(fake_github)
    check(fake_github, "test", "success")
    code, log = close(fake_github, webhook_example, tmp_path, 7, merged=True)
    assert code == 0 and parse_outputs(runner_env["output"].read_text())["result"] == "outcome", log
    [run] = state(fake_github).runs
    assert (run.truth, run.status, run.pr_number) == ("merged", "success", 7), log
    assert "| PR #7 merged |" in sticky(fake_github, 1)[0]["body"]
    assert len(dispatches(fake_github)) == 1  # a success escalates nothing
    runner_env["output"].write_text("")
    outputs, log = route_new(fake_github, webhook_example, tmp_path, 30)
    assert "Learned from 1 recently routed issues (1 runs with an outcome" in log, log


def test_an_outcome_reads_the_issue_its_branch_names_before_the_whole_history(claimed, fake_github, webhook_example,
                                                                            runner_env, tmp_path):
    """The branch names the issue (claude/issue-1-…): its state line records the branch, so the run is found after
    one issue's comments; the history (a listing per `model:` label, then each issue) waits until routing needs it."""
    for n in range(20, 25):
        seed_routed(fake_github, n, sticky_body(n, [state_run(n)]))
    open_pull(fake_github)
    check(fake_github, "test", "success")
    start = len(fake_github.requests)
    code, log = close(fake_github, webhook_example, tmp_path, 7, merged=True)
    assert code == 0 and state(fake_github).runs[0].truth == "merged", log
    read = [r for r in fake_github.requests[start:] if r.operation_id in ("issues/list-comments", "issues/list-for-repo")]
    assert {r.path.split("/")[-2] for r in read if r.operation_id == "issues/list-comments"} <= {"1", "7"}, log
    assert not [r for r in read if r.operation_id == "issues/list-for-repo"], log


def test_a_pr_closed_unmerged_is_a_failure_and_escalates_with_context(claimed, fake_github, webhook_example,
                                                                     runner_env, tmp_path):
    open_pull(fake_github)
    check(fake_github, "test", "failure")
    code, log = close(fake_github, webhook_example, tmp_path, 7, merged=False)
    assert code == 0, log
    first = state(fake_github).runs[0]
    assert (first.truth, first.status) == ("closed_unmerged", "failure"), log
    escalation = dispatches(fake_github)[-1]
    assert len(dispatches(fake_github)) == 2 and escalation["tier"] != "haiku" and escalation["issue_number"] == "1"
    assert "#7" in escalation["context"] and "Check `test` failed" in escalation["context"], escalation["context"]
    assert [r.tier for r in state(fake_github).runs] == ["haiku", escalation["tier"]]
    close(fake_github, webhook_example, tmp_path, 7, merged=False)  # a redelivery (a re-run job): once only
    assert len(dispatches(fake_github)) == 2


def test_merged_with_failing_checks_is_a_failure(claimed, fake_github, webhook_example, runner_env, tmp_path):
    open_pull(fake_github)
    check(fake_github, "test", "failure")
    close(fake_github, webhook_example, tmp_path, 7, merged=True)
    run = state(fake_github).runs[0]
    assert (run.truth, run.status) == ("merged", "failure")
    assert len(dispatches(fake_github)) == 2  # escalated


@pytest.mark.parametrize("kind", ["outsider_branch", "outsider_on_the_run_branch"])
def test_an_outsiders_pr_changes_nothing(kind, claimed, fake_github, webhook_example, runner_env, tmp_path):
    fake_github.set_permission(REPO, "mallory", "read")
    branch = "fix-readme" if kind == "outsider_branch" else BRANCH
    open_pull(fake_github, 8, branch=branch, user="mallory", body="Closes #1")
    check(fake_github, "test", "success")
    before = sticky(fake_github, 1)[0]["body"]
    code, log = close(fake_github, webhook_example, tmp_path, 8, merged=kind == "outsider_branch", branch=branch)
    assert code == 0 and parse_outputs(runner_env["output"].read_text())["result"] == "ignored", log
    assert sticky(fake_github, 1)[0]["body"] == before and len(dispatches(fake_github)) == 1


@pytest.mark.parametrize("signed", [True, False])
def test_only_a_signed_state_line_ties_a_branch_to_a_run(signed, fake_github, webhook_example, runner_env, tmp_path):
    """Issue #5's state line claims the branch of a PR that merged: believed only when signed for #5 with the key."""
    fake_github.add_repo(REPO)
    branch = "claude/issue-5-20261120-1000"
    run = state_run(5).model_copy(update={"branch": branch, "truth": "claimed"})
    seed_routed(fake_github, 5, sticky_body(5, [run], key=KEY if signed else None))
    open_pull(fake_github, 9, branch=branch, user="claude[bot]", body="")
    check(fake_github, "test", "success")
    before = sticky(fake_github, 5)[0]["body"]
    code, log = close(fake_github, webhook_example, tmp_path, 9, merged=True, branch=branch, body="")
    assert code == 0, log
    if signed:
        assert state(fake_github, 5).runs[0].truth == "merged", log
    else:
        assert sticky(fake_github, 5)[0]["body"] == before, log
        assert parse_outputs(runner_env["output"].read_text())["result"] == "ignored"


def test_the_history_bound_does_not_hide_the_run_its_branch_names(claimed, fake_github, webhook_example, runner_env,
                                                                  tmp_path):
    open_pull(fake_github)
    check(fake_github, "test", "success")
    issue = fake_github.repo(REPO)["issues"][7]
    issue["state"], issue["pull"]["merged_at"] = "closed", "2026-11-20T12:00:00Z"
    p = copy.deepcopy(webhook_example("pull_request", "closed"))
    p["pull_request"].update(number=7, merged=True)
    p["pull_request"]["head"]["ref"], p["repository"]["full_name"] = BRANCH, REPO
    code, log = act(settings(tmp_path, fake_github, "pull_request_target", p, state_key=KEY, history_issues=0))
    assert code == 0 and state(fake_github).runs[0].truth == "merged", log



def test_a_convoy_task_advances_when_its_pull_request_merges_not_on_the_claim(fake_github, runner_env, tmp_path,
                                                                             webhook_example):
    from tests.test_action_convoy import TASKS, report as convoy_report

    fake_github.add_repo(REPO)
    fake_github.set_permission(REPO, WRITER, "write")
    fake_github.add_issue(REPO, 1, title="Fix typos everywhere", body="Several typos.")
    convoy_report(tmp_path, fake_github, {"issue_number": "1", "tier": "sonnet", "model": "claude-sonnet-x",
                                          "complexity": "standard", "routing_id": "p1", "mode": "plan"}, 201, 0.05,
                  plan={"tasks": TASKS})
    first = dispatches(fake_github)[0]  # task a, on sub-issue #2; b waits for it
    branch = f"claude/issue-{first['issue_number']}-20261120-1000"
    report(fake_github, tmp_path, first, branch=branch, run_id=202, key=None)  # the convoy's jobs sign nothing
    assert len(dispatches(fake_github)) == 2  # a claimed success: b still waits
    open_pull(fake_github, 9, branch=branch, body="")
    check(fake_github, "test", "success")
    code, log = close(fake_github, webhook_example, tmp_path, 9, merged=True, branch=branch, body="", key=None)
    assert code == 0 and len(dispatches(fake_github)) == 3, log  # merged: b is dispatched
    assert dispatches(fake_github)[-1]["issue_number"] == "3"


def test_a_writers_change_request_is_a_failure_and_escalates(claimed, fake_github, webhook_example, runner_env,
                                                             tmp_path):
    open_pull(fake_github)
    check(fake_github, "test", "success")
    fake_github.repo(REPO)["reviews"].append({
        "id": fake_github.next_id(), "pull_number": 7, "body": "Also fix docs/intro.md", "commit_id": SHA,
        "state": "CHANGES_REQUESTED", "user": fake_github.user(WRITER, "User"), "submitted_at": "2026-11-20T10:30:00Z"})
    p = copy.deepcopy(webhook_example("pull_request_review", "submitted"))
    p["pull_request"]["number"], p["pull_request"]["head"]["ref"] = 7, BRANCH
    p["repository"]["full_name"] = REPO
    code, log = act(settings(tmp_path, fake_github, "pull_request_review", p, state_key=KEY))
    assert code == 0 and state(fake_github).runs[0].truth == "review_failed", log
    assert "docs/intro.md" in dispatches(fake_github)[-1]["context"] and len(dispatches(fake_github)) == 2


def test_a_report_step_whose_pr_is_open_edits_the_sticky_comment_once(fake_github, webhook_example, runner_env,
                                                                      tmp_path):
    """The run's record and what its already-open PR says land in one edit of the sticky comment."""
    fake_github.add_repo(REPO)
    fake_github.set_permission(REPO, WRITER, "write")
    inputs = dispatched(fake_github, webhook_example, tmp_path)
    open_pull(fake_github)
    check(fake_github, "test", "success")
    before = len(fake_github.requests)
    log = report(fake_github, tmp_path, inputs)
    edits = [r for r in fake_github.requests[before:] if r.method == "PATCH" and "/issues/comments/" in r.path]
    [run] = state(fake_github).runs
    assert (run.status, run.truth, run.pr_number) == ("success", "checks_passed", 7), log
    assert len(edits) == 1, log


@pytest.mark.parametrize("branch", ["main", ""], ids=["default_branch", "empty"])
def test_a_report_step_naming_no_branch_of_its_own_is_no_pr(branch, fake_github, webhook_example, runner_env,
                                                            tmp_path):
    """An agent that pushed to the default branch, or pushed no branch (an empty `branch-name`), has no PR branch:
    its claimed success is `no_pr`, a failure that escalates (docs/security.md), as the App records a run file
    naming none (bot.runs.finished.pushed_nothing), not a success believed on the agent's word."""
    fake_github.add_repo(REPO)
    fake_github.set_permission(REPO, WRITER, "write")
    log = report(fake_github, tmp_path, dispatched(fake_github, webhook_example, tmp_path), branch=branch)
    [run, *_] = state(fake_github).runs
    assert (run.status, run.branch, run.truth) == ("failure", None, "no_pr"), log
    assert len(dispatches(fake_github)) == 2, log  # escalated once


def test_an_escalation_in_an_outcome_job_counts_the_historys_runs_against_the_cap(fake_github, webhook_example,
                                                                                  runner_env, tmp_path, time_machine):
    """The outcome job finds the run on the issue its branch names, without the history; the escalation it starts
    still meets `budgets.max_concurrent_runs` counting the runs the history holds (another issue's run in flight)."""
    from datetime import timedelta

    from tests.test_action_learning import WHEN

    time_machine.move_to(WHEN + timedelta(hours=1), tick=False)
    fake_github.add_repo(REPO)
    for ref in ("main", webhook_example("pull_request", "closed")["repository"]["default_branch"]):  # as events say
        fake_github.set_file(REPO, ".github/model-router.yml", "budgets:\n  max_concurrent_runs: 1\n", ref=ref)
    fake_github.set_permission(REPO, WRITER, "write")
    report(fake_github, tmp_path, dispatched(fake_github, webhook_example, tmp_path))
    seed_routed(fake_github, 20, sticky_body(20, [state_run(20, status="dispatched")]))  # in flight elsewhere
    open_pull(fake_github)
    check(fake_github, "test", "failure")
    code, log = close(fake_github, webhook_example, tmp_path, 7, merged=False)
    assert code == 0 and state(fake_github).runs[0].truth == "closed_unmerged", log
    assert len(dispatches(fake_github)) == 1 and "cap is 1" in log, log
