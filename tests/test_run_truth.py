"""A run's outcome is what GitHub says about its pull request (#21): through the App with the OpenAPI-checking
fake GitHub, the run's PR (found by the branch its own artifact named) merged with checks passing is a success,
closed unmerged a failure; an outsider's PR, a fork's PR on the same branch name, a `Closes #1` change nothing."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bot.github.port import GitHubError
from bot.handlers import handle_event
from bot.runs import required_checks, truth
from bot.simulator.github_shapes import ACTIONS_APP_ID
from tests.test_outcomes_workflow_run import REPO, completed, config, ctx, execution, started, sticky  # noqa: F401  (fixtures)

BRANCH = "claude/issue-1-20261120-1000"
SHA = "c" * 40
ACTIONS = ACTIONS_APP_ID  # GitHub Actions' app id
T0 = datetime(2026, 11, 20, 10, 0)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)


def finish(ctx, started, completed, fake_github, branch=BRANCH):
    """The Haiku run finishes claiming success; its artifact names the branch the executor pushed."""
    p = completed(started, artifact=None)
    fake_github.add_artifact(REPO, 5551, "model-router-execution-5551-1", files={
        "tmp/claude-execution-output.json": execution(), "model-router-run.json": json.dumps({"branch_name": branch})})
    return handle_event("workflow_run", p, ctx)


@pytest.fixture
def ran(frozen, ctx, started, completed, fake_github):
    """The Haiku run finished claiming success with its PR #7 open, its checks still running."""
    pull(fake_github)
    check(fake_github, "test", None)
    assert finish(ctx, started, completed, fake_github).outputs["success"] == "true"
    [row] = ctx.store.dispatches(REPO, 1)
    assert (row.branch, row.status, row.truth, row.pr_number) == (BRANCH, "success", "claimed", 7)  # pending
    return row


def pull(fake_github, number=7, *, branch=BRANCH, user="claude[bot]", head_repo=None, body="", merged_at=None,
         state="open", sha=SHA):
    fake_github.add_pull(REPO, number, title="Fix typo", body=body, head_sha=sha, head_ref=branch, user=user)
    issue = fake_github.repo(REPO)["issues"][number]
    issue["state"] = state
    issue["pull"].update(head_repo=head_repo, merged_at=merged_at)
    return number


def check(fake_github, name, conclusion, *, sha=SHA, app_id=ACTIONS):
    """A check run on the PR's head, as a CI app reports it (GitHub Actions unless `app_id` says)."""
    runs = fake_github.repo(REPO)["check_runs"]
    rid = fake_github.next_id()
    runs[rid] = {"id": rid, "head_sha": sha, "name": name, "status": "completed" if conclusion else "in_progress",
                 "conclusion": conclusion, "app_id": app_id, "output": {}, "annotations": []}


def closed(webhook_example, number, branch=BRANCH):
    p = webhook_example("pull_request", "closed")
    p["pull_request"]["number"], p["number"] = number, number
    p["pull_request"]["head"]["ref"] = branch
    p["repository"]["full_name"] = REPO
    return p


def suite(webhook_example, number, branch=BRANCH):
    p = webhook_example("check_suite", "completed")
    p["check_suite"].update(head_branch=branch, head_sha=SHA, pull_requests=[{"number": number}])
    p["repository"]["full_name"] = REPO
    return p


def test_merged_with_checks_passing_is_a_success_with_its_time_to_merge(ctx, ran, fake_github, webhook_example):
    check(fake_github, "test", "success")
    pull(fake_github, state="closed", merged_at="2026-11-20T11:30:00Z")
    res = handle_event("pull_request", closed(webhook_example, 7), ctx)
    assert res.action == "outcome" and "merged" in res.messages[0] and "success" in res.messages[0]
    [row] = ctx.store.dispatches(REPO, 1)
    assert (row.truth, row.status, row.pr_number, row.time_to_merge_s) == ("merged", "success", 7, 5400.0)
    again = handle_event("pull_request", closed(webhook_example, 7), ctx)  # a redelivery converges
    assert again.action == "ignored" and ctx.store.dispatches(REPO, 1) == [row]


def test_closed_unmerged_is_a_failure_and_escalates_once(ctx, ran, fake_github, webhook_example):
    check(fake_github, "test", "success")
    pull(fake_github, state="closed")
    assert len(fake_github.repo(REPO)["workflow_dispatches"]) == 1  # the Haiku run
    res = handle_event("pull_request", closed(webhook_example, 7), ctx)
    assert any("escalated to **sonnet**" in m for m in res.messages), res.messages
    row, nxt = ctx.store.dispatches(REPO, 1)
    assert (row.truth, row.status, row.time_to_merge_s) == ("closed_unmerged", "failure", None)
    assert "| PR #7 closed unmerged |" in sticky(fake_github)  # the agent's "success" is no longer what it shows
    assert (nxt.tier, nxt.attempt, nxt.status) == ("sonnet", 2, "dispatched")
    assert fake_github.repo(REPO)["workflow_dispatches"][-1]["inputs"]["tier"] == "sonnet"
    n_comments = len(fake_github.comments(REPO, 1))
    assert handle_event("pull_request", closed(webhook_example, 7), ctx).action == "ignored"  # a redelivery
    assert len(fake_github.repo(REPO)["workflow_dispatches"]) == 2 and len(fake_github.comments(REPO, 1)) == n_comments


def test_failing_checks_then_a_merge_is_not_a_success(ctx, ran, fake_github, webhook_example):
    check(fake_github, "test", "failure")
    res = handle_event("check_suite", suite(webhook_example, 7), ctx)
    row = ctx.store.dispatches(REPO, 1)[0]
    assert res.action == "outcome" and (row.truth, row.status) == ("checks_failed", "failure")  # failing: a failure
    fake_github.repo(REPO)["issues"][7]["state"] = "closed"
    fake_github.repo(REPO)["issues"][7]["pull"]["merged_at"] = "2026-11-20T11:00:00Z"
    handle_event("pull_request", closed(webhook_example, 7), ctx)
    row = ctx.store.dispatches(REPO, 1)[0]
    assert (row.truth, row.status) == ("merged", "failure")


def tally(ctx):
    [group] = ctx.store.rollup(REPO)
    return group.tally.haiku_first_runs, group.tally.haiku_first_successes


def test_an_open_pr_is_pending_in_the_measures_and_learning_until_it_merges(ctx, ran, fake_github, webhook_example):
    assert tally(ctx) == (0, 0) and ctx.store.knowledge().size == 0  # the claim, its PR open: pending
    check(fake_github, "test", "success")
    handle_event("check_suite", suite(webhook_example, 7), ctx)
    assert ctx.store.dispatches(REPO, 1)[0].truth == "checks_passed"
    assert tally(ctx) == (0, 0) and ctx.store.knowledge().size == 0  # open: pending, not a success
    fake_github.repo(REPO)["issues"][7]["state"] = "closed"
    fake_github.repo(REPO)["issues"][7]["pull"]["merged_at"] = "2026-11-20T11:00:00Z"
    handle_event("pull_request", closed(webhook_example, 7), ctx)
    assert tally(ctx) == (1, 1) and ctx.store.knowledge().size == 1


def test_a_rerun_that_passes_before_the_merge_counts(ctx, ran, fake_github, webhook_example):
    check(fake_github, "test", "failure")
    handle_event("check_suite", suite(webhook_example, 7), ctx)
    check(fake_github, "test", "success")  # re-run: the latest run of "test" counts
    handle_event("check_suite", suite(webhook_example, 7), ctx)
    assert ctx.store.dispatches(REPO, 1)[0].truth == "checks_passed"


@pytest.mark.parametrize("kind", ["outsider_branch", "fork_same_branch", "outsider_on_the_branch"])
def test_an_outsiders_pr_changes_nothing(ctx, ran, fake_github, webhook_example, kind):
    check(fake_github, "test", "success")
    number, branch = {
        "outsider_branch": (pull(fake_github, 8, branch="fix-readme", user="mallory", body="Closes #1",
                                 state="closed", merged_at="2026-11-20T11:00:00Z"), "fix-readme"),
        "fork_same_branch": (pull(fake_github, 9, user="claude[bot]", head_repo="mallory/octo-repo", body="Closes #1",
                                  state="closed"), BRANCH),
        "outsider_on_the_branch": (pull(fake_github, 10, user="mallory", state="closed"), BRANCH),
    }[kind]
    res = handle_event("pull_request", closed(webhook_example, number, branch), ctx)
    assert res.action == "ignored", res.messages
    [row] = ctx.store.dispatches(REPO, 1)
    assert (row.truth, row.pr_number, row.status) == ("claimed", 7, "success")


def test_checks_github_will_not_show_are_not_a_pass(ctx, ran, fake_github, webhook_example):
    pull(fake_github, state="closed", merged_at="2026-11-20T11:30:00Z")
    fake_github.fail_next("GET", r"/check-runs$", 403)
    res = handle_event("pull_request", closed(webhook_example, 7), ctx)
    assert res.messages[0].endswith("merged (#7), pending")  # merged, checks unknown: not settled
    assert ctx.store.dispatches(REPO, 1)[0].truth == "merged"
    res = handle_event("pull_request", closed(webhook_example, 7), ctx)  # readable now: no checks at all
    assert res.action == "ignored"  # the same state; the run's status is the same either way


def test_an_unreadable_pull_request_is_not_an_outcome(ctx, ran, fake_github, webhook_example):
    fake_github.fail_next("GET", r"/pulls/7$", 404)
    fake_github.repo(REPO)["issues"][7]["state"] = "closed"
    assert handle_event("pull_request", closed(webhook_example, 7), ctx).action == "ignored"
    assert ctx.store.dispatches(REPO, 1)[0].truth == "claimed"


def test_checks_that_finish_after_the_merge_settle_it(ctx, ran, fake_github, webhook_example):
    check(fake_github, "test", None)  # still running
    pull(fake_github, state="closed", merged_at="2026-11-20T11:30:00Z")
    res = handle_event("pull_request", closed(webhook_example, 7), ctx)
    assert res.messages[0].endswith("merged (#7), pending")
    check(fake_github, "test", "failure")
    p = suite(webhook_example, 7)
    p["check_suite"]["pull_requests"] = []  # GitHub lists no PR once it is merged
    res = handle_event("check_suite", p, ctx)
    assert res.action == "outcome" and res.messages[0].endswith("merged (#7), failure")
    assert ctx.store.dispatches(REPO, 1)[0].status == "failure"


def test_a_merge_is_final_whatever_a_stale_event_read(ctx, ran, fake_github, webhook_example):
    check(fake_github, "test", "success")
    pull(fake_github, state="closed", merged_at="2026-11-20T11:30:00+01:00")  # an offset is converted to UTC
    handle_event("pull_request", closed(webhook_example, 7), ctx)
    assert ctx.store.dispatches(REPO, 1)[0].time_to_merge_s == 1800.0
    fake_github.repo(REPO)["issues"][7]["state"] = "open"  # what a job that read the PR before the merge saw
    fake_github.repo(REPO)["issues"][7]["pull"]["merged_at"] = None
    assert handle_event("check_suite", suite(webhook_example, 7), ctx).action == "ignored"
    assert (ctx.store.dispatches(REPO, 1)[0].truth, ctx.store.dispatches(REPO, 1)[0].status) == ("merged", "success")


def test_a_check_suite_of_no_run_reads_nothing(ctx, ran, fake_github, webhook_example):
    res = handle_event("check_suite", suite(webhook_example, 11, branch="someone-else"), ctx)
    assert res.action == "ignored" and ctx.store.dispatches(REPO, 1)[0].truth == "claimed"


@pytest.mark.parametrize("name", ["claude/issue-1", "feature/a.b", "a" * 255])
def test_branch_names_that_git_accepts(name):
    assert truth.valid_branch(name) == name and truth.branch_of({"model-router-run.json": json.dumps({"branch_name": name})}) == name


@pytest.mark.parametrize("name", ["", "a" * 256, "../main", "a..b", "-x", "a/", "/a", "a//b", ".hidden", "x.lock",
                                  "a b", "a~1", "a^", "a:b", "a@{1}", "é", None, 5, ["x"]])
def test_branch_names_git_refuses_are_not_believed(name):
    assert truth.valid_branch(name) is None
    assert truth.branch_of({"model-router-run.json": json.dumps({"branch_name": name})}) is None
    assert truth.branch_of({"model-router-run.json": "not json"}) is None and truth.branch_of({}) is None


def test_the_checks_verdict():
    assert truth.checks([], []) == "passed"
    assert truth.checks([("ci", "success", None), ("ci", "failure", None)], []) == "passed"  # the newest per context counts
    assert truth.checks([("ci", "error", None)], [("t", "completed", "success", ACTIONS)]) == "failed"
    assert truth.checks([], [("t", "completed", "timed_out", ACTIONS)]) == "failed"
    assert truth.checks([("ci", "pending", None)], []) == "pending"
    assert truth.checks([], [("t", "in_progress", None, ACTIONS), ("u", "completed", "success", None)]) == "pending"
    assert truth.checks([], [("t", "completed", "skipped", ACTIONS), ("u", "completed", "neutral", 7)]) == "passed"


def test_a_required_check_pinned_to_an_app_counts_only_that_apps_check_runs():
    """GitHub's merge gate: a required check pinned to an app (rulesets' `integration_id`, classic protection's
    `app_id`) is met by that app's check run of the name, never another app's; a commit status of the name whose app
    is not known counts too (a status-reporting CI's check is pinned to it by default: tests/test_status_apps.py)."""
    pinned, other = [("ci", ACTIONS)], 999
    ours = ("ci", "completed", "success", ACTIONS)
    theirs = ("ci", "completed", "success", other)
    assert truth.checks([], [ours], pinned) == "passed"
    assert truth.checks([], [theirs], pinned) == "pending"  # the pinned app has not reported it
    assert truth.checks([], [theirs, ("ci", "completed", "failure", ACTIONS)], pinned) == "failed"
    assert truth.checks([], [ours, ("ci", "completed", "failure", other)], pinned) == "passed"
    assert truth.checks([("ci", "success", None)], [theirs], pinned) == "passed"  # a CI that reports statuses settles
    assert truth.checks([("ci", "failure", None)], [ours], pinned) == "failed"  # the worst of what counts decides
    assert truth.checks([], [ours, theirs], [("ci", ACTIONS), ("ci", None)]) == "passed"  # both layers' rules
    assert truth.counts("ci", ACTIONS, pinned) and not truth.counts("ci", other, pinned)
    assert truth.counts("ci", None, pinned) and truth.counts("lint", other, ())


def test_an_unpinned_required_check_is_met_by_any_source_as_before():
    """Unpinned (None: GitHub's null, -1 or absent app id): a check run from any app and a status of the name both
    count, the worst of them decides (GitHub requires both a check and a status of a required name)."""
    anyone = [("ci", None)]
    assert truth.checks([("ci", "success", None)], [], anyone) == "passed"
    assert truth.checks([], [("ci", "completed", "success", 999)], anyone) == "passed"
    assert truth.checks([("ci", "failure", None)], [("ci", "completed", "success", ACTIONS)], anyone) == "failed"
    assert truth.checks([], [("lint", "completed", "failure", ACTIONS)], anyone) == "pending"


def test_the_outcome_states():
    assert truth.outcome(state="closed", merged=True, checked="passed") == ("merged", True)
    assert truth.outcome(state="closed", merged=True, checked="failed") == ("merged", False)
    assert truth.outcome(state="closed", merged=True, checked="pending") == ("merged", None)
    assert truth.outcome(state="closed", merged=False, checked="passed") == ("closed_unmerged", False)
    assert truth.outcome(state="open", merged=False, checked="passed") == ("checks_passed", None)
    assert truth.outcome(state="open", merged=False, checked="failed") == ("checks_failed", False)
    assert truth.outcome(state="open", merged=False, checked="passed", changes_requested=True) == ("review_failed", False)
    assert truth.outcome(state="open", merged=False, checked="failed", changes_requested=True) == ("checks_failed", False)
    assert truth.outcome(state="open", merged=False, checked="pending") == ("claimed", None)
    assert {truth.outcome(state=s, merged=m, checked=c, changes_requested=r)[0] for s in ("open", "closed")
            for m in (False, True) for c in ("passed", "failed", "pending") for r in (False, True)} <= set(truth.STATES)


def test_the_runs_table_shows_what_github_says_of_the_pr():
    from bot.issues.render import pr_state, runs_section

    assert pr_state({"truth": "merged", "pr_number": 7}) == "PR #7 merged"
    assert pr_state({"truth": "checks_failed", "pr_number": 7}) == "PR #7 checks failed"
    assert [pr_state(r) for r in ({}, {"truth": "merged"}, {"truth": "merged", "pr_number": True}, {"truth": "", "pr_number": 7})] == [None] * 4
    assert [pr_state({"truth": t}) for t in ("no_pr", "issue_completed", "claimed")] == [
        "no PR: nothing changed", "no PR; closed as completed", "awaiting its PR"]
    table = runs_section([{"attempt": 1, "tier": "haiku", "model": "m", "conclusion": "success", "truth": "closed_unmerged",
                           "pr_number": 7}])
    assert "| PR #7 closed unmerged |" in table and "| success |" not in table


def test_the_first_look_reads_the_pr_it_found_once(frozen, ctx, started, completed, fake_github):
    pull(fake_github)
    check(fake_github, "test", None)
    finish(ctx, started, completed, fake_github)
    assert ctx.store.dispatches(REPO, 1)[0].pr_number == 7
    assert [r.path for r in fake_github.requests if r.method == "GET" and r.path.endswith("/pulls/7")] == []


def test_a_pr_off_the_runs_branch_costs_no_permission_lookup(ctx, ran, fake_github, webhook_example):
    pull(fake_github, 8, branch="fix-readme", user="mallory", state="closed")
    before = len(fake_github.requests)
    res = handle_event("pull_request", closed(webhook_example, 8, BRANCH), ctx)  # the event's branch is not the PR's
    assert res.action == "ignored" and "not the run's branch" in res.messages[0], res.messages
    assert not [r.path for r in fake_github.requests[before:] if "/collaborators/" in r.path]


def _sticky_edits(fake_github):
    return [r for r in fake_github.requests if r.method == "PATCH" and "/issues/comments/" in r.path]


@pytest.mark.parametrize("checks", ["success", None])
def test_a_run_ending_edits_the_sticky_comment_once(ctx, frozen, started, completed, fake_github, checks):
    """The run's record and what its PR says land in one edit of the sticky comment, not one each."""
    pull(fake_github)
    check(fake_github, "test", checks)
    before = len(_sticky_edits(fake_github))
    finish(ctx, started, completed, fake_github)
    [row] = ctx.store.dispatches(REPO, 1)
    assert row.truth == ("checks_passed" if checks else "claimed") and row.pr_number == 7
    assert len(_sticky_edits(fake_github)) - before == 1
    body = sticky(fake_github)
    assert "$0.01" in body and ("PR #7 checks passed" if checks else "PR #7 claimed") in body


def test_a_run_that_pushed_nothing_edits_the_sticky_comment_once(ctx, frozen, started, completed, fake_github):
    before = len(_sticky_edits(fake_github))
    p = completed(started, artifact=None)
    fake_github.add_artifact(REPO, 5551, "model-router-execution-5551-1", files={
        "tmp/claude-execution-output.json": execution(), "model-router-run.json": json.dumps({})})
    handle_event("workflow_run", p, ctx)
    assert ctx.store.dispatches(REPO, 1)[0].truth == "no_pr"
    assert len(_sticky_edits(fake_github)) - before == 1


CLASSIC = f"/repos/{REPO}/branches/"  # "Get a branch": classic branch protection's required checks


def _reads(fake_github, since, part):
    return [r for r in fake_github.requests[since:] if r.method == "GET" and part in r.path]


def test_required_checks_are_read_once_per_base_branch_while_fresh(ctx, ran, fake_github, webhook_example):
    """#36: a check suite re-reads the PR's statuses and check runs, but the base branch's rules only when the
    process's copy is older than its TTL; a passing suite reads no annotations."""
    from bot.runs.required_checks import RequiredChecks

    now = [0.0]
    ctx.required_checks = RequiredChecks(ttl=300, clock=lambda: now[0])
    fake_github.repo(REPO).setdefault("required_checks", {})["main"] = ["test"]
    fake_github.protect_branch(REPO, "main", ["build"])  # classic protection too: one more read per TTL
    start = len(fake_github.requests)
    check(fake_github, "test", "success")
    check(fake_github, "build", "success")
    check(fake_github, "lint", "failure")  # required by neither
    for _ in range(3):
        handle_event("check_suite", suite(webhook_example, 7), ctx)
    assert ctx.store.dispatches(REPO, 1)[0].truth == "checks_passed"
    assert len(_reads(fake_github, start, "/rules/branches/")) == 1
    assert len(_reads(fake_github, start, CLASSIC)) == 1
    assert len(_reads(fake_github, start, "/check-runs")) == 3  # the head's checks: every event
    assert _reads(fake_github, start, "/annotations") == []  # nothing failed: no annotations read
    now[0] = 301.0  # a ruleset or protection change is seen once the copy is older than the TTL
    fake_github.protect_branch(REPO, "main", ["build", "lint"])
    handle_event("check_suite", suite(webhook_example, 7), ctx)
    assert len(_reads(fake_github, start, "/rules/branches/")) == len(_reads(fake_github, start, CLASSIC)) == 2
    assert ctx.store.dispatches(REPO, 1)[0].truth == "checks_failed"


def test_unreadable_required_checks_are_not_kept(ctx, ran, fake_github, webhook_example):
    from bot.runs.required_checks import RequiredChecks

    ctx.required_checks = RequiredChecks(ttl=300, clock=lambda: 0.0)
    start = len(fake_github.requests)
    fake_github.fail_next("GET", r"/rules/branches/", 403)
    handle_event("check_suite", suite(webhook_example, 7), ctx)
    handle_event("check_suite", suite(webhook_example, 7), ctx)
    assert len(_reads(fake_github, start, "/rules/branches/")) == 2


def test_unreadable_rules_are_not_kept_and_leave_classic_protection_unread(ctx, ran, fake_github, webhook_example):
    from bot.runs.required_checks import RequiredChecks

    ctx.required_checks = RequiredChecks(ttl=300, clock=lambda: 0.0)
    fake_github.protect_branch(REPO, "main", ["test"])
    start = len(fake_github.requests)
    fake_github.fail_next("GET", r"/rules/branches/", 404)
    assert required_checks.required(ctx, "main") == ()  # every check counts: the stricter reading
    assert _reads(fake_github, start, CLASSIC) == [] and ctx.required_checks.get(REPO, "main") is None


@pytest.mark.parametrize("status", [403, 404])
def test_no_access_to_the_branch_or_no_branch_is_no_classic_checks(status, ctx, fake_github):
    """403: the token may not read the branch; 404: no such branch (yet). The rulesets' checks still count, kept."""
    from bot.runs.required_checks import RequiredChecks

    ctx.required_checks = RequiredChecks(ttl=300, clock=lambda: 0.0)
    fake_github.repo(REPO)["required_checks"] = {"main": ["build"]}
    fake_github.protect_branch(REPO, "main", ["ci"])
    start = len(fake_github.requests)
    fake_github.fail_next("GET", CLASSIC, status)
    assert required_checks.required(ctx, "main") == required_checks.required(ctx, "main") == (("build", None),)
    assert len(_reads(fake_github, start, CLASSIC)) == 1  # kept like any answer


def test_a_transient_classic_read_error_raises_and_keeps_nothing(ctx, fake_github):
    from bot.runs.required_checks import RequiredChecks

    ctx.required_checks = RequiredChecks(ttl=300, clock=lambda: 0.0)
    fake_github.protect_branch(REPO, "main", ["ci"])
    fake_github.fail_next("GET", CLASSIC, 503, times=20)  # past the client's retries
    with pytest.raises(GitHubError) as info:
        required_checks.required(ctx, "main")
    assert info.value.transient and ctx.required_checks.get(REPO, "main") is None
    fake_github.faults.clear()
    assert required_checks.required(ctx, "main") == (("ci", None),)  # the rulesets' (none) and classic protection's


def test_the_required_checks_are_the_rulesets_and_classic_protections_once_each(ctx, fake_github):
    fake_github.repo(REPO)["required_checks"] = {"main": ["build", "ci"]}
    fake_github.protect_branch(REPO, "main", ["ci", "e2e"])
    assert required_checks.required(ctx, "main") == (("build", None), ("ci", None), ("e2e", None))


@pytest.mark.parametrize("layer", ["required", "classic"])  # the rulesets' or classic protection's
def test_a_pinned_required_check_through_the_memory_fake(layer, memory_github):
    """MemoryGitHub keeps each check run's app and each required check's pin: the App's own "ci" neither meets nor
    fails a "ci" pinned to GitHub Actions; Actions' "ci" decides, and is the failure told."""
    from bot.context import Context
    from bot.github.port import PullInfo, RequiredCheck
    from bot.runs.pr_view import read_pull

    memory_github.add_repo(REPO)
    getattr(memory_github.repos[REPO], layer)["main"] = [RequiredCheck("ci", ACTIONS)]
    ctx = Context(gh=memory_github, repo=REPO, store=None, configs=None)
    pull = PullInfo(number=7, head_sha=SHA, state="closed", merged=True)
    memory_github.create_check_run(REPO, SHA, "ci", "failure", "t", "s")  # another app's (the App's own)
    assert read_pull(ctx, pull).checked == "pending"
    actions = {"repo": REPO, "sha": SHA, "name": "ci", "status": "completed", "app_id": ACTIONS}
    memory_github.checks.append(dict(actions, conclusion="success"))
    assert read_pull(ctx, pull).checked == "passed"
    memory_github.checks.append(dict(actions, conclusion="failure"))
    view = read_pull(ctx, pull)
    assert view.checked == "failed" and len(view.failing) == 1  # Actions' "ci" alone: not the others' "ci"


def test_the_required_checks_are_kept_with_the_app_each_is_pinned_to(ctx, fake_github):
    """Both layers' checks, each (name, app) once, kept as read: a name pinned by one and not the other is both."""
    from bot.runs.required_checks import RequiredChecks

    ctx.required_checks = RequiredChecks(ttl=300, clock=lambda: 0.0)
    fake_github.repo(REPO)["required_checks"] = {"main": [("ci", ACTIONS), "build"]}
    fake_github.protect_branch(REPO, "main", ["ci", "build"], app_id=ACTIONS)
    expected = (("ci", ACTIONS), ("build", None), ("build", ACTIONS))
    assert required_checks.required(ctx, "main") == expected and ctx.required_checks.get(REPO, "main") == expected


def test_the_required_checks_cache_is_bounded():
    from bot.runs.required_checks import RequiredChecks

    cache = RequiredChecks(ttl=300, size=2, clock=lambda: 0.0)
    for base in ("a", "b", "c"):
        cache.put("o/r", base, (base,))
    assert (cache.get("o/r", "a"), cache.get("o/r", "b"), cache.get("O/R", "c")) == (None, ("b",), ("c",))


def test_the_default_branch_is_never_a_runs_branch():
    assert truth.run_branch("main", "main") is None and truth.run_branch("HEAD", "main") is None
    assert truth.run_branch(BRANCH, "main") == BRANCH and truth.run_branch("../x", "main") is None


def test_a_run_that_names_the_default_branch_has_no_pull_request_there(ctx, frozen, started, completed, fake_github,
                                                                      webhook_example):
    """The agent pushed to main (or its artifact says so): main is not the run's PR branch, so a PR from main (a
    writer's release PR, merged) is not its outcome; nor is it when a forged record names main."""
    pull(fake_github, branch="main", user="octocat", state="closed", merged_at="2026-11-20T11:00:00Z")
    finish(ctx, started, completed, fake_github, branch="main")
    row = ctx.store.dispatches(REPO, 1)[0]
    assert (row.branch, row.truth) == (None, "no_pr")  # no PR branch: fail closed (it escalates)
    ctx.store.update_dispatch(row.dispatch_id, branch="main", truth="claimed")  # a forged record
    res = handle_event("pull_request", closed(webhook_example, 7, branch="main"), ctx)
    assert res.action == "ignored" and ctx.store.dispatches(REPO, 1)[0].truth == "claimed", res.messages


def test_a_run_whose_pr_lookup_fails_still_shows_its_record_and_the_retry_its_pr(ctx, frozen, started, completed,
                                                                                fake_github):
    """The run is recorded before its PR is looked up: when GitHub fails that lookup (the job is retried), the sticky
    comment still shows the run's end (cost, status), and the retried job what its PR says."""
    from bot.github.port import GitHubError

    pull(fake_github)
    check(fake_github, "test", None)
    fake_github.fail_next("GET", r"/pulls$", 502, times=20)
    with pytest.raises(GitHubError):
        finish(ctx, started, completed, fake_github)
    [row] = ctx.store.dispatches(REPO, 1)
    assert row.status == "success" and row.pr_number is None
    assert "$0.01" in sticky(fake_github)
    fake_github.faults.clear()
    finish(ctx, started, completed, fake_github)  # the job again
    assert ctx.store.dispatches(REPO, 1)[0].pr_number == 7 and "PR #7 claimed" in sticky(fake_github)


def _repo_reads(fake_github, since):
    return [r for r in fake_github.requests[since:] if r.method == "GET" and r.path == f"/repos/{REPO}"]


def test_a_workflow_run_reads_the_default_branch_at_most_once(frozen, ctx, started, completed, fake_github):
    """#44: every event on a run's branch asks whether it is the default branch; the answer is read once per job
    (the Context keeps it), and once per repository while the process's copy is fresh (`required_checks.Kept`)."""
    from bot.kept import Kept

    now = [0.0]
    ctx.default_branches, ctx._default_branch = Kept(ttl=300, clock=lambda: now[0]), None  # a job's new Context
    pull(fake_github)
    check(fake_github, "test", None)
    start = len(fake_github.requests)
    finish(ctx, started, completed, fake_github)
    assert ctx.store.dispatches(REPO, 1)[0].pr_number == 7
    assert len(_repo_reads(fake_github, start)) <= 1
    ctx._default_branch = None  # the next job's Context: the process's copy answers
    start = len(fake_github.requests)
    check(fake_github, "test", "success")
    handle_event("workflow_run", completed(started, artifact=None), ctx)
    assert _repo_reads(fake_github, start) == []
    now[0] = 301.0  # a renamed default branch is seen once the copy is older than the TTL
    ctx._default_branch = None
    from bot.runs.pull_outcome import run_branch
    assert run_branch(ctx, BRANCH) == BRANCH and len(_repo_reads(fake_github, start)) == 1


def test_an_unreadable_default_branch_raises_and_is_not_kept(ctx, ran, fake_github):
    """Fail closed: GitHub failing the read is never "not the default branch"; the queue retries the job."""
    from bot.github.port import GitHubError
    from bot.runs.pull_outcome import run_branch
    from bot.kept import Kept

    ctx.default_branches, ctx._default_branch = Kept(ttl=300, clock=lambda: 0.0), None
    fake_github.fail_next("GET", f"/repos/{REPO}$", 502, times=20)
    with pytest.raises(GitHubError):
        run_branch(ctx, BRANCH)
    fake_github.faults.clear()
    start = len(fake_github.requests)
    assert run_branch(ctx, "main") is None and run_branch(ctx, BRANCH) == BRANCH
    assert len(_repo_reads(fake_github, start)) == 1


def dispatch_on(ctx, number):
    """Route issue `number` and dispatch a Haiku run on it, as /dispatch would."""
    from bot.issues.service import route_issue
    from bot.models import Tier
    from bot.runs import executor

    route_issue(ctx, number)
    res = executor.start_run(ctx, number, cause="comment:43", by="octocat", tier=Tier.haiku, comment_id=43)
    assert res.started
    return res.dispatch


def test_a_branch_another_run_pushed_is_not_taken_over(ctx, ran, completed, fake_github, caplog):
    """A forged run file naming another run's branch neither takes that run's outcome nor borrows its PR: the first
    run keeps the branch, the forger has none (`no_pr`, a failure)."""
    fake_github.add_issue(REPO, 2, title="Another change", body="Small change.")
    other = dispatch_on(ctx, 2)
    p = completed(other, run_id=5552, artifact=None)
    fake_github.add_artifact(REPO, 5552, "model-router-execution-5552-1", files={
        "tmp/claude-execution-output.json": execution(), "model-router-run.json": json.dumps({"branch_name": BRANCH})})
    handle_event("workflow_run", p, ctx)
    forger = ctx.store.dispatches(REPO, 2)[0]  # escalated: the next tier follows
    assert (forger.branch, forger.truth, forger.status, forger.pr_number) == (None, "no_pr", "failure", None)
    assert ctx.store.dispatch_for_branch(REPO, BRANCH).dispatch_id == ran.dispatch_id
    assert any("already" in r.getMessage() and BRANCH in r.getMessage() for r in caplog.records)


def test_a_pr_opened_before_the_run_is_not_its_outcome(ctx, time_machine, completed, fake_github):
    """A run file naming a writer's older feature branch does not borrow that PR's passing checks: the run's PR
    cannot predate its dispatch (GitHub sets `created_at`), so the run opened none (`no_pr`, a failure)."""
    time_machine.move_to(datetime(2026, 11, 19, 9, 0), tick=False)
    pull(fake_github, branch="feature/login", user="octocat")  # a writer's PR, a day old, checks passing
    check(fake_github, "test", "success")
    time_machine.move_to(T0, tick=False)
    row = dispatch_on(ctx, 1)
    finish(ctx, row, completed, fake_github, branch="feature/login")
    row = ctx.store.dispatches(REPO, 1)[0]
    assert (row.branch, row.truth, row.status, row.pr_number) == ("feature/login", "no_pr", "failure", None)
