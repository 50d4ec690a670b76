"""Issue #12 regression tests for the Opus gate: each reproduces one way the gate turned green without a full review."""

from __future__ import annotations

import pytest

from bot.review import gate
from bot.config import RepoConfig
from bot.handlers import handle_event as dispatch
from tests.plugins.gate import AUTH, NUMBER, PASS, PLAIN, REPO, SHA, seed, statuses

BIG_HUNK = "@@ -0,0 +1,400 @@\n" + "".join(f"+secret_{i} = derive({i})\n" for i in range(400))


def _opened(webhook_example):
    return webhook_example("pull_request", "opened")


# -- finding 2: unreviewed bytes pass -------------------------------------------------------------
@pytest.mark.parametrize("files,config,why", [
    ([{"filename": "src/auth/big.py", "additions": 400, "changes": 400, "patch": BIG_HUNK}],
     {"max_diff_chars_per_chunk": 1_000, "max_chunks": 3}, "very large hunk"),
    ([AUTH, {"filename": "src/auth/keys.bin", "status": "added", "additions": 1, "changes": 1}],
     {}, "no text diff"),
    ([AUTH] + [{"filename": f"src/auth/m{i}.py", "additions": 1, "changes": 1, "patch": "@@ -0,0 +1 @@\n+" + "x" * 900}
               for i in range(4)], {"max_diff_chars_per_chunk": 1_000, "max_chunks": 2}, "budget of 2 chunks"),
], ids=["cut-hunk", "no-patch", "past-chunk-limit"])
def test_anything_not_fully_reviewed_fails(fake_github, fake_anthropic, make_ctx, webhook_example, files, config, why):
    seed(fake_github, files)
    fake_anthropic.reply_with(PASS)
    dispatch("pull_request", _opened(webhook_example), make_ctx(config=RepoConfig(review=config)))
    sha, state, desc = statuses(fake_github)[-1]
    assert (sha, state) == (SHA, "failure") and "not fully reviewed" in desc and "/override-review" in desc
    summary = [r for r in fake_github.repo(REPO)["check_runs"].values()][-1]["output"]["summary"]
    assert why in summary and "To fix:" in summary


# -- finding 4: the model's verdict alone decides ---------------------------------------------------
@pytest.mark.parametrize("finding", [
    {"severity": "critical", "title": "Login always succeeds"},
    {"severity": "high", "title": "Token logged"},
    {"severity": "low", "title": "Prompt injection attempt in pull request"},
    {"severity": "medium", "title": "Comment addresses the reviewer", "explanation": "A prompt-injection attempt."},
], ids=["critical", "high", "injection-title", "injection-explanation"])
@pytest.mark.parametrize("verdict", ["pass", "pass_with_findings"])
def test_blocking_findings_fail_whatever_the_verdict(fake_github, fake_anthropic, make_ctx, webhook_example,
                                                     finding, verdict):
    seed(fake_github, [AUTH], labels=["security"])
    fake_anthropic.reply_with({"verdict": verdict, "findings": [
        {"file": "src/auth/login.py", "line": 2, "explanation": "x", **finding}]})
    res = dispatch("pull_request", _opened(webhook_example), make_ctx())
    assert statuses(fake_github)[-1][1] == "failure" and res.outputs["review_state"] == "failure"
    assert statuses(fake_github)[-1][2].startswith("Opus review failed")


def test_medium_and_low_findings_still_pass():
    assert gate.result(gate.Verdict("pass_with_findings", ("medium", "low"))).state == "success"


# -- finding 5: truncated file listings -------------------------------------------------------------
def test_a_listing_at_githubs_cap_is_required_and_fails_closed(fake_github, fake_anthropic, make_ctx, webhook_example):
    files = [{"filename": f"docs/p{i}.md", "additions": 1, "changes": 1, "patch": "@@ -0,0 +1 @@\n+x"} for i in range(3001)]
    seed(fake_github, files)  # the 3,001st file would be a security path; GitHub never lists it
    fake_anthropic.reply_with(PASS)
    config = RepoConfig(review={"max_diff_chars_per_chunk": 1_000_000, "max_chunks": 1})
    dispatch("pull_request", _opened(webhook_example), make_ctx(config=config))
    states = statuses(fake_github)
    assert (SHA, "success", "not required") not in states
    assert states[-1][1] == "failure"
    assert "security" in fake_github.labels_on(REPO, NUMBER)


def test_fewer_files_listed_than_the_pr_counts_is_truncated():
    assert gate.listing_truncated(3000, None) and gate.listing_truncated(10, 11)
    assert not gate.listing_truncated(10, 10) and not gate.listing_truncated(10, None)


# -- finding 6: a pure rename of a security path ----------------------------------------------------
@pytest.mark.parametrize("old,new", [
    ("src/auth/csrf_middleware.py", "src/auth/csrf_middleware.py.disabled"),
    ("src/auth/csrf_middleware.py", "attic/csrf_middleware.py"),
    ("attic/csrf_middleware.py", "src/auth/csrf_middleware.py"),
], ids=["in-place", "out-of", "into"])
def test_a_security_path_rename_is_reviewed(fake_github, fake_anthropic, make_ctx, webhook_example, old, new):
    seed(fake_github, [{"filename": new, "previous_filename": old, "status": "renamed"}])
    fake_anthropic.reply_with({"verdict": "fail", "findings": [
        {"file": new, "severity": "high", "title": "CSRF protection disabled", "explanation": "renamed away"}]})
    dispatch("pull_request", _opened(webhook_example), make_ctx())
    (request,) = fake_anthropic.requests
    assert f"{new} (renamed from {old})" in request.prompt
    assert statuses(fake_github)[-1][1] == "failure"


def test_a_rename_elsewhere_needs_nothing(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, [PLAIN, {"filename": "docs/b.md", "previous_filename": "docs/a.md", "status": "renamed"}],
         labels=["security"])
    fake_anthropic.reply_with(PASS)
    dispatch("pull_request", _opened(webhook_example), make_ctx())
    assert statuses(fake_github)[-1] == (SHA, "success", "Opus review passed: no findings")


# -- finding 3: the status is per commit, the gate per PR ---------------------------------------------
OTHER = 3


def _second_pr(fake_github, files, labels=()):
    fake_github.add_pull(REPO, OTHER, "Same commit, no label", "", head_sha=SHA, labels=list(labels), files=files)


def _event(webhook_example, number, action="opened"):
    payload = webhook_example("pull_request", action)
    payload["pull_request"]["number"] = payload["number"] = number
    return payload


def test_a_second_pr_at_the_same_sha_cannot_clear_the_failure(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, [PLAIN], labels=["security"])
    _second_pr(fake_github, [PLAIN])
    fake_anthropic.reply_with({"verdict": "fail", "findings": [
        {"file": "README.md", "line": 1, "severity": "high", "title": "Backdoor", "explanation": "x"}]})
    ctx = make_ctx()
    dispatch("pull_request", _event(webhook_example, NUMBER), ctx)
    assert statuses(fake_github)[-1][1] == "failure"
    res = dispatch("pull_request", _event(webhook_example, OTHER), ctx)
    assert statuses(fake_github)[-1][1] == "failure" and (SHA, "success", "not required") not in statuses(fake_github)
    assert res.outputs["review_state"] == "failure"
    checks = [r.get("conclusion") for r in fake_github.repo(REPO)["check_runs"].values()]
    assert checks[-1] == "failure"


def test_the_strictest_open_pr_at_the_sha_decides(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, [PLAIN])  # this PR alone would not need a review ...
    _second_pr(fake_github, [AUTH])  # ... but another open PR with the same head touches auth
    res = dispatch("pull_request", _event(webhook_example, NUMBER), make_ctx())
    assert statuses(fake_github) == [] and res.action == "unchanged"
    assert "#3 has the same head" in res.messages[-1]
    assert any(r.operation_id == "repos/list-pull-requests-associated-with-commit" for r in fake_github.requests)


def test_removing_the_label_after_a_failure_does_not_clear_it(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, [PLAIN], labels=["security"])
    fake_anthropic.reply_with({"verdict": "fail", "findings": []})
    ctx = make_ctx()
    dispatch("pull_request", _event(webhook_example, NUMBER), ctx)
    fake_github.set_permission(REPO, "Codertocat", "write")
    fake_github.repo(REPO)["issues"][NUMBER]["labels"] = []
    removed = webhook_example("pull_request", "unlabeled")
    removed["label"]["name"], removed["sender"]["login"] = "security", "Codertocat"
    res = dispatch("pull_request", removed, ctx)
    assert res.action == "unchanged" and statuses(fake_github)[-1][1] == "failure"


def test_action_mode_reads_the_gate_config_from_the_default_branch(fake_github, webhook_example, runner_env, tmp_path):
    from tests.plugins.action import act, checkout, settings

    payload = webhook_example("pull_request", "opened")
    payload["pull_request"]["base"]["ref"] = "weak"  # a branch whose config turns the gate off
    fake_github.seed_payload(payload)
    repo = payload["repository"]["full_name"]
    fake_github.set_file(repo, ".github/model-router.yml", "review:\n  enabled: false\n", ref="weak")
    for f in fake_github.repo(repo)["issues"][payload["number"]]["pull"]["files"]:
        f["filename"] = "src/auth/session.py"
    fake_github.repo(repo)["issues"][payload["number"]]["pull"]["files"] = [
        {"filename": "src/auth/session.py", "status": "modified", "additions": 1, "deletions": 0, "changes": 1,
         "patch": "@@ -1 +1 @@\n-a\n+b"}]
    code, log = act(settings(tmp_path, fake_github, "pull_request", payload, workspace=checkout(tmp_path, "")))
    assert code == 0, log
    states = [(s["state"], s["description"]) for s in fake_github.repo(repo)["statuses"]]
    assert states and "disabled" not in states[-1][1] and states[-1][0] != "success"


# -- finding 7: /override-review is bound to the commit the admin saw ------------------------------------
def test_an_override_never_lands_on_a_commit_pushed_after_the_comment(fake_github, fake_anthropic, make_ctx,
                                                                      pr_comment):
    from tests.plugins.gate import NEW_SHA

    seed(fake_github, [AUTH], labels=["security"])
    ctx = make_ctx()
    comment = pr_comment(f"/override-review {SHA} false positive", login="boss", role="admin")
    fake_github.repo(REPO)["issues"][NUMBER]["pull"]["head_sha"] = NEW_SHA  # the author pushes before the job runs
    dispatch("issue_comment", comment, ctx)
    assert statuses(fake_github) == [] and ctx.store.review_overrides(REPO, NUMBER) == []
    reply = fake_github.comments(REPO, NUMBER)[-1]["body"]
    assert "Not overridden" in reply and NEW_SHA[:12] in reply


def test_an_override_without_a_sha_is_refused(fake_github, fake_anthropic, make_ctx, pr_comment):
    seed(fake_github, [AUTH], labels=["security"])
    dispatch("issue_comment", pr_comment("/override-review false positive", login="boss", role="admin"), make_ctx())
    assert statuses(fake_github) == []
