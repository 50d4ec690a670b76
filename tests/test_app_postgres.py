"""Scale-out mode: the job queue and the app on PostgreSQL (127.0.0.1:5432, database `test`), own schema per run."""

from __future__ import annotations

import json
import threading

import pytest

from bot.store.jobs import DONE, QUEUED, JobQueue

pytestmark = pytest.mark.postgres  # engine: the shared `pg_engine` fixture (tests/plugins/postgres.py)


def test_workers_on_several_connections_never_double_process(pg_engine):
    queue = JobQueue(pg_engine, lease_seconds=30)
    for i in range(60):
        assert queue.enqueue(f"d{i}", "issues", {"installation": {"id": i % 6}, "action": "opened"})
    assert not queue.enqueue("d0", "issues", {})
    seen: list[int] = []
    lock = threading.Lock()

    def work(name):
        q = JobQueue(pg_engine, lease_seconds=30)  # as if in another process
        idle = 0
        while idle < 20:
            job = q.claim(name)
            if job is None:
                idle += 1
                continue
            idle = 0
            with lock:
                seen.append(job.id)
            q.complete(job)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 60 == len(set(seen))
    assert queue.counts() == {DONE: 60}


def test_lane_order_holds_under_skip_locked(pg_engine):
    queue = JobQueue(pg_engine)
    queue.enqueue("a1", "issues", {"installation": {"id": 1}})
    queue.enqueue("a2", "issues", {"installation": {"id": 1}})
    first = queue.claim("w1")
    assert first.delivery_id == "a1" and queue.claim("w2") is None
    queue.complete(first)
    assert queue.claim("w2").delivery_id == "a2"
    assert queue.counts().get(QUEUED) is None


def test_app_on_postgres_routes_an_issue(pg_engine, fake_github, webhook_example, tmp_path):
    from bot.app import create_app
    from bot.issues.render import MARKER
    from bot.settings import ServiceSettings
    from bot.worker import run_until_idle
    from tests.plugins.app import WEBHOOK_SECRET, signed_headers

    settings = ServiceSettings(
        github_token="test-token", github_webhook_secret=WEBHOOK_SECRET, github_api_url=fake_github.url,
        database_url="postgresql://127.0.0.1:5432/test", worker_threads=0, github_writes_per_minute=0, github_min_write_interval=0,
        github_retry_backoff=0,
    )
    app = create_app({"SETTINGS": settings, "ENGINE": pg_engine})
    payload = webhook_example("issues", "opened")
    fake_github.seed_payload(payload)
    body = json.dumps(payload).encode()
    client = app.test_client()
    assert client.post("/webhook", data=body, headers=signed_headers("issues", body, delivery="pg-1")).status_code == 202
    assert client.post("/webhook", data=body, headers=signed_headers("issues", body, delivery="pg-1")).status_code == 200
    rt = app.extensions["model_router"].runtime
    assert run_until_idle(rt) == 1
    assert rt.queue.by_delivery("pg-1")["status"] == DONE
    assert len([c for c in fake_github.comments("Codertocat/Hello-World", 1) if MARKER in c["body"]]) == 1
    assert client.get("/readyz").status_code == 200


def test_a_dispatch_github_refused_is_claimed_again_by_one_worker_only(pg_engine):
    """The retry of an escalation GitHub refused (its row left in `error`): workers racing on the same cause claim it
    once, so the next tier is dispatched once (READ COMMITTED: a read-then-write would let every racer through)."""
    from bot.store.issues import IssueStore
    from bot.store.records import DISPATCH_ERROR

    store = IssueStore(pg_engine)
    fields = dict(repo="o/r", number=1, tier="sonnet", model="m", complexity="simple", mode="execute", attempt=2)
    for n in range(8):
        key = f"o/r#1:escalate:{n}"
        row, _ = store.claim_dispatch(key=key, **fields)
        store.update_dispatch(row.dispatch_id, status=DISPATCH_ERROR, error="GitHub 500")
        barrier, won = threading.Barrier(6), []

        def claim():
            barrier.wait()
            won.append(IssueStore(pg_engine).claim_dispatch(key=key, **fields)[1])

        threads = [threading.Thread(target=claim) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert won.count(True) == 1, (n, won)
