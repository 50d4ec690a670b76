"""Group commit of webhook intake: batches, duplicates inside a batch, a bad row isolated, errors reach every waiter."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.store.db import make_engine

from bot.store.tables import init_db
from bot.store.intake import GroupCommit
from bot.store.jobs import QUEUED, JobQueue


def payload(number: int) -> dict:
    return {"action": "opened", "installation": {"id": 1}, "repository": {"full_name": "o/r"}, "issue": {"number": number}}


@pytest.fixture
def queue(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    init_db(engine)
    yield JobQueue(engine)
    engine.dispose()


def _held_leader(write):
    """A GroupCommit whose first write blocks until released, so later submits pile up into one batch."""
    entered, release, batches = threading.Event(), threading.Event(), []

    def gated(items):
        batches.append(list(items))
        if len(batches) == 1:
            entered.set()
            release.wait(10)
        return write(items)

    return GroupCommit(gated), entered, release, batches


def _run(fn, args_list):
    results, threads = {}, []
    for args in args_list:
        t = threading.Thread(target=lambda a=args: results.__setitem__(a, _catch(fn, a)))
        t.start()
        threads.append(t)
    return threads, results


def _catch(fn, arg):
    try:
        return fn(arg)
    except Exception as exc:  # noqa: BLE001 - the test inspects it
        return exc


def test_waiters_queued_behind_a_write_share_the_next_transaction():
    gc, entered, release, batches = _held_leader(lambda items: [i * 10 for i in items])
    first, res1 = _run(gc.submit, [0])
    assert entered.wait(5)
    others, res = _run(gc.submit, [1, 2, 3, 4])
    while len(gc._queue) < 4:  # all four are waiting for the leader
        threading.Event().wait(0.005)
    release.set()
    for t in first + others:
        t.join(10)
    assert batches[0] == [0] and sorted(batches[1]) == [1, 2, 3, 4] and len(batches) == 2
    assert res1 == {0: 0} and res == {1: 10, 2: 20, 3: 30, 4: 40}


def test_an_item_whose_result_is_an_error_raises_it_to_its_waiter_only():
    boom = OperationalError("INSERT", {}, Exception("bad row"))
    gc = GroupCommit(lambda items: [boom if i == 1 else i for i in items])
    assert gc.submit(0) == 0
    with pytest.raises(OperationalError):
        gc.submit(1)
    assert gc.submit(2) == 2


def test_a_failed_transaction_fails_every_request_in_it():
    def write(items):
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    gc, entered, release, _ = _held_leader(write)
    first, res1 = _run(gc.submit, [0])
    assert entered.wait(5)
    others, res = _run(gc.submit, [1, 2])
    while len(gc._queue) < 2:
        threading.Event().wait(0.005)
    release.set()
    for t in first + others:
        t.join(10)
    assert all(isinstance(r, OperationalError) for r in [*res1.values(), *res.values()])
    assert gc._busy is False and gc._queue == []  # the next request leads a fresh transaction


def test_many_concurrent_deliveries_each_enqueued_once(queue):
    ids = [f"d{i % 40}" for i in range(120)]  # every delivery (id and body) three times, concurrently
    results: list[tuple[str, bool]] = []
    barrier = threading.Barrier(24)

    def go(chunk):
        barrier.wait()
        for d in chunk:
            results.append((d, queue.enqueue(d, "issues", payload(int(d[1:])))))

    threads = [threading.Thread(target=go, args=(ids[i::24],)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fresh = sorted(d for d, ok in results if ok)
    assert fresh == sorted({*ids}) and len(results) == 120
    assert queue.counts() == {QUEUED: 40}


def test_duplicate_inside_one_batch_keeps_the_first_copy(queue):
    assert queue._intake.write_batch([_job(queue, "x", 1), _job(queue, "x", 2), _job(queue, "y", 3)]) == [True, False, True]
    assert queue.by_delivery("x")["subject"] == "o/r#1"
    assert queue._intake.write_batch([_job(queue, "x", 4)]) == [False]


def test_the_signed_body_is_the_key(queue):
    """GitHub redelivers the stored body with its signature: the digest is the one unique key the intake
    writes (one index, not two); a job queued without a digest is keyed by its delivery id."""
    sig = "ab" * 32
    assert queue.enqueue("d1", "issues", payload(1), body_digest=sig) is True
    assert queue.enqueue("d1", "issues", payload(1), body_digest=sig) is False  # redelivery
    assert queue.enqueue("d2", "issues", payload(1), body_digest=sig) is False  # replay under a new id
    assert queue.enqueue("d1", "issues", payload(2), body_digest="cd" * 32) is True  # a new body is new work
    assert queue.enqueue("d3", "issues", payload(3)) is True
    assert queue.enqueue("d3", "issues", payload(4)) is False  # no digest: the delivery id decides


def test_the_intake_writes_one_unique_index_and_no_finished_index_entry(queue):
    """What a delivery costs to store: each index is a page written per row. Unique: the body hash only;
    the finished-jobs index (retention, `jobs list --failed`) holds finished rows only."""
    from sqlalchemy import text

    with queue.engine.connect() as conn:
        indexes = {r[1]: (r[2], r[4]) for r in conn.execute(text("PRAGMA index_list(jobs)"))}  # name: (unique, partial)
        unique_cols = [[c[2] for c in conn.execute(text(f"PRAGMA index_info('{name}')"))]
                       for name, (unique, _partial) in indexes.items() if unique]
    assert unique_cols == [["body_digest"]]
    assert indexes["ix_jobs_status_finished"][1] == 1  # partial: WHERE finished_at IS NOT NULL


def test_a_batch_longer_than_one_statement_claims_each_row_once(queue):
    from bot.store.intake import _ROWS_PER_STATEMENT

    n = 2 * _ROWS_PER_STATEMENT + 5
    assert queue._intake.write_batch([_job(queue, f"old{i}", i) for i in range(0, n, 7)]) == [True] * len(range(0, n, 7))
    rows = [_job(queue, f"old{i}" if i % 7 == 0 else f"new{i}", i) for i in range(n)]
    assert queue._intake.write_batch(rows) == [i % 7 != 0 for i in range(n)]
    assert queue.counts() == {QUEUED: n}


def test_a_bad_row_does_not_fail_its_batch_mates(queue):
    bad = _job(queue, "bad", 1)
    bad["status"] = None  # NOT NULL violation: only this delivery fails
    assert isinstance(queue._intake.write_batch([bad])[0], IntegrityError)
    ok1, failed, ok2 = queue._intake.write_batch([_job(queue, "ok1", 1), dict(bad), _job(queue, "ok2", 2)])
    assert ok1 is True and ok2 is True and isinstance(failed, IntegrityError)  # an error (503), never "duplicate"
    assert queue.by_delivery("ok1") and queue.by_delivery("ok2") and queue.by_delivery("bad") is None


def _job(queue: JobQueue, delivery: str, number: int) -> dict:
    captured = {}
    real = queue._intake
    queue._intake = type("Capture", (), {"submit": lambda self, job: captured.setdefault("job", job)})()
    try:
        queue.enqueue(delivery, "issues", payload(number))
    finally:
        queue._intake = real
    return captured["job"]
