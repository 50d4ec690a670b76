"""issue_comment.created → commands, against the OpenAPI-validating FakeGitHub with real payloads."""

import pytest
from sqlalchemy import create_engine

from bot import permissions
from bot.handlers import handle_event
from bot.commands.replies import REPLY_MARKER
from bot.config.source import FixedConfig
from bot.context import Context
from bot.store.issues import IssueStore

REPO = "Codertocat/Hello-World"


@pytest.fixture(autouse=True)
def _fresh_permission_cache():
    permissions.clear_cache()
    yield
    permissions.clear_cache()


@pytest.fixture
def ctx(gh, tmp_path):
    store = IssueStore(create_engine(f"sqlite:///{tmp_path / 'exp.db'}"))
    return Context(gh=gh, repo=REPO, store=store, configs=FixedConfig())


@pytest.fixture
def comment(webhook_example, fake_github):
    """A real issue_comment.created payload with our body, its repo/issue seeded, sender with `role`."""

    def make(body, *, role="write", sender="Codertocat", sender_type="User", title="Fix typo in README", issue_body="A typo."):
        p = webhook_example("issue_comment", "created")
        p["comment"]["body"] = body
        p["sender"]["login"] = p["comment"]["user"]["login"] = sender
        p["sender"]["type"] = p["comment"]["user"]["type"] = sender_type
        p["issue"]["title"], p["issue"]["body"] = title, issue_body
        fake_github.seed_payload(p)
        p["comment"]["id"] = fake_github.add_comment(REPO, p["issue"]["number"], body, user=sender, user_type=sender_type)
        fake_github.set_permission(REPO, sender, role)
        return p

    return make


def reactions(fake_github, comment_id):
    return [r["content"] for r in fake_github.repo(REPO)["comments"][comment_id]["reactions"]]


def replies(fake_github):
    return [c for c in fake_github.comments(REPO, 1) if REPLY_MARKER in c["body"]]


def test_model_override_by_writer(ctx, comment, fake_github):
    p = comment("Thanks!\n/model opus")
    res = handle_event("issue_comment", p, ctx)
    assert res.action == "commands"
    assert "model:opus" in fake_github.labels_on(REPO, 1)
    [reply] = replies(fake_github)
    assert "> /model opus" in reply["body"] and "**opus**" in reply["body"]
    assert reactions(fake_github, p["comment"]["id"]) == ["eyes"]
    cur = ctx.store.current(REPO, 1)
    assert cur["tier"] == "opus" and [(o["field"], o["new"], o["by"]) for o in cur["overrides"]] == [("tier", "opus", "Codertocat")]


def test_read_only_commenter_gets_polite_reply_and_nothing_changes(ctx, comment, fake_github):
    p = comment("/model opus\n/dispatch", role="read")
    handle_event("issue_comment", p, ctx)
    [reply] = replies(fake_github)
    assert reply["body"].count("needs write access") == 2 and "you have `read`" in reply["body"]
    assert not [n for n in fake_github.labels_on(REPO, 1) if ":" in n] and ctx.store.current(REPO, 1) is None
    assert fake_github.repo(REPO)["workflow_dispatches"] == []
    assert reactions(fake_github, p["comment"]["id"]) == ["eyes"]


@pytest.mark.parametrize("body", ["```\n/dispatch\n```", "> /dispatch\n\nagreed", "see `/dispatch`", "<!-- /dispatch -->"])
def test_commands_in_code_or_quotes_do_nothing(ctx, comment, fake_github, body):
    p = comment(body)
    assert handle_event("issue_comment", p, ctx).action == "ignored"
    assert fake_github.writes() == []


def test_bot_sender_ignored(ctx, comment, fake_github):
    p = comment("/dispatch", sender="renovate[bot]", sender_type="Bot")
    assert handle_event("issue_comment", p, ctx).action == "ignored"
    # and even past the central bot filter, the handler itself refuses bot comments
    from bot.handlers.comments import handle

    assert handle(p, ctx).action == "ignored"
    assert fake_github.writes() == []


def test_anyone_may_ask_why_cost_and_help(ctx, comment, fake_github):
    p = comment("/route")
    handle_event("issue_comment", p, ctx)
    p2 = comment("/why\n/cost\n/model-router help", role="read", sender="visitor")
    handle_event("issue_comment", p2, ctx)
    body = replies(fake_github)[-1]["body"]
    assert "> /why" in body and "> /cost" in body and "> /model-router help" in body
    assert "| haiku" in body and "← routed" in body and "`/dispatch [haiku\\|sonnet\\|opus]`" in body


def test_why_and_cost_answer_for_a_decision_stored_with_an_unbounded_kind(ctx, comment, fake_github):
    """A decision recorded before kinds were bounded (bot.models.MAX_KIND) is read back clipped, not refused."""
    handle_event("issue_comment", comment("/route"), ctx)
    old = ctx.store.decision(REPO, 1).model_copy(update={"kind": "typo|" + "x" * 300})
    ctx.store.record_decision(REPO, 1, old)
    res = handle_event("issue_comment", comment("/why\n/cost", role="read", sender="visitor"), ctx)
    body = replies(fake_github)[-1]["body"]
    assert res.action == "commands" and "> /why" in body and "← routed" in body


def test_not_understood(ctx, comment, fake_github):
    p = comment("/model-router frobnicate\n/model gpt")
    handle_event("issue_comment", p, ctx)
    body = replies(fake_github)[0]["body"]
    assert "don't know `/frobnicate`" in body and "Usage: `/model haiku | sonnet | opus`" in body
    assert reactions(fake_github, p["comment"]["id"]) == ["eyes", "confused"]


def test_pr_only_command_on_an_issue(ctx, comment, fake_github):
    p = comment("/review")
    handle_event("issue_comment", p, ctx)
    assert "pull requests only" in replies(fake_github)[0]["body"]


def test_redelivery_edits_the_one_reply(ctx, comment, fake_github):
    p = comment("/complexity complex")
    handle_event("issue_comment", p, ctx)
    handle_event("issue_comment", p, ctx)
    assert len(replies(fake_github)) == 1
    assert ctx.store.current(REPO, 1)["complexity"] == "complex"
    assert len(ctx.store.overrides(REPO, 1)) == 1


def test_permission_is_cached_briefly(ctx, comment, fake_github):
    p = comment("/route")
    handle_event("issue_comment", p, ctx)
    handle_event("issue_comment", comment("/route"), ctx)
    perms = [r for r in fake_github.requests if r.path.endswith("/permission")]
    assert len(perms) == 1


def test_unknown_user_permission_404_is_none(ctx, comment, fake_github):
    p = comment("/route", sender="stranger")
    fake_github.repo(REPO)["permissions"].pop("stranger", None)
    handle_event("issue_comment", p, ctx)
    assert "needs write access" in replies(fake_github)[0]["body"]
