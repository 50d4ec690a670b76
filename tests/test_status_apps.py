"""A commit status posted by another app does not meet a required check pinned to an app: the status's creator
`<slug>[bot]` names its app, read once per distinct slug ("Get an app") and kept per process; a status whose app is
not known (a person's, a machine user's, an app GitHub will not show) counts as before."""

from __future__ import annotations

import pytest

from bot.context import Context
from bot.github.port import CommitStatus, PullInfo, RequiredCheck
from bot.runs import status_apps, truth
from bot.runs.pr_view import read_pull
from bot.runs.status_apps import StatusApps
from tests.test_outcomes_workflow_run import REPO, config, ctx  # noqa: F401  (fixtures)
from tests.test_run_truth import ACTIONS, SHA

OTHER = 4242


def test_a_status_from_another_known_app_does_not_meet_a_check_pinned_to_an_app():
    pinned = [("ci", ACTIONS)]
    assert truth.checks([("ci", "success", OTHER)], [], pinned) == "pending"  # Actions has not reported "ci"
    assert truth.checks([("ci", "failure", OTHER)], [("ci", "completed", "success", ACTIONS)], pinned) == "passed"
    assert truth.checks([("ci", "success", ACTIONS)], [], pinned) == "passed"  # the pinned app's own status
    assert truth.checks([("ci", "success", None)], [], pinned) == "passed"  # app unknown: counts, as before
    assert truth.checks([("ci", "failure", None)], [("ci", "completed", "success", ACTIONS)], pinned) == "failed"
    assert truth.checks([("ci", "success", OTHER)], [], [("ci", None)]) == "passed"  # unpinned: any source
    assert not truth.counts("ci", OTHER, pinned) and truth.counts("ci", None, pinned)


@pytest.mark.parametrize("creator, slug", [("app-4242[bot]", "app-4242"), ("GitHub-Actions[bot]", "github-actions"),
                                           ("octocat", None), ("ci-bot", None), ("[bot]", None), ("-x[bot]", None),
                                           ("a/b[bot]", None), ("", None)])
def test_only_a_bot_users_login_names_an_app(creator, slug):
    assert status_apps.slug_of(creator) == slug


def test_each_distinct_slug_is_read_once_and_kept_an_unreadable_one_is_not(ctx, fake_github):  # noqa: F811
    ctx.status_apps = StatusApps(ttl=status_apps.TTL, clock=lambda: 0.0)
    statuses = [CommitStatus(context=c, state="success", creator=who) for c, who in [
        ("ci", "app-4242[bot]"), ("lint", "app-4242[bot]"), ("ci", "github-actions[bot]"), ("ci", "private-ci[bot]"),
        ("ci", "octocat"), ("ci", "app-4242[bot]")]]
    expected = {"app-4242[bot]": OTHER, "github-actions[bot]": ACTIONS}

    def reads():
        return [r.path for r in fake_github.requests if r.operation_id == "apps/get-by-slug"]

    assert status_apps.status_apps(ctx, statuses) == expected
    assert sorted(reads()) == ["/apps/app-4242", "/apps/github-actions", "/apps/private-ci"]
    assert status_apps.status_apps(ctx, statuses) == expected
    assert sorted(reads()) == ["/apps/app-4242", "/apps/github-actions", "/apps/private-ci", "/apps/private-ci"]
    assert ctx.status_apps.get("private-ci") is None and ctx.status_apps.get("app-4242") == OTHER
    assert fake_github.violations == []


def test_the_fake_answers_get_an_app_as_the_description_says(fake_github):
    import requests

    from bot.simulator.openapi import load_openapi
    from tests.plugins.github import SPEC, TEST_TOKEN

    got = requests.get(f"{fake_github.url}/apps/app-4242", headers={"Authorization": f"token {TEST_TOKEN}"}, timeout=5)
    assert got.status_code == 200 and got.json()["id"] == OTHER
    assert load_openapi(SPEC).webhook_problem("integration", got.json()) is None
    assert requests.get(f"{fake_github.url}/apps/private-ci", timeout=5).status_code == 404
    assert fake_github.violations == []


def test_a_pinned_check_through_the_memory_fake_with_statuses(memory_github):
    """MemoryGitHub's statuses carry their creator (the App's own unless seeded) and it shows apps by slug."""
    memory_github.add_repo(REPO)
    memory_github.repos[REPO].required["main"] = [RequiredCheck("ci", ACTIONS)]
    ctx = Context(gh=memory_github, repo=REPO, store=None, configs=None)
    pull = PullInfo(number=7, head_sha=SHA, state="closed", merged=True)
    memory_github.create_status(REPO, SHA, "success", "ci", "the App's own")
    assert read_pull(ctx, pull).checked == "pending"  # the App (id 1) is not Actions
    seeded = {"repo": REPO, "sha": SHA, "context": "ci", "description": "", "creator": "github-actions[bot]"}
    memory_github.statuses.append(dict(seeded, state="failure"))
    view = read_pull(ctx, pull)
    assert view.checked == "failed" and view.failing == (("ci", ""),)
    memory_github.statuses.append(dict(seeded, state="success", creator="someone"))  # a person: counts, as before
    assert read_pull(ctx, pull).checked == "passed"
