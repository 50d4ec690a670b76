"""RestGitHub round-trips every GitHubPort method through the validating FakeGitHub."""

import io
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
import requests
from github import GithubException

from bot.github.port import Annotation, GitHubError, Label, ReviewComment
from bot.github.rest import RestGitHub
from bot.simulator.openapi import load_openapi

REPO = "octo/repo"
SHA = "a" * 40


@pytest.fixture
def repo(fake_github):
    fake_github.add_repo(REPO, files={".github/model-router.yml": "default_tier: haiku\n"}, permissions={"mia": "maintain"})
    fake_github.add_issue(REPO, 1, title="Fix typo", body="in README", labels=["bug"], user="alice")
    return fake_github


def ops(fake, since=0):
    return [r.operation_id for r in fake.requests[since:]]


def test_identity_and_repository(gh, repo):
    assert gh.bot_login() == "github-actions[bot]"
    assert gh.default_branch(REPO) == "main"
    assert gh.get_file(REPO, ".github/model-router.yml") == "default_tier: haiku\n"
    assert gh.get_file(REPO, ".github/model-router.yml", ref="nope") is None
    assert gh.get_file(REPO, "missing.yml") is None
    assert gh.get_file(REPO, ".github") is None  # a directory


def test_labels(gh, repo):
    gh.create_label(REPO, Label(name="model:haiku", color="1d76db", description="cheap"))
    gh.create_label(REPO, Label(name="model:haiku"))  # already exists: not an error
    assert Label(name="model:haiku", color="1d76db", description="cheap") in gh.list_repo_labels(REPO)
    gh.add_labels(REPO, 1, ["model:haiku", "complexity:simple"], rationale="small change", confidence="high")
    assert gh.issue_labels(REPO, 1) == ["bug", "model:haiku", "complexity:simple"]
    assert repo.issue(REPO, 1)["label_details"]["model:haiku"] == {"rationale": "small change", "confidence": "high"}
    gh.add_labels(REPO, 1, [])  # nothing to send
    gh.remove_label(REPO, 1, "complexity:simple")
    gh.remove_label(REPO, 1, "complexity:simple")  # already gone: fine
    assert repo.labels_on(REPO, 1) == ["bug", "model:haiku"]
    add = next(r for r in repo.requests if r.operation_id == "issues/add-labels")
    assert add.json == {"labels": [{"name": n, "rationale": "small change", "confidence": "high"}
                                   for n in ("model:haiku", "complexity:simple")]}


def test_get_issue(gh, repo):
    info = gh.get_issue(REPO, 1)
    assert (info.title, info.body, info.labels, info.user_login, info.state) == (
        "Fix typo", "in README", ["bug"], "alice", "open")


def test_comments_and_reactions(gh, repo):
    made = gh.create_comment(REPO, 1, "<!-- model-router -->\nhello")
    assert (made.user_login, made.user_type) == ("github-actions[bot]", "Bot")
    gh.edit_comment(REPO, made.id, "<!-- model-router -->\nedited")
    gh.add_reaction(REPO, made.id, "rocket")
    assert [c.body for c in gh.list_comments(REPO, 1)] == ["<!-- model-router -->\nedited"]
    assert repo.repo(REPO)["comments"][made.id]["reactions"][0]["content"] == "rocket"


def test_all_comment_pages_are_read(gh, repo):
    for i in range(250):
        repo.add_comment(REPO, 1, f"c{i}")
    start = len(repo.requests)
    assert [c.body for c in gh.list_comments(REPO, 1)] == [f"c{i}" for i in range(250)]
    assert ops(repo, start) == ["issues/list-comments"] * 3  # per_page=100


def test_the_sticky_comment_is_found_reading_pages_only_until_it_appears(gh, repo):
    """The bot's sticky comment is written when the issue is routed, so it usually sits on the first page however
    long the discussion runs: finding it reads no further (the first match is the same as reading every page)."""
    from bot.context import Context
    from bot.issues import sticky
    from bot.issues.state import MARKER

    ctx = Context(gh=gh, repo=REPO, store=None, configs=None)  # type: ignore[arg-type]
    repo.add_comment(REPO, 1, f"{MARKER}\nquoted by a person")  # the marker alone is not ours
    sticky_id = repo.add_comment(REPO, 1, f"{MARKER}\nrouted", user="github-actions[bot]", user_type="Bot")
    for i in range(250):
        repo.add_comment(REPO, 1, f"c{i}")
    start = len(repo.requests)
    assert sticky.find(ctx, 1).id == sticky_id
    assert ops(repo, start) == ["issues/list-comments"]  # one page of 100, not three
    repo.add_issue(REPO, 2, title="late")
    for i in range(220):
        repo.add_comment(REPO, 2, f"c{i}")
    late = repo.add_comment(REPO, 2, f"{MARKER}\nrouted late", user="github-actions[bot]", user_type="Bot")
    start = len(repo.requests)
    assert sticky.find(ctx, 2).id == late and ops(repo, start) == ["issues/list-comments"] * 3
    assert sticky.find(ctx, 2, marker="<!-- nothing -->") is None


def test_permission_reports_fine_grained_roles(gh, repo):
    assert gh.permission(REPO, "mia") == "maintain"  # the legacy field says "write"
    assert gh.permission(REPO, "stranger") == "none"


def test_actions(gh, repo):
    gh.dispatch_workflow(REPO, "model-router.yml", "main", {"issue": "1"})
    gh.repository_dispatch(REPO, "model-router", {"issue": 1})
    r = repo.repo(REPO)
    assert r["workflow_dispatches"] == [{"workflow": "model-router.yml", "ref": "main", "inputs": {"issue": "1"}}]
    assert r["repository_dispatches"] == [{"event_type": "model-router", "client_payload": {"issue": 1}}]
    ids = [repo.add_artifact(REPO, 99, f"result-{i}", files={"result.json": "{}"}) for i in range(3)]
    repo.add_artifact(REPO, 100, "other")
    assert [a.id for a in gh.list_run_artifacts(REPO, 99)] == ids
    blob = gh.download_artifact(REPO, ids[0])
    assert zipfile.ZipFile(io.BytesIO(blob)).read("result.json") == b"{}"
    with pytest.raises(GitHubError) as info:
        gh.download_artifact(REPO, 123456)
    assert info.value.status == 404


def test_dispatched_runs_are_listed_by_workflow_event_and_creation_time(gh, repo):
    """Each dispatch starts a run titled by the executor's run-name; the listing filters as GitHub's does."""
    since = datetime.now(timezone.utc) - timedelta(minutes=1)
    gh.dispatch_workflow(REPO, "model-router-executor.yml", "main", {"issue_number": "1", "tier": "opus", "routing_id": "a.1"})
    gh.repository_dispatch(REPO, "model-router.execute", {"issue_number": "1", "tier": "haiku", "routing_id": "a.2"})
    [run] = gh.list_workflow_runs(REPO, "model-router-executor.yml", "workflow_dispatch", since)
    assert (run.display_title, run.event, run.actor) == ("model-router #1 execute on opus [mr:a.1]", "workflow_dispatch",
                                                          "github-actions[bot]")
    assert run.html_url.endswith(f"/actions/runs/{run.id}") and run.created_at >= since.replace(microsecond=0)
    [other] = gh.list_workflow_runs(REPO, "model-router-executor.yml", "repository_dispatch", since)
    assert other.display_title.endswith("[mr:a.2]")
    assert gh.list_workflow_runs(REPO, "model-router-executor.yml", "workflow_dispatch", since + timedelta(hours=1)) == []
    r = repo.repo(REPO)
    r["workflow_runs"] += [{**r["workflow_runs"][0], "id": repo.next_id()} for _ in range(150)]
    start = len(repo.requests)
    assert len(gh.list_workflow_runs(REPO, "model-router-executor.yml", "workflow_dispatch", since)) == 151
    assert ops(repo, start) == ["actions/list-workflow-runs"] * 2  # every page


def test_a_dispatch_answered_5xx_is_not_sent_again_by_the_client(gh, repo):
    """It may have started the run (GitHub answered after creating it): the caller decides, bot.runs.unconfirmed."""
    repo.fail_next("POST", r"/dispatches$", 502, applied=True)
    with pytest.raises(GitHubError) as info:
        gh.dispatch_workflow(REPO, "model-router-executor.yml", "main", {"issue_number": "1"})
    assert info.value.status == 502 and info.value.transient
    assert [r.status for r in repo.requests if r.operation_id == "actions/create-workflow-dispatch"] == [502]
    assert len(repo.repo(REPO)["workflow_runs"]) == 1  # GitHub started it all the same
    repo.fail_next("POST", r"/dispatches$", 403, headers={"Retry-After": "1"}, body={"message": "secondary rate limit"})
    gh.repository_dispatch(REPO, "model-router.execute", {"issue_number": "1"})  # a refusal started nothing: retried
    assert [r.status for r in repo.requests if r.operation_id == "repos/create-dispatch-event"] == [403, 204]


def test_pull_requests_files_compare(gh, repo):
    files = [{"filename": f"src/f{i}.py", "additions": 1, "patch": "@@ -1 +1 @@\n-a\n+b"} for i in range(300)]
    n = repo.add_pull(REPO, title="Refactor", head_sha=SHA, base="main", labels=["x"], files=files)
    pull = gh.get_pull(REPO, n)
    assert (pull.number, pull.title, pull.head_sha, pull.base_ref, pull.labels) == (n, "Refactor", SHA, "main", ["x"])
    start = len(repo.requests)
    got = gh.list_pull_files(REPO, n)
    assert [f.filename for f in got] == [f["filename"] for f in files] and got[0].changes == 1
    assert ops(repo, start) == ["pulls/list-files"] * 3
    repo.set_compare(REPO, "main", "feature/x", [{"filename": "a.py", "status": "renamed", "previous_filename": "b.py"}])
    (cmp,) = gh.compare(REPO, "main", "feature/x").files
    assert (cmp.filename, cmp.status, cmp.previous_filename, cmp.patch) == ("a.py", "renamed", "b.py", None)


def test_statuses_checks_reviews(gh, repo):
    n = repo.add_pull(REPO, head_sha=SHA)
    gh.create_status(REPO, SHA, "failure", "model-router/gate", "x" * 300, "https://example.test/run")
    (st,) = repo.repo(REPO)["statuses"]
    assert (st["state"], st["context"], len(st["description"])) == ("failure", "model-router/gate", 140)
    notes = [Annotation(path="a.py", start_line=i, end_line=i, annotation_level="warning", title="t", message="m")
             for i in range(1, 121)]
    run_id = gh.create_check_run(REPO, SHA, "model-router", "neutral", "Review", "summary", notes)
    run = repo.repo(REPO)["check_runs"][run_id]
    assert (run["conclusion"], run["head_sha"], len(run["annotations"])) == ("neutral", SHA, 120)
    assert ops(repo)[-3:] == ["checks/create", "checks/update", "checks/update"]  # 50 per request
    assert gh.create_check_run(REPO, SHA, "pending", None, "t", "s") > 0
    rid = gh.create_review(REPO, n, SHA, "looks fine", "COMMENT", [ReviewComment(path="a.py", line=3, body="nit")])
    (review,) = repo.repo(REPO)["reviews"]
    assert (review["id"], review["commit_id"], review["comments"][0]["line"]) == (rid, SHA, 3)


def test_502_is_retried_then_succeeds(gh, repo):
    repo.fail_next("POST", r"/issues/1/comments$", 502)
    assert gh.create_comment(REPO, 1, "hi").body == "hi"
    assert [r.status for r in repo.requests if r.operation_id == "issues/create-comment"] == [502, 201]


def test_persistent_5xx_becomes_a_transient_error(gh, repo):
    repo.fail_next("GET", r"/repos/octo/repo$", 503, times=10)
    with pytest.raises(GitHubError) as info:
        gh.default_branch(REPO)
    assert info.value.status == 503 and info.value.transient
    assert sum(r.status == 503 for r in repo.requests) == 4  # first try + 3 retries


def test_secondary_limit_with_short_retry_after_is_honoured(gh, repo):
    # 403 + Retry-After within max_inline_wait: the client waits and retries, nothing surfaces
    repo.fail_next("PATCH", r"/issues/comments/", 403, headers={"Retry-After": "1"},
                   body={"message": "You have exceeded a secondary rate limit."})
    cid = gh.create_comment(REPO, 1, "a").id
    gh.edit_comment(REPO, cid, "b")
    assert [r.status for r in repo.requests if r.operation_id == "issues/update-comment"] == [403, 200]
    assert repo.comments(REPO, 1)[0]["body"] == "b"


def test_long_retry_after_is_handed_to_the_caller(gh, repo):
    repo.secondary_limit = 1
    gh.create_comment(REPO, 1, "a")
    with pytest.raises(GitHubError) as info:
        gh.create_comment(REPO, 1, "b")  # the fake asks for up to 60 s: longer than max_inline_wait
    assert info.value.status == 403 and info.value.transient and info.value.retry_after >= 1
    assert "secondary rate limit" in info.value.message and repo.secondary_limit_hits == 1


def test_primary_rate_limit_carries_the_reset_time(gh, repo):
    import time

    reset = str(int(time.time()) + 120)
    repo.fail_next("GET", r"/labels", 403, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
                   body={"message": "API rate limit exceeded for installation."})
    with pytest.raises(GitHubError) as info:
        gh.list_repo_labels(REPO)
    assert info.value.transient and 100 < info.value.retry_after <= 121


@pytest.mark.parametrize("status", [404, 422])
def test_permanent_errors_fail_fast(gh, repo, status):
    repo.fail_next("POST", r"/issues/1/comments$", status, body={"message": "Validation Failed"})
    with pytest.raises(GitHubError) as info:
        gh.create_comment(REPO, 1, "x")
    assert info.value.status == status and not info.value.transient
    assert [r.status for r in repo.requests if r.operation_id == "issues/create-comment"] == [status]


def test_missing_issue_is_a_404_error(gh, repo):
    with pytest.raises(GitHubError) as info:
        list(gh.list_comments(REPO, 999))
    assert info.value.status == 404


def test_unreachable_github_is_transient():
    gh = RestGitHub("secret-token-xyz", "http://127.0.0.1:9", retries=0)
    with pytest.raises(GitHubError) as info:
        gh.default_branch(REPO)
    assert info.value.transient and "secret-token-xyz" not in str(info.value)


def test_an_invalid_call_would_fail_the_test(gh, repo):
    # guards the guard: a body GitHub rejects is answered 599 and recorded (the fixture then fails the test)
    with pytest.raises(GithubException) as info:
        gh._request("POST", f"{gh._repo(REPO).url}/issues/1/labels", ["bare"])
    assert info.value.status == 599 and len(repo.violations) == 1
    repo.violations.clear()


def test_long_retry_after_on_503_is_not_slept_inline(gh, repo):
    repo.fail_next("GET", r"/repos/octo/repo$", 503, headers={"Retry-After": "3600"})
    with pytest.raises(GitHubError) as info:
        gh.default_branch(REPO)
    assert info.value.retry_after == 3600 and info.value.transient


def test_required_checks_are_read_from_every_page_of_the_branch_rules(gh, repo):
    """GitHub lists a branch's rules 30 to a page by default: a required-checks rule behind the other rulesets'
    rules still counts (else fewer checks decide a run's outcome than the rules require)."""
    repo.repo(REPO)["branch_rules"] = {"main": [{"type": "deletion"}] * 130}
    repo.repo(REPO)["required_checks"] = {"main": ["build"]}
    start = len(repo.requests)
    assert gh.required_checks(REPO, "main") == [("build", None)]
    assert ops(repo, start) == ["repos/get-branch-rules"] * 2  # 100 a page


def test_the_fakes_branch_rules_pin_a_required_check_to_an_integration(gh, repo):
    """A ruleset's required check may name the app it must come from (`integration_id`), as GitHub lists it."""
    from tests.plugins.github import SPEC, TEST_TOKEN

    repo.repo(REPO)["required_checks"] = {"main": [("ci", 15368), "lint"]}
    assert gh.required_checks(REPO, "main") == [("ci", 15368), ("lint", None)]
    rules = requests.get(f"{repo.url}/repos/{REPO}/rules/branches/main", timeout=5,
                         headers={"Authorization": f"token {TEST_TOKEN}"}).json()
    assert [load_openapi(SPEC).webhook_problem("repository-rule-detailed", r) for r in rules] == [None]


def test_the_fakes_check_runs_carry_the_app_that_reported_them(gh, repo):
    """The App's own check runs name it as their `app`; a run another app reported (seeded) names that one. The
    latest run per name and app is listed, so two apps' runs of one name are both seen, as on GitHub."""
    from tests.plugins.github import SPEC, TEST_TOKEN

    gh.create_check_run(REPO, SHA, "ci", "failure", "t", "s")
    runs = repo.repo(REPO)["check_runs"]
    rid = repo.next_id()
    runs[rid] = {"id": rid, "head_sha": SHA, "name": "ci", "status": "completed", "conclusion": "success",
                 "app_id": 15368, "output": {}, "annotations": []}
    assert [(r.name, r.conclusion, r.app_id) for r in gh.check_runs(REPO, SHA)] == [
        ("ci", "failure", repo.app_id), ("ci", "success", 15368)]
    listed = requests.get(f"{repo.url}/repos/{REPO}/commits/{SHA}/check-runs", timeout=5,
                          headers={"Authorization": f"token {TEST_TOKEN}"}).json()["check_runs"]
    assert [load_openapi(SPEC).webhook_problem("check-run", r) for r in listed] == [None, None]
    assert listed[1]["app"]["slug"] == "github-actions"


def test_classic_protections_required_checks_are_served_at_get_a_branch(gh, repo):
    """FakeGitHub keeps a branch's classic protection in memory and answers "Get a branch" as GitHub does."""
    repo.protect_branch(REPO, "release/1.0", ["ci", "lint"])
    start = len(repo.requests)
    assert gh.classic_required_checks(REPO, "release/1.0") == [("ci", None), ("lint", None)]
    assert gh.classic_required_checks(REPO, "main") == []  # the default branch, not protected
    with pytest.raises(GitHubError) as info:
        gh.classic_required_checks(REPO, "nope")
    assert info.value.status == 404
    assert ops(repo, start) == ["repos/get-branch"] * 3
    repo.protect_branch(REPO, "release/1.0", None)  # protection removed: the branch stays
    assert gh.classic_required_checks(REPO, "release/1.0") == []
