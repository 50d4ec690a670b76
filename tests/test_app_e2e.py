"""Real processes: gunicorn with 2 workers in App mode, a `model-router worker` killed mid-job, start-up errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bot.simulator.local import wait_for
from bot.issues.render import MARKER
from tests.plugins.app import METRICS_AUTH, METRICS_TOKEN, WEBHOOK_SECRET, signed_headers

BIN = Path(sys.executable).parent
REPO = "Codertocat/Hello-World"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(tmp_path, fake_github, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ANTHROPIC_", "DATABASE_URL", "MODEL_ROUTER_"))}
    env.update(
        GITHUB_WEBHOOK_SECRET=WEBHOOK_SECRET,
        GITHUB_API_URL=fake_github.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.db'}",
        GITHUB_RETRY_BACKOFF="0",
        MODEL_ROUTER_JOB_POLL_SECONDS="0.05",
        MODEL_ROUTER_METRICS_TOKEN=METRICS_TOKEN,
    )
    env.update(extra)
    return env


@pytest.mark.slow
def test_gunicorn_two_workers_app_mode_end_to_end(tmp_path, fake_github, github_app_key, webhook_example):
    private, public = github_app_key
    fake_github.app_public_key = public
    port = free_port()
    env = base_env(tmp_path, fake_github, GITHUB_APP_ID=str(fake_github.app_id), GITHUB_APP_PRIVATE_KEY=private,
                   MODEL_ROUTER_WORKER_THREADS="2", MODEL_ROUTER_LOG_FORMAT="json")
    proc = subprocess.Popen(
        [str(BIN / "model-router"), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _get(f"{url}/readyz") == 200, what="gunicorn to be ready")
        payloads = []
        for number in range(1, 7):
            p = webhook_example("issues", "opened")
            p["installation"] = {"id": 1}
            p["issue"]["number"] = number
            p["issue"]["title"] = ["Fix typo in README", "Design the plugin architecture", "Auth token leak"][number % 3]
            fake_github.seed_payload(p)
            payloads.append(p)
        for p in payloads:
            body = json.dumps(p).encode()
            resp = requests.post(f"{url}/webhook", data=body, headers=signed_headers("issues", body, delivery=f"e2e-{p['issue']['number']}"), timeout=5)
            assert resp.status_code == 202
        again = json.dumps(payloads[0]).encode()
        dup = requests.post(f"{url}/webhook", data=again, headers=signed_headers("issues", again, delivery="e2e-1"), timeout=5)
        assert dup.status_code == 200 and dup.json()["status"] == "duplicate"
        bad = requests.post(f"{url}/webhook", data=again, headers=signed_headers("issues", again, secret="wrong"), timeout=5)
        assert bad.status_code == 401

        def all_commented():
            return all(any(MARKER in c["body"] for c in fake_github.comments(REPO, n)) for n in range(1, 7))

        wait_for(all_commented, what="every issue to get its sticky comment")
        for n in range(1, 7):
            stickies = [c for c in fake_github.comments(REPO, n) if MARKER in c["body"]]
            assert len(stickies) == 1 and stickies[0]["user"] == "model-router[bot]"
            models = [lb for lb in fake_github.labels_on(REPO, n) if lb.startswith("model:")]
            assert len(models) == 1
        assert fake_github.jwt_claims, "installation tokens were minted with an App JWT"
        claims = fake_github.jwt_claims[0]
        assert claims["exp"] - claims["iat"] <= 600 and claims["iss"] in (fake_github.app_id, str(fake_github.app_id))
        assert fake_github.secondary_limit_hits == 0
        metrics = requests.get(f"{url}/metrics", headers=METRICS_AUTH, timeout=5).text  # merged over both gunicorn workers
        assert 'model_router_deliveries_total{event="issues",status="queued"} 6.0' in metrics
        assert 'model_router_deliveries_total{event="issues",status="duplicate"} 1.0' in metrics
        assert 'model_router_github_calls_total{installation="1",status="201"}' in metrics
        wait_for(lambda: 'model_router_jobs{status="done"} 6.0' in requests.get(f"{url}/metrics", headers=METRICS_AUTH, timeout=5).text,
                 what="every job to be done (read from the store at scrape)")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert "Traceback" not in out, out
    assert "BEGIN" not in out  # no key material in the logs
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]  # every line one JSON object
    done = [r for r in lines if r.get("logger") == "model_router.worker" and "done" in r["msg"]]
    assert len(done) == 6 and all(r["delivery"].startswith("e2e-") and r["installation"] == 1 for r in done)


def _get(url: str) -> int | None:
    try:
        return requests.get(url, timeout=1).status_code
    except requests.RequestException:
        return None


@pytest.mark.slow
def test_a_worker_process_killed_mid_job_loses_its_lease_and_the_lane_moves_on(
        tmp_path, fake_github, app_settings, post_event, runtime, webhook_example):
    for n in range(1, 5):  # one installation: one lane, run in delivery order
        payload = webhook_example("issues", "opened")
        payload["installation"] = {"id": 7}
        payload["issue"]["number"] = n
        fake_github.seed_payload(payload)
        assert post_event("issues", payload, delivery=f"lane-{n}").status_code == 202
    fake_github.latency = 1.0  # every GitHub call hangs a while: the worker is killed inside one
    env = base_env(tmp_path, fake_github, GITHUB_TOKEN="test-token", MODEL_ROUTER_JOB_LEASE_SECONDS="3",
                   GITHUB_MIN_WRITE_INTERVAL="0")  # the lease's recovery is timed here, not the write pacing
    env["DATABASE_URL"] = app_settings.database_url
    worker = [str(BIN / "model-router"), "worker", "--threads", "2"]
    doomed = subprocess.Popen(worker, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rescuer = None
    try:
        wait_for(lambda: runtime.queue.by_delivery("lane-1")["status"] == "running", what="the worker to lease the job")
        wait_for(lambda: fake_github.requests, what="the worker to call GitHub")
        time.sleep(3.5)  # longer than a lease: the heartbeat has renewed it meanwhile
        assert runtime.queue.by_delivery("lane-1")["status"] == "running"
        assert runtime.queue.by_delivery("lane-2")["status"] == "queued"  # the lane waits behind it
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        killed = time.monotonic()
        fake_github.latency = 0.0
        rescuer = subprocess.Popen(worker, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: all(runtime.queue.by_delivery(f"lane-{n}")["status"] == "done" for n in range(1, 5)),
                 timeout=30, what="the lane to move on after the kill")
        assert time.monotonic() - killed <= 15
    finally:
        for proc in (doomed, rescuer):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)
    first = runtime.queue.by_delivery("lane-1")
    assert first["attempts"] == 2 and first["lane"].endswith("/orphan:" + str(first["id"]))  # reaped, run alone
    for n in range(1, 5):  # exactly once, the killed attempt included
        assert len([c for c in fake_github.comments(REPO, n) if MARKER in c["body"]]) == 1


def test_bad_private_key_stops_start_up_with_one_line(tmp_path, fake_github):
    bad = "-----BEGIN RSA PRIVATE KEY-----\nTOPSECRETbutnotakey\n-----END RSA PRIVATE KEY-----\n"
    env = base_env(tmp_path, fake_github, GITHUB_APP_ID="1", GITHUB_APP_PRIVATE_KEY=bad)
    res = subprocess.run([str(BIN / "model-router"), "serve"], env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and "GITHUB_APP_PRIVATE_KEY" in res.stderr
    assert "TOPSECRET" not in res.stderr + res.stdout and "Traceback" not in res.stderr


def test_missing_settings_stop_the_worker_with_one_line(tmp_path, fake_github):
    env = base_env(tmp_path, fake_github)  # neither App credentials nor a token
    res = subprocess.run([str(BIN / "model-router"), "worker", "--once"], env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "GITHUB_TOKEN" in res.stderr
