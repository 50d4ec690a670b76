"""Operating the queue: `model-router jobs list|show|retry`, `db prune` and retention."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.store.db import make_engine
from bot.store.tables import init_db
from bot.store.job_admin import depth, prune
from bot.store.jobs import DONE, FAILED, QUEUED, JobQueue


class Clock:
    t = 2_000_000.0

    def __call__(self):
        return self.t


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    init_db(engine)
    clock = Clock()
    queue = JobQueue(engine, clock=clock)
    for n in (1, 2, 3):
        queue.enqueue(f"d{n}", "issues", {"action": "opened", "installation": {"id": n},
                                         "repository": {"full_name": "o/r"}, "issue": {"number": n}})
    done, failed = queue.claim("w"), queue.claim("w")
    queue.complete(done)
    queue.fail(failed, "GitHub 404: Not Found")
    yield queue, clock
    engine.dispose()


def test_list_show_and_retry(db, capsys):
    queue, _ = db
    assert main(["jobs", "list"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 4 and "failed" in out and "GitHub 404" in out
    assert main(["jobs", "list", "--failed", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["delivery_id"] for r in rows] == ["d2"] and "payload" not in rows[0]
    assert main(["jobs", "show", str(rows[0]["id"])]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["payload"]["issue"]["number"] == 2 and shown["last_error"] == "GitHub 404: Not Found"
    assert main(["jobs", "retry", str(rows[0]["id"])]) == 0
    assert queue.get(rows[0]["id"])["status"] == QUEUED and queue.get(rows[0]["id"])["attempts"] == 0
    assert main(["jobs", "retry", "999"]) == 2
    assert main(["jobs", "show", "999"]) == 2


def test_retry_all_failed(db, capsys):
    queue, _ = db
    assert main(["jobs", "retry", "--all-failed"]) == 0
    assert "queued 1 job(s)" in capsys.readouterr().out
    assert queue.counts() == {QUEUED: 2, DONE: 1}


def test_retention_prunes_finished_jobs_only(db):
    queue, clock = db
    assert prune(queue, 14) == 0
    clock.t += 15 * 86_400
    assert prune(queue, 14) == 2  # the done and the failed job; the queued one stays
    assert queue.counts() == {QUEUED: 1}
    assert depth(queue)["oldest_age_seconds"] == pytest.approx(15 * 86_400)


def test_prune_keeps_routing_records_and_outcomes(db, capsys):
    from sqlalchemy import func, select

    from bot.store.tables import metadata
    from tests.test_store_migrations import _fill

    queue, clock = db
    kept = ["routing_records", "routing_overrides", "executor_dispatches", "review_records"]
    _fill(queue.engine, kept)
    clock.t += 30 * 86_400
    assert prune(queue, 14) == 2
    with queue.engine.connect() as conn:
        assert [conn.scalar(select(func.count()).select_from(metadata().tables[t])) for t in kept] == [2, 2, 2, 2]
    assert main(["db", "prune"]) == 0  # the command: real clock, default 14 days
    assert "pruned 0 finished job(s) older than 14 days" in capsys.readouterr().out
