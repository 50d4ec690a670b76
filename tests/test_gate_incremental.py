"""Incremental review on push: only the range since the last passing review, and only when that is safe."""

from __future__ import annotations

from bot.handlers import handle_event
from bot.review.incremental import paths, previous_pass, unseen
from bot.github.port import PullFile
from tests.plugins.gate import AUTH, NUMBER, OPUS, PASS, PLAIN, REPO, seed, statuses  # noqa: F401

TOKEN = {"filename": "src/auth/token.py", "status": "added", "additions": 2, "changes": 2,
         "patch": "@@ -0,0 +1,2 @@\n+SECRET = 'x'\n+def token(): return SECRET"}
FAIL = {"verdict": "fail", "summary": "Bypass.", "findings": [
    {"file": "src/auth/login.py", "line": 2, "severity": "critical", "title": "Login always succeeds",
     "explanation": "No password check."}]}


def first_review(fake_github, fake_anthropic, make_ctx, webhook_example, reply=PASS, files=(AUTH,)):
    """The PR at the synchronize payload's `before` SHA, reviewed in full."""
    payload = webhook_example("pull_request", "synchronize")
    old, new = payload["before"], payload["after"]
    seed(fake_github, list(files), labels=["security"], head=old)
    fake_anthropic.reply_with(reply)
    handle_event("pull_request", webhook_example("pull_request", "opened"), make_ctx())
    return payload, old, new


def push(fake_github, new, files):
    seed(fake_github, files, labels=["security"], head=new)


def prompts(fake_anthropic, start=0):
    return [r.prompt for r in fake_anthropic.requests[start:]]


def test_second_push_reviews_only_the_new_range(fake_github, fake_anthropic, make_ctx, webhook_example):
    payload, old, new = first_review(fake_github, fake_anthropic, make_ctx, webhook_example)
    push(fake_github, new, [AUTH, TOKEN])
    fake_github.set_compare(REPO, old, new, [TOKEN])
    ctx = make_ctx()
    res = handle_event("pull_request", payload, ctx)
    (prompt,) = prompts(fake_anthropic, 1)
    assert "src/auth/token.py" in prompt and "src/auth/login.py" not in prompt
    assert fake_anthropic.requests[-1].model == OPUS
    assert res.outputs["review_base_sha"] == old
    assert statuses(fake_github, new) == [(new, "pending", "Opus review required"),
                                          (new, "success", f"Opus review passed: no findings (changes since {old[:7]})")]
    review = fake_github.repo(REPO)["reviews"][-1]
    assert review["commit_id"] == new
    assert f"only the changes from `{old[:12]}` (last passing review) to `{new[:12]}`" in review["body"]
    records = ctx.store.reviews(REPO, NUMBER)
    assert [(r["head_sha"], r["base_sha"], r["trigger"]) for r in records] == [(old, None, "opened"), (new, old, "push")]


def test_a_third_push_chains_from_the_incremental_pass(fake_github, fake_anthropic, make_ctx, webhook_example):
    payload, old, new = first_review(fake_github, fake_anthropic, make_ctx, webhook_example)
    push(fake_github, new, [AUTH, TOKEN])
    fake_github.set_compare(REPO, old, new, [TOKEN])
    handle_event("pull_request", payload, make_ctx())
    third = "c" * 40
    push(fake_github, third, [AUTH, TOKEN, PLAIN])
    fake_github.set_compare(REPO, new, third, [PLAIN])
    handle_event("pull_request", dict(payload, before=new, after=third), make_ctx())
    (prompt,) = prompts(fake_anthropic, 2)
    assert "README.md" in prompt and "src/auth/" not in prompt
    assert statuses(fake_github, third)[-1][2].endswith(f"(changes since {new[:7]})")


def test_force_push_reviews_the_full_diff(fake_github, fake_anthropic, make_ctx, webhook_example):
    payload, old, new = first_review(fake_github, fake_anthropic, make_ctx, webhook_example)
    push(fake_github, new, [AUTH, TOKEN])
    fake_github.set_compare(REPO, old, new, [TOKEN], status="diverged", ahead_by=1, behind_by=1)
    ctx = make_ctx()
    res = handle_event("pull_request", payload, ctx)
    (prompt,) = prompts(fake_anthropic, 1)
    assert "src/auth/token.py" in prompt and "src/auth/login.py" in prompt
    assert "review_base_sha" not in res.outputs
    assert statuses(fake_github, new)[-1] == (new, "success", "Opus review passed: no findings")
    body = fake_github.repo(REPO)["reviews"][-1]["body"]
    assert "the full diff against `main`" in body and "is not an ancestor of the new head (diverged)" in body
    assert ctx.store.last_review(REPO, NUMBER)["base_sha"] is None


def test_previous_fail_means_a_full_review_never_inherited(fake_github, fake_anthropic, make_ctx, webhook_example):
    payload, old, new = first_review(fake_github, fake_anthropic, make_ctx, webhook_example, reply=FAIL)
    assert statuses(fake_github, old)[-1][1] == "failure"
    push(fake_github, new, [AUTH, PLAIN])
    fake_github.set_compare(REPO, old, new, [PLAIN])  # the push only touched the README
    fake_anthropic.reply_with(FAIL)
    handle_event("pull_request", payload, make_ctx())
    (prompt,) = prompts(fake_anthropic, 1)
    assert "src/auth/login.py" in prompt  # the failed code is reviewed again
    assert not any("/compare/" in r.path for r in fake_github.requests)
    assert statuses(fake_github, new)[-1] == (new, "failure", "Opus review failed: 1 critical")
    assert "the last review, of `" + old[:12] + "`, did not pass (fail)" in fake_github.repo(REPO)["reviews"][-1]["body"]


def test_a_pass_before_a_later_fail_is_not_a_starting_point(fake_github, fake_anthropic, make_ctx, webhook_example):
    payload, old, new = first_review(fake_github, fake_anthropic, make_ctx, webhook_example)
    push(fake_github, new, [AUTH, TOKEN])
    fake_github.set_compare(REPO, old, new, [TOKEN])
    fake_anthropic.reply_with(FAIL)
    handle_event("pull_request", payload, make_ctx())  # incremental, fails
    third = "c" * 40
    push(fake_github, third, [AUTH, TOKEN, PLAIN])
    fake_github.set_compare(REPO, old, third, [TOKEN, PLAIN])
    fake_github.set_compare(REPO, new, third, [PLAIN])
    fake_anthropic.reply_with(PASS)
    handle_event("pull_request", dict(payload, before=new, after=third), make_ctx())
    (prompt,) = prompts(fake_anthropic, 2)
    assert all(p in prompt for p in ("src/auth/login.py", "src/auth/token.py", "README.md"))
    assert statuses(fake_github, third)[-1] == (third, "success", "Opus review passed: no findings")


def test_files_no_review_has_seen_force_a_full_review(fake_github, fake_anthropic, make_ctx, webhook_example):
    payload, old, new = first_review(fake_github, fake_anthropic, make_ctx, webhook_example)
    charge = {"filename": "src/payments/charge.py", "additions": 1, "changes": 1, "patch": "@@ -1 +1 @@\n-a\n+b"}
    push(fake_github, new, [AUTH, charge])  # e.g. a merge that kept an old version: charge.py not in the range
    fake_github.set_compare(REPO, old, new, [PLAIN])
    handle_event("pull_request", payload, make_ctx())
    (prompt,) = prompts(fake_anthropic, 1)
    assert "src/payments/charge.py" in prompt and "src/auth/login.py" in prompt
    assert "files no review has seen: `src/payments/charge.py`" in fake_github.repo(REPO)["reviews"][-1]["body"]


def test_review_error_is_recorded_and_the_next_push_is_full(fake_github, fake_anthropic, make_ctx, webhook_example):
    payload, old, new = first_review(fake_github, fake_anthropic, make_ctx, webhook_example, reply="LGTM, approve")
    ctx = make_ctx()
    assert ctx.store.last_review(REPO, NUMBER)["verdict"] == "error"
    push(fake_github, new, [AUTH, TOKEN])
    fake_github.set_compare(REPO, old, new, [TOKEN])
    fake_anthropic.reply_with(PASS)
    handle_event("pull_request", payload, ctx)
    assert "src/auth/login.py" in prompts(fake_anthropic, 1)[0]


def test_override_is_audited_and_does_not_start_an_incremental_range(
    fake_github, fake_anthropic, make_ctx, webhook_example, pr_comment
):
    payload, old, new = first_review(fake_github, fake_anthropic, make_ctx, webhook_example, reply=FAIL)
    ctx = make_ctx()
    handle_event("issue_comment", pr_comment(f"/override-review {old} test fixture, not a real bypass", login="boss", role="admin"), ctx)
    assert statuses(fake_github, old)[-1][1:] == ("success", "overridden by @boss: test fixture, not a real bypass")
    (audit,) = ctx.store.review_overrides(REPO, NUMBER)
    assert (audit["head_sha"], audit["by"], audit["reason"]) == (old, "boss", "test fixture, not a real bypass")
    push(fake_github, new, [AUTH, PLAIN])
    fake_github.set_compare(REPO, old, new, [PLAIN])
    handle_event("pull_request", payload, ctx)
    assert "src/auth/login.py" in prompts(fake_anthropic, 1)[0]  # an override is not a review
    assert statuses(fake_github, new)[-1][1] == "failure"


def test_refused_override_leaves_no_audit_row(fake_github, fake_anthropic, make_ctx, webhook_example, pr_comment):
    seed(fake_github, [AUTH], labels=["security"])
    ctx = make_ctx()
    handle_event("issue_comment", pr_comment("/override-review 1234567 please", login="dev", role="write"), ctx)
    assert ctx.store.review_overrides(REPO, NUMBER) == []


def test_label_event_is_always_a_full_review(fake_github, fake_anthropic, make_ctx, webhook_example):
    payload, old, new = first_review(fake_github, fake_anthropic, make_ctx, webhook_example)
    push(fake_github, new, [AUTH, TOKEN])
    fake_github.set_compare(REPO, old, new, [TOKEN])
    label = webhook_example("pull_request", "labeled")
    label["label"]["name"] = "security"
    handle_event("pull_request", label, make_ctx())
    assert "src/auth/login.py" in prompts(fake_anthropic, 1)[0]


# --- the pure rules -------------------------------------------------------------------------------

def _rec(verdict="pass", state="success", skipped=()):
    return {"head_sha": "a" * 40, "verdict": verdict, "state": state, "skipped": list(skipped)}


def test_previous_pass_rules():
    assert previous_pass(None)[0] is None
    assert previous_pass(_rec())[0] == "a" * 40
    assert previous_pass(_rec("pass_with_findings"))[0] == "a" * 40
    assert previous_pass(_rec("fail", "failure")) == (None, f"the last review, of `{'a' * 12}`, did not pass (fail)")
    assert previous_pass(_rec("error", "failure"))[0] is None
    assert previous_pass(_rec("pass", "failure"))[0] is None
    assert previous_pass(_rec(skipped=[{"file": "x", "reason": "renamed without changes"}]))[0] == "a" * 40
    assert previous_pass(_rec(skipped=[{"file": "k.bin", "reason": "no text diff"}]))[0] is None


def test_unseen_paths_include_old_names_of_renames():
    pr = paths([PullFile(filename="b.py", previous_filename="auth/a.py"), PullFile(filename="c.py")])
    assert pr == {"b.py", "auth/a.py", "c.py"}
    assert unseen(pr, ["auth/a.py", "c.py"], ["b.py"]) == set()
    assert unseen(pr, ["c.py"], ["b.py"]) == {"auth/a.py"}
