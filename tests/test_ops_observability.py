"""Operable: /metrics in Prometheus format, JSON logs with the delivery's fields, secrets never logged."""

from __future__ import annotations

import io
import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.logs import JsonFormatter, _Scrub, configure, context, scrub
from tests.plugins.app import METRICS_AUTH


def samples(text: str) -> dict[tuple, float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_metrics_count_deliveries_queue_jobs_github_calls_and_spend(client, post_event, run_jobs, fake_github, webhook_example):
    opened = webhook_example("issues", "opened")
    fake_github.seed_payload(opened)
    assert post_event("issues", opened).status_code == 202
    assert post_event("issues", dict(opened, repository=None)).status_code == 400
    assert post_event("x-unknown-" + "e" * 40, {"action": "x"}).status_code == 202
    before = samples(client.get("/metrics", headers=METRICS_AUTH).get_data(as_text=True))
    assert before[("model_router_jobs", (("status", "queued"),))] == 1
    assert before[("model_router_oldest_job_age_seconds", ())] >= 0
    assert ("model_router_anthropic_spend_usd", (("source", "review"), ("tier", "opus"))) in before
    run_jobs()
    resp = client.get("/metrics", headers=METRICS_AUTH)
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    after = samples(resp.get_data(as_text=True))
    assert after[("model_router_jobs", (("status", "done"),))] == 1
    deliveries = {k[1]: v for k, v in after.items() if k[0] == "model_router_deliveries_total"}
    assert deliveries[(("event", "issues"), ("status", "queued"))] >= 1
    assert deliveries[(("event", "issues"), ("status", "invalid"))] >= 1
    assert deliveries[(("event", "other"), ("status", "ignored"))] >= 1  # unknown events: one bounded label
    calls = sum(v for k, v in after.items() if k[0] == "model_router_github_calls_total" and ("installation", "token") in k[1])
    assert calls >= 3
    assert any(k[0] == "model_router_job_duration_seconds_count" and ("outcome", "done") in k[1] for k in after)


def _capture(fmt: str, secrets=()):
    stream = io.StringIO()
    configure("INFO", fmt, list(secrets))
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "_model_router", False))
    old = handler.stream
    handler.stream = stream
    return stream, lambda: setattr(handler, "stream", old)


def test_json_logs_carry_the_delivery_fields_one_object_per_line():
    stream, restore = _capture("json")
    try:
        with context(delivery="d-1", installation=7, repo="o/r", event="issues.opened"):
            logging.getLogger("model_router.worker").info("job %s done", 3)
        logging.getLogger("model_router.worker").info("outside")
    finally:
        restore()
        configure("INFO", "text")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["msg"] == "job 3 done" and first["level"] == "info"
    assert (first["delivery"], first["installation"], first["repo"], first["event"]) == ("d-1", 7, "o/r", "issues.opened")
    assert "delivery" not in second


@pytest.mark.parametrize("secret", [
    "ghs_" + "a" * 36, "github_pat_" + "b" * 40, "sk-ant-api03-" + "c" * 30,
    "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjMifQ.c2lnbmF0dXJl",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
])
def test_secret_shapes_are_scrubbed(secret):
    assert secret not in scrub(f"calling with {secret} now") and "[redacted]" in scrub(secret)


def test_configured_secrets_never_reach_a_log_line_even_in_tracebacks():
    stream, restore = _capture("text", secrets=["hook-secret-123"])
    try:
        try:
            raise ValueError("bad signature with hook-secret-123")
        except ValueError:
            logging.getLogger("model_router.app").exception("failed for %s", "hook-secret-123")
    finally:
        restore()
        configure("INFO", "text")
    out = stream.getvalue()
    assert "hook-secret-123" not in out and out.count("[redacted]") >= 2 and "ValueError" in out


def test_the_json_formatter_needs_no_filter():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "plain %s", ("arg",), None)
    assert _Scrub().filter(record) and json.loads(JsonFormatter().format(record))["msg"] == "plain arg"


@pytest.mark.slow
def test_a_worker_process_serves_its_own_metrics_when_asked(tmp_path, fake_github):
    import subprocess

    import requests

    from bot.simulator.local import free_port, wait_for
    from tests.test_app_e2e import BIN, base_env

    port = free_port()
    env = base_env(tmp_path, fake_github, GITHUB_TOKEN="t", MODEL_ROUTER_METRICS_PORT=str(port))
    proc = subprocess.Popen([str(BIN / "model-router"), "worker", "--threads", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def scrape():
            try:
                return requests.get(f"http://127.0.0.1:{port}/metrics", timeout=1)
            except requests.RequestException:
                return None

        resp = wait_for(scrape, timeout=30, what="the worker's metrics endpoint")
        assert resp.status_code == 200 and "model_router_job_duration_seconds" in resp.text
    finally:
        proc.terminate()
        proc.wait(20)


def test_every_event_the_app_handles_or_subscribes_to_has_its_own_metric_label():
    """`other` is for names a sender made up; the App's own events (the kept facts' ones included) are counted apart."""
    from pathlib import Path

    import yaml

    from bot.handlers.registry import ROUTES
    from bot.metrics import event_label

    manifest = yaml.safe_load((Path(__file__).resolve().parents[1] / "app.yml").read_text())
    events = set(manifest["default_events"]) | {event for event, _ in ROUTES}
    assert sorted(e for e in events if event_label(e) == "other") == []
