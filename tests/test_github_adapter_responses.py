"""Fast unit tests of the PyGithub adapter with `responses`: no server and no thread; a callback checks every
request PyGithub sends against GitHub's OpenAPI description before it answers with a canned body."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from bot.github.port import GitHubError
from bot.github.rest import RestGitHub
from bot.simulator.openapi import RequestViolation, load_openapi

API = "https://api.github.test"
REPO = "octo/repo"
USER = {"login": "model-router[bot]", "id": 1, "type": "Bot"}


@pytest.fixture(scope="module")
def spec():
    return load_openapi()


@pytest.fixture
def github(spec):
    """(RestGitHub on a mocked API, the list of operations it called); `answer(method, path, status, json)`."""
    calls: list[tuple[str, object]] = []
    answers: dict[tuple[str, str], tuple[int, object]] = {}
    queries: list[dict[str, list[str]]] = []

    def callback(request):
        url = urlsplit(request.url)
        body = json.loads(request.body) if request.body else None
        op = spec.validate(request.method, url.path, body)  # RequestViolation fails the test
        calls.append((op.operation_id, body))
        queries.append(parse_qs(url.query))
        status, payload = answers.get((request.method, url.path), (404, {"message": "Not Found"}))
        return status, {"Content-Type": "application/json"}, json.dumps(payload)

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            # PyGithub spells the default port out (https://host:443/...)
            mock.add_callback(method, re.compile(re.escape(API) + r"(:443)?/.*"), callback=callback)
        port = RestGitHub("t0ken", API, writes_per_minute=None, min_write_interval=0, retries=0, backoff=0)
        port.answers, port.queries = answers, queries
        yield port, calls
        port.close()


def test_create_comment_sends_a_valid_body_and_reads_the_answer(github):
    port, calls = github
    port.answers[("POST", f"/repos/{REPO}/issues/7/comments")] = (201, {"id": 42, "body": "hi", "user": USER})
    comment = port.create_comment(REPO, 7, "hi")
    assert (comment.id, comment.body, comment.user_login, comment.user_type) == (42, "hi", "model-router[bot]", "Bot")
    assert calls == [("issues/create-comment", {"body": "hi"})]


def test_add_labels_sends_the_object_form_the_description_wants(github):
    port, calls = github
    port.answers[("POST", f"/repos/{REPO}/issues/7/labels")] = (200, [])
    port.add_labels(REPO, 7, ["model:haiku", "complexity:trivial"])
    assert calls == [("issues/add-labels", {"labels": ["model:haiku", "complexity:trivial"]})]


def test_a_missing_issue_is_a_github_error_not_a_crash(github):
    port, calls = github
    with pytest.raises(GitHubError) as err:
        port.create_comment(REPO, 404, "hi")
    assert err.value.status == 404 and calls[0][0] == "issues/create-comment"


def test_the_callback_refuses_a_request_the_description_does_not_allow(github):
    """The checker itself can fail: a body of the wrong shape never reaches the canned answer."""
    port, calls = github
    with pytest.raises(RequestViolation, match="invalid body"):
        requests.post(f"{API}/repos/{REPO}/issues/7/labels", json={"labels": 5}, timeout=5)
    with pytest.raises(RequestViolation, match="no such path"):
        requests.get(f"{API}/repos/{REPO}/no-such-thing", timeout=5)
    assert calls == []


def test_check_runs_read_the_commits_latest_runs(github):
    port, calls = github
    sha = "a" * 40
    port.answers[("GET", f"/repos/{REPO}/commits/{sha}/check-runs")] = (200, {"total_count": 2, "check_runs": [
        {"id": 1, "name": "test", "status": "completed", "conclusion": "failure", "head_sha": sha},
        {"id": 2, "name": "lint", "status": "in_progress", "conclusion": None, "head_sha": sha},
    ]})
    runs = port.check_runs(REPO, sha)
    assert [(r.name, r.status, r.conclusion) for r in runs] == [("test", "completed", "failure"), ("lint", "in_progress", None)]
    assert [op for op, _ in calls] == ["checks/list-for-ref"]


def test_a_pull_carries_when_it_was_merged(github):
    port, _calls = github
    head = {"sha": "a" * 40, "ref": "claude/issue-7", "repo": {"full_name": REPO}}
    port.answers[("GET", f"/repos/{REPO}")] = (200, {"full_name": REPO, "name": "repo", "owner": USER, "url": f"{API}/repos/{REPO}"})
    port.answers[("GET", f"/repos/{REPO}/pulls/9")] = (200, {"number": 9, "head": head, "base": {"ref": "main"},
                                                             "state": "closed", "merged_at": "2026-12-01T10:00:00Z"})
    pull = port.get_pull(REPO, 9)
    assert (pull.merged, pull.merged_at, pull.head_ref, pull.head_repo) == (True, "2026-12-01T10:00:00Z", "claude/issue-7", REPO)


REPO_JSON = {"full_name": REPO, "name": "repo", "owner": USER, "url": f"{API}/repos/{REPO}"}


def branch_json(spec, name, contexts=None, checks=(), enforcement="non_admins", app_id=None):
    """GitHub's own "Get a branch" example (unprotected), protected by classic branch protection when `contexts`."""
    body = json.loads(json.dumps(spec.spec["components"]["examples"]["branch-get"]["value"]))
    body["name"] = name
    if contexts is not None:
        body["protected"] = body["protection"]["enabled"] = True
        body["protection"]["required_status_checks"] = {
            "enforcement_level": enforcement, "contexts": contexts,
            "checks": [{"context": c, "app_id": app_id} for c in checks]}
    assert spec.webhook_problem("branch-with-protection", body) is None
    return body


def test_classic_protections_required_checks_are_read_from_get_a_branch(github, spec):
    """Classic branch protection's required checks, where Contents (read) sees them: "Get a branch". Its
    .../protection/required_status_checks needs Administration, which the App does not ask for."""
    port, calls = github
    port.answers[("GET", f"/repos/{REPO}")] = (200, REPO_JSON)
    port.answers[("GET", f"/repos/{REPO}/branches/release%2F1.0")] = (200, branch_json(
        spec, "release/1.0", ["ci", "legacy/ci"], checks=["ci", "e2e"]))  # contexts and checks: each may lack a name
    port.answers[("GET", f"/repos/{REPO}/branches/main")] = (200, branch_json(spec, "main"))
    port.answers[("GET", f"/repos/{REPO}/branches/off")] = (200, branch_json(spec, "off", ["ci"], enforcement="off"))
    assert port.classic_required_checks(REPO, "release/1.0") == [("ci", None), ("legacy/ci", None), ("e2e", None)]
    assert port.classic_required_checks(REPO, "main") == []  # GitHub's example: not protected
    assert port.classic_required_checks(REPO, "off") == []  # protected, status checks not enforced
    with pytest.raises(GitHubError) as err:
        port.classic_required_checks(REPO, "gone")  # no such branch: the caller reads it as no classic checks
    assert err.value.status == 404 and not err.value.transient
    assert [op for op, _ in calls if op != "repos/get"] == ["repos/get-branch"] * 4


@pytest.mark.parametrize("app_id, pinned", [(15368, 15368), (None, None), (-1, None)])
def test_classic_protection_says_which_app_each_required_check_must_come_from(app_id, pinned, github, spec):
    """`checks[].app_id`: the app that must provide the check; null (GitHub's example) or -1 ("any app", as the
    protection's update takes it): any source. The deprecated `contexts` repeats the names: a name `checks` pins is
    not thereby required from any source as well."""
    port, _calls = github
    port.answers[("GET", f"/repos/{REPO}")] = (200, REPO_JSON)
    port.answers[("GET", f"/repos/{REPO}/branches/main")] = (200, branch_json(
        spec, "main", ["ci", "legacy/ci"], checks=["ci"], app_id=app_id))
    assert port.classic_required_checks(REPO, "main") == [("ci", pinned), ("legacy/ci", None)]


def test_the_rulesets_required_checks_carry_the_integration_they_must_come_from(github, spec):
    """A ruleset's `required_status_checks` may name an `integration_id` (the app the check must originate from);
    without one, any source meets it."""
    port, calls = github
    port.answers[("GET", f"/repos/{REPO}")] = (200, REPO_JSON)
    rules = [{"type": "required_status_checks", "ruleset_source_type": "Repository", "ruleset_source": REPO,
              "ruleset_id": 42, "parameters": {"strict_required_status_checks_policy": False, "required_status_checks": [
                  {"context": "ci", "integration_id": 15368}, {"context": "lint"}]}}]
    assert spec.webhook_problem("repository-rule-detailed", rules[0]) is None
    port.answers[("GET", f"/repos/{REPO}/rules/branches/main")] = (200, rules)
    assert port.required_checks(REPO, "main") == [("ci", 15368), ("lint", None)]


def test_check_runs_carry_the_app_that_reported_them(github, spec):
    port, _calls = github
    sha = "c" * 40
    run = json.loads(json.dumps(spec.spec["components"]["examples"]["check-run"]["value"]))
    run.update(head_sha=sha, name="ci", status="completed", conclusion="success")
    other = dict(run, id=run["id"] + 1, app=None)  # `app` is nullable in the description
    port.answers[("GET", f"/repos/{REPO}/commits/{sha}/check-runs")] = (200, {"total_count": 2, "check_runs": [run, other]})
    assert [(r.name, r.app_id) for r in port.check_runs(REPO, sha)] == [("ci", run["app"]["id"]), ("ci", None)]


def test_check_runs_carry_their_output_without_fetching_each_run_again(github):
    port, calls = github
    sha = "b" * 40
    port.answers[("GET", f"/repos/{REPO}/commits/{sha}/check-runs")] = (200, {"total_count": 1, "check_runs": [
        {"id": 5, "name": "test", "status": "completed", "conclusion": "failure", "head_sha": sha,
         "output": {"title": "pytest", "summary": "1 failed", "text": "FAILED test_x", "annotations_count": 1}}]})
    [run] = port.check_runs(REPO, sha)
    assert (run.id, run.title, run.summary, run.text) == (5, "pytest", "1 failed", "FAILED test_x")
    assert [op for op, _ in calls] == ["checks/list-for-ref"]


def test_the_pull_request_calls_of_a_runs_outcome(github):
    port, calls = github
    port.answers[("GET", f"/repos/{REPO}")] = (200, REPO_JSON)
    head = {"sha": "a" * 40, "ref": "claude/issue-7", "repo": {"full_name": REPO}}
    pull = {"number": 9, "head": head, "base": {"ref": "main"}, "user": USER, "state": "open", "title": "t", "body": "b"}
    port.answers[("GET", f"/repos/{REPO}/pulls")] = (200, [pull])
    port.answers[("POST", f"/repos/{REPO}/pulls")] = (201, pull)
    port.answers[("GET", f"/repos/{REPO}/rules/branches/main")] = (200, [
        {"type": "required_status_checks", "parameters": {"required_status_checks": [{"context": "build"}]}},
        {"type": "pull_request", "parameters": {}}])
    port.answers[("GET", f"/repos/{REPO}/check-runs/5/annotations")] = (200, [
        {"path": "a.py", "start_line": 3, "end_line": 3, "annotation_level": "failure", "title": "E", "message": "boom"}])
    assert port.find_pull(REPO, "claude/issue-7").number == 9
    assert port.create_pull(REPO, head="claude/issue-7", base="main", title="t", body="Closes #7").head_ref == "claude/issue-7"
    assert port.required_checks(REPO, "main") == [("build", None)]
    assert [(a.path, a.message) for a in port.check_annotations(REPO, 5)] == [("a.py", "boom")]
    ops = [op for op, _ in calls if op != "repos/get"]
    assert ops == ["pulls/list", "pulls/create", "repos/get-branch-rules", "checks/list-annotations"]
    assert [body for op, body in calls if op == "pulls/create"] == [
        {"base": "main", "head": "claude/issue-7", "title": "t", "body": "Closes #7"}]


def test_listed_issues_are_read_as_listed_not_fetched_again(github):
    port, calls = github
    port.answers[("GET", f"/repos/{REPO}")] = (200, REPO_JSON)
    issue = {"id": 70, "number": 7, "title": "t", "body": "b", "state": "open", "labels": [], "user": USER,
             "url": f"{API}/repos/{REPO}/issues/7"}
    port.answers[("GET", f"/repos/{REPO}/issues")] = (200, [issue])
    port.answers[("GET", f"/repos/{REPO}/issues/1/sub_issues")] = (200, [issue])
    assert [i.number for i in port.issues_created_by(REPO, "model-router[bot]", "2026-01-01T00:00:00Z")] == [7]
    assert [i.number for i in port.list_sub_issues(REPO, 1)] == [7]
    assert "issues/get" not in [op for op, _ in calls]


def test_workflow_runs_are_asked_for_by_event_and_creation_time_and_read_as_listed(github):
    """The retry of a dispatch GitHub answered 5xx lists the runs it may have started (bot.runs.unconfirmed): the run-name
    is `display_title` (`name` is the workflow's), read from the listing without fetching each run again."""
    port, calls = github
    run = {"id": 9, "name": "model-router executor", "display_title": "model-router #1 execute on opus [mr:r.1.ab]",
           "event": "workflow_dispatch", "actor": USER, "html_url": "https://github.com/octo/repo/actions/runs/9",
           "created_at": "2026-12-07T00:01:02Z"}
    port.answers[("GET", f"/repos/{REPO}/actions/workflows/model-router-executor.yml/runs")] = (
        200, {"total_count": 1, "workflow_runs": [run]})
    since = datetime(2026, 12, 7, 1, 0, tzinfo=timezone(timedelta(hours=1)))  # any zone: GitHub is asked in UTC
    [got] = port.list_workflow_runs(REPO, "model-router-executor.yml", "workflow_dispatch", since)
    assert (got.id, got.display_title, got.actor, got.event) == (9, run["display_title"], "model-router[bot]",
                                                                 "workflow_dispatch")
    assert got.created_at == datetime(2026, 12, 7, 0, 1, 2, tzinfo=timezone.utc) and got.html_url == run["html_url"]
    assert [c[0] for c in calls] == ["actions/list-workflow-runs"]
    assert port.queries[0]["event"] == ["workflow_dispatch"] and port.queries[0]["created"] == [">=2026-12-07T00:00:00Z"]
    assert port.queries[0]["per_page"] == ["100"]


def test_get_an_app_reads_the_apps_id_by_its_slug(github, spec):
    """A status's creator `<slug>[bot]` names its app: "Get an app" says its id; a slug GitHub will not show is a
    404 GitHubError (bot.runs.status_apps leaves that status's app unknown)."""
    port, calls = github
    app = json.loads(json.dumps(spec.spec["components"]["examples"]["integration"]["value"]))
    app.update(id=4242, slug="other-ci")
    assert spec.webhook_problem("integration", app) is None
    port.answers[("GET", "/apps/other-ci")] = (200, app)
    assert port.app_id_of("other-ci") == 4242
    with pytest.raises(GitHubError) as err:
        port.app_id_of("private-ci")
    assert err.value.status == 404 and [op for op, _ in calls] == ["apps/get-by-slug", "apps/get-by-slug"]
