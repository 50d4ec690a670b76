"""`/review` and `/override-review` through the real issue_comment handler and FakeGitHub."""

from __future__ import annotations

import pytest

from bot.handlers import handle_event
from tests.plugins.gate import AUTH, NUMBER, PASS, REPO, SHA, seed, statuses  # noqa: F401


def _reply(fake_github) -> str:
    return [c["body"] for c in fake_github.comments(REPO, NUMBER) if c["user"] == "github-actions[bot]"][-1]


def test_review_command_reruns_the_gate(fake_github, fake_anthropic, make_ctx, pr_comment):
    seed(fake_github, [AUTH], labels=["security"])
    fake_anthropic.reply_with(PASS)
    handle_event("issue_comment", pr_comment("/review"), make_ctx())
    assert statuses(fake_github) == [(SHA, "pending", "Opus review required"),
                                     (SHA, "success", "Opus review passed: no findings")]
    assert "Opus review passed" in _reply(fake_github)


def test_review_command_needs_write(fake_github, fake_anthropic, make_ctx, pr_comment):
    seed(fake_github, [AUTH], labels=["security"])
    handle_event("issue_comment", pr_comment("/review", login="visitor", role="read"), make_ctx())
    assert statuses(fake_github) == [] and fake_anthropic.requests == []
    assert "needs write access" in _reply(fake_github)


def test_review_command_during_an_outage_keeps_pending(fake_github, fake_anthropic, make_ctx, pr_comment):
    seed(fake_github, [AUTH], labels=["security"])
    fake_anthropic.fail_next(500, times=1)
    handle_event("issue_comment", pr_comment("/review"), make_ctx())
    assert statuses(fake_github)[-1][1] == "pending"
    assert "unavailable" in _reply(fake_github)


def test_admin_override_sets_success_with_an_audit_note(fake_github, fake_anthropic, make_ctx, pr_comment):
    seed(fake_github, [AUTH], labels=["security"])
    handle_event("issue_comment", pr_comment(f"/override-review {SHA} fixture key, not a secret", role="admin"), make_ctx())
    assert statuses(fake_github) == [(SHA, "success", "overridden by @Codertocat: fixture key, not a secret")]
    (run,) = fake_github.repo(REPO)["check_runs"].values()
    assert run["conclusion"] == "success" and run["head_sha"] == SHA
    note = _reply(fake_github)
    assert "**Audit:**" in note and "@Codertocat" in note and "fixture key, not a secret" in note and SHA in note


@pytest.mark.parametrize("role", ["write", "maintain"])
def test_override_is_admin_only(fake_github, fake_anthropic, make_ctx, pr_comment, role):
    seed(fake_github, [AUTH], labels=["security"])
    handle_event("issue_comment", pr_comment(f"/override-review {SHA} trust me", role=role), make_ctx())
    assert statuses(fake_github) == []
    assert "needs admin access" in _reply(fake_github)


def test_override_needs_a_reason(fake_github, fake_anthropic, make_ctx, pr_comment):
    seed(fake_github, [AUTH], labels=["security"])
    for words in ("", SHA, "fixture key, not a secret"):  # a reason alone no longer names a commit
        handle_event("issue_comment", pr_comment(f"/override-review {words}".strip(), role="admin"), make_ctx())
        assert statuses(fake_github) == []
        assert "Usage: `/override-review <sha> <reason>`" in _reply(fake_github)
