"""Issue #12 findings 9 and 10: a commit is reviewed once, by one worker, within budget and rate limits."""

from __future__ import annotations

from datetime import timedelta

from bot.config import RepoConfig
from bot.handlers import handle_event
from bot.review.publish import MARKER
from tests.plugins.gate import AUTH, NEW_SHA, NUMBER, PASS, REPO, SHA, seed, statuses

MANY = [dict(AUTH, filename=f"src/auth/m{i}.py", patch="@@ -0,0 +1 @@\n+" + "x" * 900) for i in range(4)]
SMALL_CHUNKS = RepoConfig(review={"max_diff_chars_per_chunk": 1_000, "max_chunks": 4})


def _push(webhook_example, head=SHA):
    payload = webhook_example("pull_request", "synchronize")
    payload["pull_request"]["number"] = payload["number"] = NUMBER
    payload["pull_request"]["head"]["sha"] = head
    return payload


# -- finding 9: never review a reviewed SHA twice; budgets; per-author limits -------------------------
def test_two_pushes_of_the_same_head_pay_for_one_review(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, MANY)
    fake_anthropic.reply_with(PASS)
    for _ in range(2):
        handle_event("pull_request", _push(webhook_example), make_ctx(config=SMALL_CHUNKS))
    assert len(fake_anthropic.requests) == 4  # one review of 4 chunks, not 8 calls
    assert len(fake_github.repo(REPO)["reviews"]) == 1
    assert statuses(fake_github)[-1][1] == "success"


def test_a_writers_review_command_may_review_again(fake_github, fake_anthropic, make_ctx, webhook_example, pr_comment):
    seed(fake_github, [AUTH], labels=["security"])
    fake_anthropic.reply_with(PASS)
    handle_event("pull_request", _push(webhook_example), make_ctx())
    handle_event("issue_comment", pr_comment("/review"), make_ctx())
    assert len(fake_anthropic.requests) == 2


def test_the_monthly_budget_bounds_reviews_and_fails_closed(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, MANY)
    fake_anthropic.reply_with(PASS)
    config = RepoConfig(review=SMALL_CHUNKS.review, budgets={"monthly_usd": 0.01})
    res = handle_event("pull_request", _push(webhook_example), make_ctx(config=config))
    assert fake_anthropic.requests == []
    assert res.outputs["review_state"] == "failure"
    assert "budgets.monthly_usd" in statuses(fake_github)[-1][2] or "monthly" in statuses(fake_github)[-1][2]


def test_fork_authors_have_a_daily_review_limit(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, [AUTH])
    fake_github.repo(REPO)["issues"][NUMBER]["pull"]["head_repo"] = "mallory/Hello-World"
    fake_anthropic.reply_with(PASS)
    config = RepoConfig(review={"max_reviews_per_fork_author_per_day": 1})
    handle_event("pull_request", _push(webhook_example), make_ctx(config=config))
    fake_github.repo(REPO)["issues"][NUMBER]["pull"]["head_sha"] = NEW_SHA
    res = handle_event("pull_request", _push(webhook_example, NEW_SHA), make_ctx(config=config))
    assert len(fake_anthropic.requests) == 1
    assert res.action == "refused" and statuses(fake_github, NEW_SHA)[-1][1] == "failure"
    assert "max_reviews_per_fork_author_per_day" in statuses(fake_github, NEW_SHA)[-1][2]


# -- finding 10: a review that outlives its lease is not run (or posted) twice --------------------------
def test_a_second_worker_does_not_start_a_running_review(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, [AUTH], labels=["security"])
    ctx = make_ctx()
    assert ctx.store.claim_review(REPO, NUMBER, SHA, ttl_seconds=3600)  # worker 1, still reviewing
    res = handle_event("pull_request", _push(webhook_example), ctx)  # worker 2 after the lease expired
    assert res.action == "in_progress" and fake_anthropic.requests == []
    assert fake_github.repo(REPO)["reviews"] == []


def test_a_stale_claim_is_taken_over(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, [AUTH], labels=["security"])
    fake_anthropic.reply_with(PASS)
    ctx = make_ctx()
    assert ctx.store.claim_review(REPO, NUMBER, SHA, ttl_seconds=3600)
    later = ctx.store.clock() + timedelta(hours=2)
    ctx.store.clock = lambda: later  # the first worker died long ago
    assert handle_event("pull_request", _push(webhook_example), ctx).outputs["review_state"] == "success"


def test_review_posting_is_idempotent_per_sha(fake_github, fake_anthropic, make_ctx, webhook_example, gh):
    seed(fake_github, [AUTH], labels=["security"])
    gh.create_review(REPO, NUMBER, SHA, "earlier run\n" + MARKER.format(sha=SHA), "COMMENT", [])  # then it crashed
    fake_anthropic.reply_with(PASS)
    handle_event("pull_request", _push(webhook_example), make_ctx())  # no record, no final status: review again
    assert len(fake_github.repo(REPO)["reviews"]) == 1  # ... but never a second posted review
    assert statuses(fake_github)[-1][1] == "success"


def test_without_a_store_the_posted_review_and_status_count(fake_github, fake_anthropic, make_ctx, webhook_example):
    seed(fake_github, [AUTH], labels=["security"])
    fake_anthropic.reply_with(PASS)
    handle_event("pull_request", _push(webhook_example), make_ctx(mode="action"))
    fresh = make_ctx(mode="action")
    fresh.store = type(fresh.store)(__import__("sqlalchemy").create_engine("sqlite://"))  # the next Action job
    handle_event("pull_request", _push(webhook_example), fresh)
    assert len(fake_anthropic.requests) == 1


def test_queued_pushes_of_one_pr_coalesce(post_event, run_jobs, runtime, fake_github, webhook_example):
    seed(fake_github, [dict(AUTH, filename="README.md")])
    first = _push(webhook_example)
    second = _push(webhook_example, NEW_SHA)
    for payload in (first, second):
        payload["repository"]["full_name"] = REPO
        payload["installation"] = {"id": 1}
    post_event("pull_request", first, delivery="push-1")
    post_event("pull_request", second, delivery="push-2")
    run_jobs()
    assert runtime.queue.by_delivery("push-1")["status"] == "superseded"
    assert runtime.queue.by_delivery("push-2")["status"] == "done"
