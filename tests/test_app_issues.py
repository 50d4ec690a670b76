"""Issue routing end to end through the real app: signed real payloads → queue → worker → FakeGitHub."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import update

from bot.issues.render import MARKER
from bot.store.jobs import Job

REPO = "Codertocat/Hello-World"
BOT = "github-actions[bot]"  # token mode: comments are authored by the token's login


@pytest.fixture
def opened(webhook_example, seed_repo_for):
    payload = webhook_example("issues", "opened")
    seed_repo_for(payload)
    return payload


def router_labels(fake_github, number=1):
    return sorted(n for n in fake_github.labels_on(REPO, number) if n.startswith(("model:", "complexity:")))


def stickies(fake_github, number=1):
    return [c for c in fake_github.comments(REPO, number) if MARKER in c["body"]]


def deliver(post_event, run_jobs, event, payload, **kw):
    resp = post_event(event, payload, **kw)
    assert resp.status_code in (200, 202), resp.json
    return run_jobs()


def test_new_issue_gets_labels_and_one_sticky_comment(opened, post_event, run_jobs, fake_github, runtime):
    assert deliver(post_event, run_jobs, "issues", opened, delivery="open-1") == 1
    labels = router_labels(fake_github)
    assert len([n for n in labels if n.startswith("model:")]) == 1
    assert len([n for n in labels if n.startswith("complexity:")]) == 1
    assert "bug" in fake_github.labels_on(REPO, 1)  # other labels untouched
    repo_labels = fake_github.repo(REPO)["labels"]
    for name in labels:  # created with the configured colour and description
        assert repo_labels[name.lower()]["description"].startswith("model-router:")
    [comment] = stickies(fake_github)
    assert comment["user"] == BOT
    record = runtime.store.current(REPO, 1)
    assert f"model:{record['tier']}" in labels
    for needle in (record["model"], "No-routing baseline", "Savings", "How to override", "/model", "Confidence"):
        assert needle in comment["body"]
    assert runtime.queue.by_delivery("open-1")["status"] == "done"


def test_label_requests_carry_rationale_and_confidence(opened, post_event, run_jobs, fake_github):
    deliver(post_event, run_jobs, "issues", opened)
    [add] = [r for r in fake_github.requests if r.method == "POST" and r.path.endswith("/issues/1/labels")]
    item = add.json["labels"][0]
    assert item["rationale"] and item["confidence"] in ("low", "medium", "high")


def test_redelivery_does_nothing_twice(opened, post_event, run_jobs, fake_github):
    deliver(post_event, run_jobs, "issues", opened, delivery="dup")
    writes = len(fake_github.writes())
    assert deliver(post_event, run_jobs, "issues", opened, delivery="dup") == 0
    assert len(fake_github.writes()) == writes and len(stickies(fake_github)) == 1


def test_rerouting_an_unchanged_issue_writes_nothing(opened, post_event, run_jobs, fake_github, webhook_example):
    deliver(post_event, run_jobs, "issues", opened)
    writes = len(fake_github.writes())
    reopened = webhook_example("issues", "reopened")
    reopened["issue"]["body"] = opened["issue"]["body"]
    reopened["issue"]["labels"] = [{"name": n} for n in fake_github.labels_on(REPO, 1)]
    deliver(post_event, run_jobs, "issues", reopened)
    assert len(fake_github.writes()) == writes  # same decision: no label or comment writes
    assert len(stickies(fake_github)) == 1


def test_edit_storm_ends_in_one_comment_with_the_last_text(opened, post_event, run_jobs, fake_github, webhook_example, runtime):
    deliver(post_event, run_jobs, "issues", opened)
    for i in range(12):
        edited = webhook_example("issues", "edited")
        edited["changes"] = {"body": {"from": "before"}}
        edited["issue"]["labels"] = [{"name": n} for n in fake_github.labels_on(REPO, 1)]
        edited["issue"]["title"] = "Security: the auth token leaks in logs" if i == 11 else f"Fix typo number {i}"
        assert post_event("issues", edited).status_code == 202
    run_jobs()
    counts = runtime.queue.counts()
    assert counts.get("superseded") == 11 and counts.get("done") == 2
    assert len(stickies(fake_github)) == 1
    record = runtime.store.current(REPO, 1)  # the last text decided: #11 security floor + opus review (was opus)
    assert record["tier"] == "sonnet" and record["decision"]["security_sensitive"]
    assert [p["tier"] for p in record["decision"]["phases"]] == ["sonnet", "opus"]
    assert router_labels(fake_github)[-1] == "model:sonnet"


def test_edit_without_title_or_body_change_is_ignored(opened, post_event, run_jobs, fake_github, webhook_example, runtime):
    deliver(post_event, run_jobs, "issues", opened)
    writes = len(fake_github.writes())
    edited = webhook_example("issues", "edited")  # changes == {}
    deliver(post_event, run_jobs, "issues", edited, delivery="noop-edit")
    assert len(fake_github.writes()) == writes
    assert runtime.queue.by_delivery("noop-edit")["last_error"] == "ignored"


def test_a_person_setting_a_model_label_is_an_override_never_fought(
    opened, post_event, run_jobs, fake_github, webhook_example, runtime
):
    deliver(post_event, run_jobs, "issues", opened)
    before = runtime.store.current(REPO, 1)["tier"]
    target = "opus" if before != "opus" else "haiku"
    fake_github.add_label(REPO, f"model:{target}")
    fake_github.issue(REPO, 1)["labels"].append(f"model:{target}")
    labeled = webhook_example("issues", "labeled")
    labeled["label"] = {"name": f"model:{target}", "color": "ededed"}
    labeled["issue"]["labels"] = [{"name": n} for n in fake_github.labels_on(REPO, 1)]
    deliver(post_event, run_jobs, "issues", labeled)

    models = [n for n in fake_github.labels_on(REPO, 1) if n.startswith("model:")]
    assert models == [f"model:{target}"]  # the router removed its own stale label, kept the person's
    record = runtime.store.current(REPO, 1)
    assert record["tier"] == target
    assert [(o["field"], o["old"], o["new"], o["by"]) for o in record["overrides"]] == [("tier", before, target, "Codertocat")]
    [comment] = stickies(fake_github)
    assert f"**{target.capitalize()}**" in comment["body"]

    # A later edit does not re-route over the person's choice.
    edited = webhook_example("issues", "edited")
    edited["changes"] = {"title": {"from": "x"}}
    edited["issue"]["title"] = "Fix typo"
    deliver(post_event, run_jobs, "issues", edited)
    assert [n for n in fake_github.labels_on(REPO, 1) if n.startswith("model:")] == [f"model:{target}"]


def test_a_person_removing_the_router_label_is_not_reverted(opened, post_event, run_jobs, fake_github, webhook_example, runtime):
    deliver(post_event, run_jobs, "issues", opened)
    tier = runtime.store.current(REPO, 1)["tier"]
    fake_github.issue(REPO, 1)["labels"].remove(f"model:{tier}")
    unlabeled = webhook_example("issues", "unlabeled")
    unlabeled["label"] = {"name": f"model:{tier}"}
    unlabeled["issue"]["labels"] = [{"name": n} for n in fake_github.labels_on(REPO, 1)]
    deliver(post_event, run_jobs, "issues", unlabeled)
    assert not [n for n in fake_github.labels_on(REPO, 1) if n.startswith("model:")]
    assert "will not re-apply" in stickies(fake_github)[0]["body"]
    assert runtime.store.current(REPO, 1)["overrides"][-1]["new"] == "none"


def test_bot_senders_are_ignored(opened, post_event, run_jobs, fake_github, webhook_example):
    labeled = webhook_example("issues", "labeled")
    labeled["label"] = {"name": "model:opus"}
    labeled["sender"] = {"login": "model-router[bot]", "type": "Bot"}
    deliver(post_event, run_jobs, "issues", labeled)
    assert fake_github.writes() == []


def test_invalid_config_uses_defaults_and_says_why(opened, post_event, run_jobs, fake_github):
    fake_github.set_file(REPO, ".github/model-router.yml", "labels:\n  modle_prefix: 'x:'\n")
    deliver(post_event, run_jobs, "issues", opened)
    body = stickies(fake_github)[0]["body"]
    assert "is invalid" in body and "modle_prefix" in body
    assert len([n for n in router_labels(fake_github) if n.startswith("model:")]) == 1


def test_push_to_the_config_invalidates_the_cache(opened, post_event, run_jobs, fake_github, webhook_example, runtime):
    deliver(post_event, run_jobs, "issues", opened)
    # the repository's own file (a repository without one also reads its owner's `.github` repository, once)
    gets = lambda: len([r for r in fake_github.requests if r.method == "GET" and f"/repos/{REPO}/contents" in r.path])  # noqa: E731
    fake_github.set_file(REPO, ".github/model-router.yml", "labels:\n  model_prefix: 'tier/'\n")
    reopened = webhook_example("issues", "reopened")
    deliver(post_event, run_jobs, "issues", reopened)
    assert gets() == 1  # cached
    push = {
        "ref": "refs/heads/main",
        "repository": {"full_name": REPO, "name": REPO.split("/")[1], "owner": {"login": REPO.split("/")[0]},
                       "default_branch": "main"},
        "commits": [{"id": "a" * 40, "added": [], "removed": [], "modified": [".github/model-router.yml"]}],
        "sender": {"login": "Codertocat", "type": "User"},
        "installation": {"id": 1},
    }
    deliver(post_event, run_jobs, "push", push)
    assert runtime.queue.config_version(REPO) == 1
    again = webhook_example("issues", "reopened")
    again["issue"]["updated_at"] = "2026-11-30T01:00:00Z"  # a new event (an identical body is a replay: #12)
    deliver(post_event, run_jobs, "issues", again)
    assert gets() == 2
    assert any(n.startswith("tier/") for n in fake_github.labels_on(REPO, 1))


def test_github_502s_are_retried_and_nothing_is_lost(opened, post_event, run_jobs, fake_github, runtime):
    runtime.queue.backoff_base = 0.05
    fake_github.fail_next("POST", r"/issues/1/comments$", 502, times=6)  # more than the client retries inline
    post_event("issues", opened, delivery="flaky")
    run_jobs(wait_for_retries=True)
    job = runtime.queue.by_delivery("flaky")
    assert job["status"] == "done" and job["attempts"] >= 2
    assert len(stickies(fake_github)) == 1


def test_secondary_rate_limit_retry_after_is_honoured(opened, post_event, run_jobs, fake_github, runtime):
    limited = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}
    fake_github.fail_next("POST", r"/issues/1/comments$", 403, headers={"Retry-After": "120"}, body=limited)
    post_event("issues", opened, delivery="limited")
    run_jobs()
    job = runtime.queue.by_delivery("limited")
    assert job["status"] == "queued" and job["run_after"] >= time.time() + 100  # waits as long as GitHub asked
    assert "403" in job["last_error"]
    pacer = runtime.port_for(None).pacer
    assert pacer.paused_for() >= 100  # the whole lane waits too, not only this job
    with runtime.queue.Session() as s:  # time passes: the job is due and the lane's pause is over
        s.execute(update(Job).where(Job.id == job["id"]).values(run_after=0))
        s.commit()
    pacer._resume = float("-inf")  # the pacer's clock is monotonic: no library moves it, so the test does
    run_jobs()
    assert runtime.queue.by_delivery("limited")["status"] == "done"
    assert len(stickies(fake_github)) == 1


def test_short_retry_after_is_waited_inline(opened, post_event, run_jobs, fake_github, runtime):
    limited = {"message": "You have exceeded a secondary rate limit."}
    fake_github.fail_next("POST", r"/issues/1/comments$", 403, headers={"Retry-After": "1"}, body=limited)
    post_event("issues", opened, delivery="short")
    run_jobs()
    assert runtime.queue.by_delivery("short")["status"] == "done"


def test_permanent_4xx_fails_the_job_with_the_reason(opened, post_event, run_jobs, fake_github, runtime):
    fake_github.fail_next("POST", r"/issues/1/comments$", 410, body={"message": "Issues are disabled for this repo"})
    post_event("issues", opened, delivery="gone")
    run_jobs(wait_for_retries=True)
    job = runtime.queue.by_delivery("gone")
    assert job["status"] == "failed" and "410" in job["last_error"] and "disabled" in job["last_error"]


def test_sticky_comment_is_found_on_a_later_page_and_not_confused_with_quotes(
    opened, post_event, run_jobs, fake_github, runtime
):
    for i in range(120):
        fake_github.add_comment(REPO, 1, f"chatter {i}")
    fake_github.add_comment(REPO, 1, f"quoting you: {MARKER}", user="mallory")
    theirs = fake_github.add_comment(REPO, 1, f"{MARKER}\nold text", user=BOT, user_type="Bot")
    for i in range(120):
        fake_github.add_comment(REPO, 1, f"more chatter {i}")
    deliver(post_event, run_jobs, "issues", opened)
    ours = [c for c in stickies(fake_github) if c["user"] == BOT]
    assert [c["id"] for c in ours] == [theirs]
    assert "old text" not in ours[0]["body"]
    assert "quoting you" in [c for c in stickies(fake_github) if c["user"] == "mallory"][0]["body"]


def _label_lists(fake_github, since: int) -> int:
    return sum(1 for r in fake_github.requests[since:] if r.method == "GET" and r.path.split("?")[0] == f"/repos/{REPO}/labels")


def _open_another(fake_github, opened, number: int) -> dict:
    fake_github.add_issue(REPO, number, title=opened["issue"]["title"], body=opened["issue"]["body"])
    return dict(opened, issue=dict(opened["issue"], number=number, labels=[]))


def test_repo_labels_are_listed_once_per_cache_period(opened, post_event, run_jobs, fake_github, runtime):
    from bot.issues.labels import KnownLabels

    now = [1000.0]
    runtime.known_labels = KnownLabels(ttl=600, clock=lambda: now[0])
    deliver(post_event, run_jobs, "issues", opened)
    start = len(fake_github.requests)
    deliver(post_event, run_jobs, "issues", _open_another(fake_github, opened, 2))
    assert _label_lists(fake_github, start) == 0
    assert router_labels(fake_github, 2) == router_labels(fake_github, 1)

    now[0] += 601
    start = len(fake_github.requests)
    deliver(post_event, run_jobs, "issues", _open_another(fake_github, opened, 3))
    assert _label_lists(fake_github, start) == 1  # expired: listed again


def test_a_router_label_deleted_while_cached_is_put_back(opened, post_event, run_jobs, fake_github):
    deliver(post_event, run_jobs, "issues", opened)
    tier_label = next(n for n in router_labels(fake_github) if n.startswith("model:"))
    del fake_github.repo(REPO)["labels"][tier_label.lower()]  # a person deleted it from the repository
    deliver(post_event, run_jobs, "issues", _open_another(fake_github, opened, 2))
    assert tier_label in router_labels(fake_github, 2)  # GitHub's add-labels creates a label it does not know


def test_the_runtime_hands_every_job_its_required_checks_cache(runtime, monkeypatch):
    """#36: the process's copy of base branches' required checks reaches the services (bot.runs.required_checks)."""
    from bot.store.jobs import ClaimedJob

    assert runtime.required_checks._ttl == 300  # MODEL_ROUTER_RULES_CACHE_SECONDS's default
    job = ClaimedJob(id=1, delivery_id="d", event="check_suite", action="completed", installation_id=None, repo=REPO,
                     subject=None, payload={}, attempts=1, worker="w")
    monkeypatch.setattr(runtime, "port_for", lambda _: None)
    assert runtime.context(job).required_checks is runtime.required_checks
