"""bot.facts: a webhook saying a repository's default branch, name, owner, rules or labels changed drops what the
process keeps of it (bot.kept), so the next use reads GitHub again instead of waiting out the TTL."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.app.validate import problem
from bot.context import Context
from bot.handlers import handle_event
from bot.issues.labels import KnownLabels
from bot.kept import Kept
from bot.runs.required_checks import RequiredChecks

FACTS = ("default_branches", "required_checks", "known_labels")


def _ctx(memory_github, repos: tuple[str, ...], *, mode: str = "app") -> Context:
    """A job's Context whose process keeps each fact of `repos` (required checks of two base branches each)."""
    ctx = Context(gh=memory_github, repo=repos[0], store=None, configs=None, mode=mode)
    if mode == "app":
        ctx.default_branches = Kept(ttl=300, clock=lambda: 0.0)
        ctx.required_checks = RequiredChecks(ttl=300, clock=lambda: 0.0)
        ctx.known_labels = KnownLabels(ttl=600, clock=lambda: 0.0)
        for repo in repos:
            ctx.default_branches.put(repo, "", "main")
            for base in ("main", "release"):
                ctx.required_checks.put(repo, base, ("test",))
            ctx.known_labels.put(repo, {"bug"})
    return ctx


def _kept(ctx: Context, repo: str) -> dict[str, bool]:
    return {"default_branches": ctx.default_branches.get(repo) is not None,
            "required_checks": any(ctx.required_checks.get(repo, base) is not None for base in ("main", "release")),
            "known_labels": ctx.known_labels.get(repo) is not None}


def _only(*facts: str) -> dict[str, bool]:
    return {fact: fact not in facts for fact in FACTS}


def _deliver(event: str, payload: dict, ctx: Context):
    assert problem(event, payload.get("action"), payload) is None  # what the door lets in
    return handle_event(event, payload, ctx)


def test_a_new_default_branch_forgets_it_and_the_required_checks_only(memory_github, webhook_example):
    payload = webhook_example("repository", "edited", 1)
    repo = payload["repository"]["full_name"]
    assert payload["changes"] == {"default_branch": {"from": "main"}}  # GitHub's example: main became master
    ctx = _ctx(memory_github, (repo, "Octocoders/other"))
    res = _deliver("repository", payload, ctx)
    assert res.action == "forgotten" and _kept(ctx, repo) == _only("default_branches", "required_checks")
    assert _kept(ctx, "Octocoders/other") == _only()  # another repository's facts stay


def test_an_edit_that_keeps_the_default_branch_forgets_nothing(memory_github, webhook_example):
    payload = webhook_example("repository", "edited", 0)
    assert "default_branch" not in payload["changes"]
    ctx = _ctx(memory_github, (payload["repository"]["full_name"],))
    assert _deliver("repository", payload, ctx).action == "ignored"
    assert _kept(ctx, payload["repository"]["full_name"]) == _only()


def test_a_renamed_repository_forgets_everything_under_its_old_and_new_names(memory_github, webhook_example):
    payload = webhook_example("repository", "renamed")
    payload["changes"]["repository"]["name"]["from"] = "Old-Name"
    ctx = _ctx(memory_github, ("Octocoders/Hello-World", "octocoders/old-name", "Octocoders/kept"))
    assert _deliver("repository", payload, ctx).action == "forgotten"
    assert _kept(ctx, "Octocoders/Hello-World") == _kept(ctx, "Octocoders/Old-Name") == _only(*FACTS)
    assert _kept(ctx, "Octocoders/kept") == _only()


@pytest.mark.parametrize("was", ["user", "organization"])
def test_a_transferred_repository_forgets_everything_under_its_old_and_new_owners(memory_github, webhook_example, was):
    payload = webhook_example("repository", "transferred")
    former = payload["changes"]["owner"]["from"]
    if was == "organization":  # from an organisation: GitHub names it instead of a user
        payload["changes"]["owner"]["from"] = {"organization": dict(former.pop("user"), login="old-org")}
    old = f"{'octocat' if was == 'user' else 'old-org'}/Hello-World"
    ctx = _ctx(memory_github, ("Octocoders/Hello-World", old, "octocat/other"))
    assert _deliver("repository", payload, ctx).action == "forgotten"
    assert _kept(ctx, "Octocoders/Hello-World") == _kept(ctx, old) == _only(*FACTS)
    assert _kept(ctx, "octocat/other") == _only()


def test_a_deleted_repository_forgets_everything(memory_github, webhook_example):
    payload = dict(webhook_example("repository", "created"), action="deleted")  # GitHub's examples have no deletion
    ctx = _ctx(memory_github, (payload["repository"]["full_name"],))
    assert _deliver("repository", payload, ctx).action == "forgotten"
    assert _kept(ctx, payload["repository"]["full_name"]) == _only(*FACTS)


@pytest.mark.parametrize("action", ["created", "edited", "deleted"])
def test_a_label_change_forgets_the_label_names_only(memory_github, webhook_example, action):
    payload = webhook_example("label", action)
    repo = payload["repository"]["full_name"]
    payload["sender"] = dict(payload["sender"], login="settings[bot]", type="Bot")  # a bot's change is a change
    ctx = _ctx(memory_github, (repo,))
    assert _deliver("label", payload, ctx).action == "forgotten"
    assert _kept(ctx, repo) == _only("known_labels")


@pytest.mark.parametrize("action", ["created", "edited", "deleted"])
def test_a_branch_protection_rule_or_ruleset_change_forgets_the_required_checks_only(
        memory_github, webhook_example, ruleset_example, action):
    for event, payload in (("branch_protection_rule", webhook_example("branch_protection_rule", action)),
                           ("repository_ruleset", ruleset_example(action))):
        repo = payload["repository"]["full_name"]
        ctx = _ctx(memory_github, (repo,))
        assert _deliver(event, payload, ctx).action == "forgotten", event
        assert _kept(ctx, repo) == _only("required_checks"), event


def test_an_organisations_ruleset_forgets_the_required_checks_of_its_repositories(memory_github, ruleset_example):
    payload = {k: v for k, v in ruleset_example().items() if k != "repository"}
    payload["organization"] = {"login": "Octo-Org"}
    ctx = _ctx(memory_github, ("octo-org/a", "octo-org/b", "octo-org2/a"))
    assert _deliver("repository_ruleset", payload, ctx).action == "forgotten"
    assert _kept(ctx, "octo-org/a") == _kept(ctx, "octo-org/b") == _only("required_checks")
    assert _kept(ctx, "octo-org2/a") == _only()


def test_the_action_keeps_nothing_and_forgets_nothing(memory_github, webhook_example):
    payload = webhook_example("repository", "edited", 1)
    ctx = _ctx(memory_github, (payload["repository"]["full_name"],), mode="action")
    assert handle_event("repository", payload, ctx).action == "ignored"


def _repo_reads(fake_github, repo: str, since: int) -> int:
    return sum(1 for r in fake_github.requests[since:] if r.method == "GET" and r.path == f"/repos/{repo}")


def test_a_default_branch_rename_delivered_to_the_app_is_read_at_the_next_use(post_event, run_jobs, runtime,
                                                                               fake_github, webhook_example):
    """Through the App: the next job after the delivery reads the new default branch, not the kept old one."""
    payload = webhook_example("repository", "edited", 1)
    repo = payload["repository"]["full_name"]
    fake_github.add_repo(repo, default_branch="main")

    def default_branch() -> str:  # a job's own Context, as the worker builds it
        return runtime.context(SimpleNamespace(installation_id=None, repo=repo, delivery_id="next")).default_branch

    assert default_branch() == "main"
    start = len(fake_github.requests)
    assert default_branch() == "main" and _repo_reads(fake_github, repo, start) == 0  # kept by the process
    fake_github.repo(repo)["default_branch"] = "master"  # renamed on GitHub, which then says so
    assert post_event("repository", payload).status_code == 202
    assert run_jobs() == 1
    start = len(fake_github.requests)
    assert default_branch() == "master" and _repo_reads(fake_github, repo, start) == 1
    assert default_branch() == "master" and _repo_reads(fake_github, repo, start) == 1  # and kept again
