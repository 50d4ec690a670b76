"""The LLM classifier through the real app: asked unless a person's label decided, and on the haiku tier."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.catalog import model_for
from bot.config import RepoConfig
from bot.models import Tier

REPO = "Codertocat/Hello-World"


@pytest.fixture
def llm_settings(app_settings, fake_anthropic):
    return app_settings.model_copy(update={"anthropic_api_key": SecretStr("sk-test"), "anthropic_base_url": fake_anthropic.url})


@pytest.fixture
def llm_app(llm_settings):
    from bot.app import create_app
    from bot.app.resources import EXTENSION

    application = create_app({"SETTINGS": llm_settings, "TESTING": True})
    yield application
    res = application.extensions[EXTENSION]
    res.close()
    res.runtime.engine.dispose()


def _deliver(llm_app, payload):
    from bot.app.resources import EXTENSION
    from tests.plugins.app import signed_headers
    import json

    body = json.dumps(payload).encode()
    resp = llm_app.test_client().post("/webhook", data=body, headers=signed_headers("issues", body))
    assert resp.status_code in (200, 202)
    runtime = llm_app.extensions[EXTENSION].runtime
    from bot.worker import run_until_idle

    run_until_idle(runtime)
    return runtime.store.current(REPO, payload["issue"]["number"])


def _issue(webhook_example, seed_repo_for, title, body):
    payload = webhook_example("issues", "opened")
    payload["issue"].update(title=title, body=body, labels=[])
    seed_repo_for(payload)
    return payload


def test_undecided_issue_is_classified_by_the_haiku_tier(llm_app, webhook_example, seed_repo_for, fake_anthropic):
    fake_anthropic.reply_with({"tier": "opus", "complexity": "complex", "confidence": 0.8, "security_sensitive": False})
    record = _deliver(llm_app, _issue(webhook_example, seed_repo_for, "Thing behaves oddly", "Sometimes it is slow."))
    assert fake_anthropic.models_used == [model_for(Tier.haiku, RepoConfig())]
    # #11: the classifier's "opus" means sonnet executes and opus reviews (was: opus executes)
    assert record["strategy"] == "llm" and record["tier"] == "sonnet"
    assert [p["role"] for p in record["decision"]["phases"]] == ["execute", "review"]


def test_rule_evidence_is_a_hint_the_classifier_decides(llm_app, webhook_example, seed_repo_for, fake_anthropic):
    # #11: a matching rule no longer pre-empts the classifier (was: no call when a rule decided)
    fake_anthropic.reply_with({"tier": "haiku", "complexity": "trivial", "confidence": 0.9, "security_sensitive": False})
    record = _deliver(llm_app, _issue(webhook_example, seed_repo_for, "Fix typo in README", "teh -> the"))
    [request] = fake_anthropic.requests
    assert "rule typo suggests haiku" in request.prompt
    assert record["strategy"] == "llm" and record["tier"] == "haiku"
    assert record["decision"]["classifier_cost_usd"] > 0
    assert record["classifier_usd"] == pytest.approx(record["decision"]["classifier_cost_usd"])  # what the report sums
