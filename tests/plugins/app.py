"""pytest fixtures for the app area: the real Flask app on a temp SQLite store, signed deliveries, jobs run now.

Fixtures
- `app_settings` -> `bot.settings.ServiceSettings` in token mode against `fake_github`, SQLite in tmp_path,
  no embedded worker threads (tests run jobs explicitly), zero GitHub pacing.
- `app` -> `bot.app.create_app({"SETTINGS": app_settings})`; `client` -> its Flask test client.
- `post_event(event, payload, *, delivery=None, secret=WEBHOOK_SECRET, headers=None)` -> the response of a
  correctly signed `POST /webhook` (a fresh delivery id unless given).
- `run_jobs(wait_for_retries=False)` -> runs every runnable job now, in this thread; returns how many ran.
- `runtime` -> the app's `bot.worker.Runtime` (`.queue`, `.store`, `.engine`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.plugins.github import TEST_TOKEN, sign

WEBHOOK_SECRET = "test-webhook-secret"


METRICS_TOKEN = "metrics-test-token"
METRICS_AUTH = {"Authorization": f"Bearer {METRICS_TOKEN}"}


@pytest.fixture
def app_settings(tmp_path, fake_github):
    from bot.settings import ServiceSettings

    return ServiceSettings(
        github_token=TEST_TOKEN,
        github_webhook_secret=WEBHOOK_SECRET,
        github_api_url=fake_github.url,
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        worker_threads=0,
        github_writes_per_minute=0,
        github_min_write_interval=0,
        github_retry_backoff=0,
        job_lease_seconds=30,
        metrics_token=METRICS_TOKEN,
        _env_file=None,
    )


@pytest.fixture
def app(app_settings) -> Iterator[Any]:
    from bot.app import create_app
    from bot.app.resources import EXTENSION

    application = create_app({"SETTINGS": app_settings, "TESTING": True})
    yield application
    res = application.extensions[EXTENSION]
    res.close()
    res.runtime.engine.dispose()


@pytest.fixture
def runtime(app):
    from bot.app.resources import EXTENSION

    return app.extensions[EXTENSION].runtime


@pytest.fixture
def client(app):
    return app.test_client()


def signed_headers(event: str, body: bytes, *, delivery: str | None = None, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    return {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(body, secret),
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/test",
    }


@pytest.fixture
def post_event(client) -> Callable[..., Any]:
    def post(event: str, payload: dict, *, delivery: str | None = None, secret: str = WEBHOOK_SECRET, headers=None):
        body = json.dumps(payload).encode()
        hdrs = signed_headers(event, body, delivery=delivery, secret=secret)
        hdrs.update(headers or {})
        return client.post("/webhook", data=body, headers=hdrs)

    return post


@pytest.fixture
def run_jobs(runtime) -> Callable[..., int]:
    from bot.worker import run_until_idle

    def run(wait_for_retries: bool = False) -> int:
        return run_until_idle(runtime, wait_for_retries=wait_for_retries)

    return run
