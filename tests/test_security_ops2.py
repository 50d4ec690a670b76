"""Issue #23 finding 8 (and the lower items): the App's operational surfaces are not public."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_client(app_settings):
    from bot.app import create_app

    def make(**settings):
        return create_app({"SETTINGS": app_settings.model_copy(update=settings), "TESTING": True}).test_client()

    return make


# -- finding 8: /metrics is public ----------------------------------------------------------------------
def test_metrics_are_not_served_to_anyone_without_a_configured_token(make_client):
    resp = make_client(metrics_token=None).get("/metrics")
    assert resp.status_code == 401 and b"model_router" not in resp.data
    assert "MODEL_ROUTER_METRICS_TOKEN" in resp.get_data(as_text=True)  # says how to turn scraping on


def test_metrics_need_the_token_as_a_bearer(make_client):
    from pydantic import SecretStr

    client = make_client(metrics_token=SecretStr("scrape-me"))
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Basic scrape-me"}).status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert ok.status_code == 200 and b"model_router_jobs" in ok.data


def test_the_dashboard_token_does_not_open_metrics(make_client):
    from pydantic import SecretStr

    client = make_client(metrics_token=SecretStr("scrape-me"), dashboard_token=SecretStr("dash"))
    assert client.get("/metrics", headers={"Authorization": "Bearer dash"}).status_code == 401


# -- also seen: a signed state line copied between issues ---------------------------------------------------
def test_a_signed_state_line_copied_to_another_issue_is_ignored(fake_github, runner_env, tmp_path, monkeypatch,
                                                                webhook_example):
    from bot.action.context import build_context
    from bot.action.memory import recover
    from bot.issues.sticky import MARKER
    from tests.plugins.action import REPO as repo
    from tests.plugins.action import act, settings

    monkeypatch.setenv("INPUT_STATE_KEY", "repository-secret")
    opened = webhook_example("issues", "opened")
    opened["issue"].update(number=7, title="Rework the scheduler", body="Many files.")
    fake_github.seed_payload(opened)
    code, log = act(settings(tmp_path, fake_github, "issues", opened))  # the Action signs #7's state line
    assert code == 0, log
    [signed] = [c["body"] for c in fake_github.comments(repo, 7) if MARKER in c["body"]]
    fake_github.add_issue(repo, 8, "Fix a typo", "teh")
    fake_github.add_comment(repo, 8, signed, user="github-actions[bot]", user_type="Bot")  # pasted onto #8
    payload = {"repository": {"full_name": repo}}
    own, copied = (build_context(settings(tmp_path, fake_github, "workflow_dispatch", payload), payload) for _ in "ab")
    recover(own, 7, [])
    assert own.store.decision(repo, 7) is not None and own.notes == []  # believed on its own issue
    recover(copied, 8, [])
    assert copied.store.decision(repo, 8) is None and "not signed" in " ".join(copied.notes)


# -- also seen: installation tokens sit in Redis in plain text ------------------------------------------------
def test_installation_tokens_in_redis_are_encrypted_and_bound_to_their_installation(redis_url, redis_prefix,
                                                                                   fake_github, github_app_key):
    import redis

    from bot.github.auth import AppAuth
    from bot.github.shared import SharedState

    private, public = github_app_key
    fake_github.app_public_key = public
    fake_github.add_repo("octo/repo", installation_id=7)
    fake_github.add_repo("octo/other", installation_id=8)
    secret = private.encode()
    replicas = [AppAuth(fake_github.app_id, private, fake_github.url,
                        shared=SharedState.from_url(redis_url, redis_prefix, secret=secret)) for _ in range(2)]
    tokens = {r.installation_token(7) for r in replicas}
    assert len(tokens) == 1 and len([r for r in fake_github.requests if r.path.endswith("/access_tokens")]) == 1
    client = redis.Redis.from_url(redis_url)
    stored = client.get(f"{redis_prefix}token:7")
    assert stored and tokens.pop().encode() not in stored  # someone who reads Redis does not read the token
    client.set(f"{redis_prefix}token:8", stored)  # moved to another installation's key: never used there
    assert SharedState.from_url(redis_url, redis_prefix, secret=secret).cached_token(8, 60) is None
    assert SharedState.from_url(redis_url, redis_prefix, secret=b"another key").cached_token(7, 60) is None
    client.close()
    for r in replicas:
        r.close()


def test_without_a_key_installation_tokens_are_not_stored_in_redis(redis_url, redis_prefix):
    import redis

    from bot.github.shared import SharedState

    shared = SharedState.from_url(redis_url, redis_prefix)
    shared.store_token(7, "ghs_plaintext", 9_999_999_999.0, 60)
    client = redis.Redis.from_url(redis_url)
    assert client.get(f"{redis_prefix}token:7") is None
    client.close()


def test_the_service_shares_installation_tokens_sealed_under_the_app_key(redis_url, redis_prefix, github_app_key,
                                                                        tmp_path):
    """The App's Runtime and `from_settings` build the same shared state: tokens sealed under the private key
    (the Runtime once built it without the key, so replicas never shared tokens)."""
    from bot.settings import ServiceSettings
    from bot.worker import Runtime

    private, _ = github_app_key
    settings = ServiceSettings(github_app_id=1, github_app_private_key=private, github_webhook_secret="s",
                               redis_url=redis_url, redis_prefix=redis_prefix,
                               database_url=f"sqlite:///{tmp_path / 'r.db'}")
    rt = Runtime(settings)
    try:
        shared = rt.shared
        assert shared is not None and shared._key is not None
        import time

        shared.store_token(5, "ghs_sealed", time.time() + 3600, 60)
        assert shared.cached_token(5, 60)[0] == "ghs_sealed"
    finally:
        rt.close()
