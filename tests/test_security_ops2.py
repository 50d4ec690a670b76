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
