"""`/rate <1-5> [note]`: a person's quality score for the issue's latest run, through the App and the Action."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import create_engine

from bot import permissions
from bot.commands.replies import REPLY_MARKER
from bot.config.source import FixedConfig
from bot.context import Context
from bot.handlers import handle_event
from bot.issues.render import MARKER
from bot.issues.state import decode
from bot.store.issues import IssueStore
from tests.plugins.action import act, parse_outputs, settings, sticky

REPO = "Codertocat/Hello-World"
NOW = datetime(2026, 11, 20, 12, 0)


@pytest.fixture
def ctx(gh, tmp_path, time_machine):
    """The App's context on a fresh store, at a fixed time, no commenter's permission cached from another test."""
    time_machine.move_to(NOW, tick=False)
    permissions.clear_cache()
    yield Context(gh=gh, repo=REPO, store=IssueStore(create_engine(f"sqlite:///{tmp_path / 'exp.db'}")), configs=FixedConfig())
    permissions.clear_cache()


@pytest.fixture
def comment(webhook_example, fake_github):
    def make(body, *, role="write", sender="Codertocat", pull_request=False):
        p = webhook_example("issue_comment", "created")
        p["comment"]["body"] = body
        p["sender"]["login"] = p["comment"]["user"]["login"] = sender
        p["issue"]["title"], p["issue"]["body"] = "Fix typo in README", "A typo."
        p["issue"].pop("pull_request", None)
        if pull_request:
            p["issue"]["pull_request"] = {"url": f"https://api.github.com/repos/{REPO}/pulls/1"}
        fake_github.seed_payload(p)
        p["comment"]["id"] = fake_github.add_comment(REPO, p["issue"]["number"], body, user=sender)
        fake_github.set_permission(REPO, sender, role)
        return p

    return make


def reply(fake_github) -> str:
    return [c for c in fake_github.comments(REPO, 1) if REPLY_MARKER in c["body"]][-1]["body"]


def sticky_body(fake_github) -> str:
    [c] = [c for c in fake_github.comments(REPO, 1) if c["body"].startswith(MARKER)]
    return c["body"]


@pytest.fixture
def dispatched(ctx, comment):
    """The issue routed and one executor run started by a writer."""
    handle_event("issue_comment", comment("/dispatch"), ctx)
    [run] = ctx.store.dispatches(REPO, 1)
    return run


def test_a_writers_rate_is_recorded_and_shown_in_the_sticky_comment_and_cost(ctx, comment, fake_github, dispatched):
    before = sticky_body(fake_github)
    assert "/5" not in before  # no score yet: the runs table as it always was
    handle_event("issue_comment", comment("/rate 4 Solid fix, @octocat <b>please</b> look"), ctx)
    [run] = ctx.store.dispatches(REPO, 1)
    assert (run.score, run.score_by, run.scored_at) == (4, "Codertocat", NOW)
    assert run.score_note == "Solid fix, @octocat <b>please</b> look"  # stored as said; shown only defused
    body = reply(fake_github)
    assert "4/5" in body and run.dispatch_id in body
    assert "@octocat" not in body.replace("> /rate", "")  # the note never pings anyone
    assert "@\u200boctocat" in body
    state = sticky_body(fake_github)
    assert "| 4/5 |" in state and decode(state).runs[0].score == 4
    handle_event("issue_comment", comment("/cost", role="read", sender="visitor"), ctx)
    assert "rated **4/5**" in reply(fake_github)


def test_a_later_rate_replaces_the_earlier_score_of_the_same_run(ctx, comment, fake_github, dispatched):
    handle_event("issue_comment", comment("/rate 2"), ctx)
    handle_event("issue_comment", comment("/rate 5 better on a second look", sender="hubot"), ctx)
    [run] = ctx.store.dispatches(REPO, 1)
    assert (run.score, run.score_by) == (5, "hubot")
    assert "replaces" in reply(fake_github) and "2/5" in reply(fake_github)
    assert "| 5/5 |" in sticky_body(fake_github) and "2/5" not in sticky_body(fake_github)


def test_a_non_writers_rate_is_refused_and_nothing_changes(ctx, comment, fake_github, dispatched):
    before = sticky_body(fake_github)
    handle_event("issue_comment", comment("/rate 1", role="read", sender="visitor"), ctx)
    assert "needs write access" in reply(fake_github)
    [run] = ctx.store.dispatches(REPO, 1)
    assert run.score is None and sticky_body(fake_github) == before


@pytest.mark.parametrize("line", ["/rate", "/rate 0", "/rate 6", "/rate four", "/rate 4.5", "/rate -1 bad"])
def test_bad_input_gets_the_usage_and_changes_nothing(ctx, comment, fake_github, dispatched, line):
    before = sticky_body(fake_github)
    handle_event("issue_comment", comment(line), ctx)
    assert "Usage: `/rate <1-5> [note]`" in reply(fake_github)
    assert ctx.store.dispatches(REPO, 1)[0].score is None and sticky_body(fake_github) == before


def test_an_issue_without_a_run_has_nothing_to_rate(ctx, comment, fake_github):
    handle_event("issue_comment", comment("/route"), ctx)
    handle_event("issue_comment", comment("/rate 3"), ctx)
    assert "no executor run to rate" in reply(fake_github)


def test_on_a_pull_request_no_run_opened_it_points_at_the_issue(ctx, comment, fake_github):
    p = comment("/rate 3", pull_request=True)
    handle_event("issue_comment", p, ctx)
    assert "on the issue" in reply(fake_github)


def test_on_a_runs_pull_request_it_scores_that_run(ctx, comment, fake_github, dispatched):
    [run] = ctx.store.dispatches(REPO, 1)
    ctx.store.record_truth(run.dispatch_id, truth="merged", pr_number=1, success=True, time_to_merge_s=60.0)
    handle_event("issue_comment", comment("/rate 5 tidy", pull_request=True), ctx)
    assert ctx.store.dispatches(REPO, 1)[0].score == 5 and "Recorded **5/5**" in reply(fake_github)


def test_the_note_is_size_bounded(ctx, comment, fake_github, dispatched):
    handle_event("issue_comment", comment("/rate 3 " + "word " * 200), ctx)
    [run] = ctx.store.dispatches(REPO, 1)
    assert run.score == 3 and len(run.score_note) <= 280


def test_the_action_carries_the_score_across_jobs(fake_github, runner_env, tmp_path, webhook_example, time_machine):
    time_machine.move_to(NOW, tick=False)
    fake_github.add_repo(REPO)
    fake_github.add_issue(REPO, 6, "Fix a typo in the README", "teh → the")
    fake_github.set_permission(REPO, "octocat", "write")
    fake_github.set_permission(REPO, "visitor", "read")
    payload = {"inputs": {"issue_number": "6"}, "repository": {"full_name": REPO}, "sender": {"login": "octocat", "type": "User"}}
    assert act(settings(tmp_path, fake_github, "workflow_dispatch", payload, mode="dispatch", run_id="77"))[0] == 0

    def say(body: str, sender: str) -> str:
        p = webhook_example("issue_comment", "created")
        p["issue"].pop("pull_request", None)
        p["issue"]["number"], p["issue"]["labels"] = 6, []
        p["repository"]["full_name"] = REPO
        p["comment"]["body"] = body
        p["sender"]["login"] = p["comment"]["user"]["login"] = sender
        p["comment"]["id"] = fake_github.add_comment(REPO, 6, body, user=sender)
        code, log = act(settings(tmp_path, fake_github, "issue_comment", p))
        assert code == 0, log
        return parse_outputs(runner_env["output"].read_text())["reply"]

    assert "4/5" in say("/rate 4 good", "octocat")  # a job of its own: the run came from the state line
    [run] = decode(sticky(fake_github, 6)[0]["body"]).runs
    assert (run.score, run.score_by, run.score_note) == (4, "octocat", "good")
    assert "rated **4/5**" in say("/cost", "visitor")  # a later job recovers the score from the state line
    assert decode(sticky(fake_github, 6)[0]["body"]).runs[0].score == 4
    json.dumps(run.model_dump(mode="json"))  # the state line's run stays plain JSON


def test_a_dispatch_github_refused_is_not_the_run_rated(ctx, comment, fake_github, dispatched):
    refused, _ = ctx.store.claim_dispatch(key=f"{REPO}#1:refused", repo=REPO, number=1, tier="sonnet", model="m",
                                          complexity="simple", attempt=2)
    ctx.store.update_dispatch(refused.dispatch_id, status="error", error="422")
    handle_event("issue_comment", comment("/rate 3"), ctx)
    scores = {r.dispatch_id: r.score for r in ctx.store.dispatches(REPO, 1)}
    assert scores == {dispatched.dispatch_id: 3, refused.dispatch_id: None}


def test_a_run_whose_agent_never_ran_is_refused_with_why(ctx, comment, fake_github, dispatched):
    """A no_agent run did no work to score: /rate says so and records nothing (the issue's comment stays)."""
    ctx.store.record_outcome(dispatched.dispatch_id, run_id=9, success=None, conclusion="no execution file")
    before = sticky_body(fake_github)
    handle_event("issue_comment", comment("/rate 1 nothing happened"), ctx)
    body = reply(fake_github)
    assert "ended before its agent ran" in body and "nothing to score" in body and "/dispatch" in body
    assert "Recorded" not in body
    assert ctx.store.dispatches(REPO, 1)[0].score is None and sticky_body(fake_github) == before
