"""Issue #23 regression tests for the Opus gate: overrides by prefix, re-targeted pull requests, the config
that turns the gate off. Each reproduces one way a security pull request turned green without the review."""

from __future__ import annotations

from datetime import datetime, timezone

import time_machine

from bot.config import RepoConfig
from bot.handlers import handle_event as dispatch
from tests.plugins.gate import AUTH, NUMBER, PASS, PLAIN, REPO, SHA, seed, statuses

COLLIDING = SHA[:7] + "0" * 33  # a commit the author ground out to share the prefix the admin typed


# -- finding 1: /override-review by prefix ------------------------------------------------------------
def test_an_override_by_prefix_never_opens_the_gate_on_a_colliding_commit(fake_github, fake_anthropic, make_ctx,
                                                                          pr_comment):
    seed(fake_github, [AUTH], labels=["security"], head=COLLIDING)  # the author pushed the collision
    ctx = make_ctx()
    dispatch("issue_comment", pr_comment(f"/override-review {SHA[:7]} checked it", login="boss", role="admin"), ctx)
    assert statuses(fake_github) == [] and ctx.store.review_overrides(REPO, NUMBER) == []
    reply = fake_github.comments(REPO, NUMBER)[-1]["body"]
    assert "full 40-character SHA" in reply and "git rev-parse" in reply  # says what to do instead


def test_an_override_applies_only_to_the_exact_commit_named(fake_github, fake_anthropic, make_ctx, pr_comment):
    seed(fake_github, [AUTH], labels=["security"], head=COLLIDING)
    dispatch("issue_comment", pr_comment(f"/override-review {SHA} checked it", login="boss", role="admin"), make_ctx())
    assert statuses(fake_github) == []
    seed(fake_github, [AUTH], labels=["security"], head=SHA)
    dispatch("issue_comment", pr_comment(f"/override-review {SHA.upper()} checked it", login="boss", role="admin"),
             make_ctx())
    assert statuses(fake_github) == [(SHA, "success", "overridden by @boss: checked it")]


def test_an_old_override_job_rerun_in_the_action_never_lands_on_the_new_head(fake_github, runner_env, tmp_path,
                                                                            pr_comment):
    from tests.plugins.action import act, settings

    seed(fake_github, [AUTH], labels=["security"], head=COLLIDING)  # pushed after the admin's comment
    payload = pr_comment(f"/override-review {SHA[:7]} checked it", login="boss", role="admin")
    code, log = act(settings(tmp_path, fake_github, "issue_comment", payload))  # the admin's job, re-run
    assert code == 0, log
    assert [s for s in fake_github.repo(REPO)["statuses"] if s["state"] == "success"] == []


# -- finding 2: a re-targeted pull request keeps "not required" ----------------------------------------
def _retargeted(webhook_example, old_base="docs-only"):
    payload = webhook_example("pull_request", "opened")
    payload["action"] = "edited"
    payload["changes"] = {"base": {"ref": {"from": old_base}, "sha": {"from": "d" * 40}}}
    return payload


def test_changing_the_base_re_gates_the_pull_request(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, [PLAIN])
    dispatch("pull_request", webhook_example("pull_request", "opened"), make_ctx())
    assert statuses(fake_github) == [(SHA, "success", "not required")]
    seed(fake_github, [PLAIN, AUTH])  # against main the diff now brings in src/auth/…
    fake_anthropic.reply_with({"verdict": "fail", "findings": [
        {"file": "src/auth/login.py", "line": 2, "severity": "critical", "title": "Login always succeeds",
         "explanation": "x"}]})
    dispatch("pull_request", _retargeted(webhook_example), make_ctx())
    assert statuses(fake_github)[-1][:2] == (SHA, "failure")


def test_a_review_of_the_old_base_never_lands_after_the_base_changed(fake_github, fake_anthropic, make_ctx,
                                                                     webhook_example):
    """The base is changed while the review of the old diff runs: its pass must not reach the commit."""
    seed(fake_github, [AUTH])
    pull = fake_github.repo(REPO)["issues"][NUMBER]["pull"]

    def retarget_mid_review(_request):
        pull["base"] = "release"  # GitHub now diffs the same head against another base
        return PASS

    fake_anthropic.reply_with(retarget_mid_review)
    res = dispatch("pull_request", webhook_example("pull_request", "opened"), make_ctx())
    assert res.action == "superseded" and "success" not in [state for _, state, _ in statuses(fake_github)]


def test_editing_only_the_title_does_not_re_gate(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, [AUTH])
    payload = _retargeted(webhook_example)
    payload["changes"] = {"title": {"from": "old title"}}
    res = dispatch("pull_request", payload, make_ctx())
    assert statuses(fake_github) == [] and res.action == "ignored"


# -- finding 7: a pull request that disables the gate ---------------------------------------------------
CONFIG_EDIT = {"filename": ".github/model-router.yml", "additions": 2, "changes": 2,
               "patch": "@@ -0,0 +1,2 @@\n+review:\n+  enabled: false"}
EXECUTOR_EDIT = {"filename": ".github/workflows/model-router-executor.yml", "additions": 1, "changes": 1,
                 "patch": "@@ -1 +1 @@\n-a\n+b"}


def test_a_pr_editing_the_router_config_needs_the_review_even_with_custom_paths(fake_github, fake_anthropic,
                                                                                make_ctx, webhook_example):
    seed(fake_github, [CONFIG_EDIT])
    fake_anthropic.reply_with(PASS)
    config = RepoConfig(security={"paths": ["src/billing/**"]})  # the repository replaced the default globs
    dispatch("pull_request", webhook_example("pull_request", "opened"), make_ctx(config=config))
    assert (SHA, "success", "not required") not in statuses(fake_github)
    assert statuses(fake_github)[0][1] == "pending" and "security" in fake_github.labels_on(REPO, NUMBER)


def test_a_pr_editing_a_composite_action_the_workflows_run_needs_the_review(fake_github, fake_anthropic, make_ctx,
                                                                            webhook_example):
    seed(fake_github, [{"filename": ".github/actions/setup/action.yml", "additions": 1, "changes": 1,
                        "patch": "@@ -1 +1 @@\n-a\n+b"}])
    config = RepoConfig(security={"paths": []})
    dispatch("pull_request", webhook_example("pull_request", "opened"), make_ctx(llm=False, config=config))
    assert statuses(fake_github)[-1][1] == "pending"


def test_a_pr_editing_the_executor_workflow_needs_the_review(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, [EXECUTOR_EDIT])
    config = RepoConfig(security={"paths": []}, executor={"workflow": "model-router-executor.yml"})
    dispatch("pull_request", webhook_example("pull_request", "opened"), make_ctx(llm=False, config=config))
    assert statuses(fake_github)[-1][1] == "pending"


# -- also seen: many accounts' fork pull requests spend the review budget ----------------------------------------
@time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc), tick=False)
def test_automatic_reviews_stop_at_a_default_monthly_review_budget(fake_github, fake_anthropic, make_ctx,
                                                                   webhook_example, pr_comment):
    seed(fake_github, [AUTH], labels=["security"])
    fake_anthropic.reply_with(PASS)
    ctx = make_ctx()
    limit = RepoConfig().review.monthly_usd
    assert limit is not None and limit > 0  # on by default, no budget configured
    for i in range(3):  # this month's earlier reviews, by throwaway accounts
        ctx.store.record_review(REPO, 100 + i, head_sha=f"{i:040d}", model="claude-opus-x", verdict="pass",
                                state="success", trigger="opened", cost_usd=limit / 3, author=f"sock{i}")
    dispatch("pull_request", webhook_example("pull_request", "opened"), ctx)
    sha, state, desc = statuses(fake_github)[-1]
    assert state == "failure" and "review.monthly_usd" in desc and fake_anthropic.requests == []
    dispatch("issue_comment", pr_comment("/review", login="maintainer", role="write"), ctx)  # a writer still can
    assert statuses(fake_github)[-1][1] == "success"
