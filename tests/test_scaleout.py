"""Scale-out: two `model-router serve` replicas and one `model-router worker` on one PostgreSQL and one Redis.

60 issues over 20 installations, one replica killed (kill -9, whole process group) mid-run: every issue is
labelled and commented exactly once, and GitHub's secondary limit is never hit. Skipped without the servers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from urllib.parse import quote

import pytest
import requests
from sqlalchemy import func, select, text

from bot.simulator.local import wait_for
from bot.issues.render import MARKER
from tests.plugins.app import signed_headers
from tests.plugins.postgres import PG_URL
from tests.test_app_e2e import BIN, _get, base_env, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _issue(webhook_example, inst: int, number: int) -> dict:
    p = webhook_example("issues", "opened")
    repo = f"org{inst}/repo"
    p["repository"] = dict(p["repository"], full_name=repo, name="repo", owner=dict(p["repository"]["owner"], login=f"org{inst}"))
    p["installation"] = {"id": inst, "node_id": f"I_{inst}"}
    p["issue"] = dict(p["issue"], number=number, title=["Fix typo in README", "Design the cache layer", "Auth bypass"][number % 3])
    return p


def test_two_replicas_and_a_worker_share_the_queue_pacing_and_tokens(
        tmp_path, pg_engine, redis_url, redis_prefix, fake_github, github_app_key, webhook_example):
    with pg_engine.connect() as conn:
        schema = conn.execute(text("select current_schema()")).scalar()
    private, public = github_app_key
    fake_github.app_public_key = public
    env = base_env(tmp_path, fake_github, GITHUB_APP_ID=str(fake_github.app_id), GITHUB_APP_PRIVATE_KEY=private,
                   DATABASE_URL=f"{PG_URL}?options={quote(f'-csearch_path={schema}')}", REDIS_URL=redis_url,
                   MODEL_ROUTER_REDIS_PREFIX=redis_prefix, MODEL_ROUTER_JOB_LEASE_SECONDS="3",
                   MODEL_ROUTER_WORKER_THREADS="2", MODEL_ROUTER_LOG_LEVEL="WARNING")
    issues = [_issue(webhook_example, inst, n) for n in (1, 2, 3) for inst in range(1, 21)]
    for p in issues:
        fake_github.seed_payload(p)
    ports = [free_port(), free_port()]
    procs = [subprocess.Popen([str(BIN / "model-router"), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
             for port in ports]
    procs.append(subprocess.Popen([str(BIN / "model-router"), "worker", "--threads", "4"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
    try:
        for port in ports:
            wait_for(lambda: _get(f"http://127.0.0.1:{port}/readyz") == 200, what="a replica to be ready")
        for i, p in enumerate(issues):
            if i == 30:  # mid-run: replica 0 dies with whatever its job threads hold
                os.killpg(procs[0].pid, signal.SIGKILL)
                procs[0].wait(10)
            port = ports[1] if i >= 30 else ports[i % 2]
            body = json.dumps(p).encode()
            resp = requests.post(f"http://127.0.0.1:{port}/webhook", data=body, timeout=10,
                                 headers=signed_headers("issues", body, delivery=f"scale-{i}"))
            assert resp.status_code == 202, resp.text

        def stickies(p):
            repo = p["repository"]["full_name"]
            return [c for c in fake_github.comments(repo, p["issue"]["number"]) if MARKER in c["body"]]

        wait_for(lambda: all(stickies(p) for p in issues), timeout=90, what="every issue to be commented")
        from bot.store.job_rows import Job

        wait_for(lambda: _statuses(pg_engine, Job) == {"done": 60}, timeout=30, what="every job to be done")
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    for p in issues:
        repo, n = p["repository"]["full_name"], p["issue"]["number"]
        assert len(stickies(p)) == 1, (repo, n)
        assert len([lb for lb in fake_github.labels_on(repo, n) if lb.startswith("model:")]) == 1
    assert fake_github.secondary_limit_hits == 0
    assert not fake_github.violations


def _statuses(engine, Job) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(Job.status, func.count()).group_by(Job.status)).all())
