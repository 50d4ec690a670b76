"""The durable job queue on SQLite: unique delivery claims, leases, lanes, retries, reclaiming."""

from __future__ import annotations

import threading

import pytest

from bot.store.db import make_engine

from bot.store.tables import init_db
from bot.store.jobs import DONE, FAILED, QUEUED, RUNNING, JobQueue


class Clock:
    def __init__(self, t: float = 1_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def payload(inst: int | None = 1, number: int = 1, action: str = "opened", repo: str = "o/r") -> dict:
    p = {"action": action, "repository": {"full_name": repo}, "issue": {"number": number}}
    if inst is not None:
        p["installation"] = {"id": inst}
    return p


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def queue(tmp_path, clock):
    engine = make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    init_db(engine)
    yield JobQueue(engine, lease_seconds=10, max_attempts=3, backoff_base=1, clock=clock)
    engine.dispose()


def test_redelivery_is_a_no_op(queue):
    assert queue.enqueue("d1", "issues", payload()) is True
    assert queue.enqueue("d1", "issues", payload()) is False
    assert queue.counts() == {QUEUED: 1}


def test_concurrent_redeliveries_enqueue_once(queue):
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def go():
        barrier.wait()
        results.append(queue.enqueue("same", "issues", payload()))

    threads = [threading.Thread(target=go) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]
    assert queue.counts() == {QUEUED: 1}


def test_claim_complete(queue):
    queue.enqueue("d1", "issues", payload())
    job = queue.claim("w1")
    assert job is not None and job.payload["issue"]["number"] == 1 and job.attempts == 1
    assert job.installation_id == 1 and job.repo == "o/r" and job.subject == "o/r#1"
    assert queue.claim("w2") is None  # leased
    assert queue.complete(job) is True
    assert queue.get(job.id)["status"] == DONE


def test_one_lane_runs_in_order_other_lanes_in_parallel(queue):
    queue.enqueue("a1", "issues", payload(inst=1, number=1))
    queue.enqueue("a2", "issues", payload(inst=1, number=2))
    queue.enqueue("b1", "issues", payload(inst=2, number=1))
    first = queue.claim("w1")
    second = queue.claim("w2")
    assert (first.delivery_id, second.delivery_id) == ("a1", "b1")
    assert queue.claim("w3") is None  # a2 waits for a1: same installation
    queue.complete(first)
    assert queue.claim("w3").delivery_id == "a2"


def test_expired_lease_is_reclaimed_and_the_old_worker_is_fenced_off(queue, clock):
    queue.enqueue("d1", "issues", payload())
    dead = queue.claim("dead")
    clock.t += 11
    again = queue.claim("alive")
    assert again is not None and again.id == dead.id and again.attempts == 2
    assert queue.complete(dead) is False  # the dead worker woke up late: it no longer owns the job
    assert queue.complete(again) is True
    assert queue.get(dead.id)["status"] == DONE


def test_a_dead_workers_lane_moves_on_and_its_job_is_retried_alone(queue, clock):
    queue.enqueue("a1", "issues", payload(inst=1, number=1))
    queue.enqueue("a2", "issues", payload(inst=1, number=2))
    dead = queue.claim("dead")
    assert queue.claim("w") is None  # a2 waits behind a1 while a1's worker is alive
    clock.t += 11
    assert queue.reap() == 1
    row = queue.get(dead.id)
    assert row["status"] == QUEUED and "dead died or hung" in row["last_error"] and row["lane"].endswith(f"/orphan:{dead.id}")
    both = {queue.claim("w1").delivery_id, queue.claim("w2").delivery_id}
    assert both == {"a1", "a2"}  # the lane went on; the orphan runs beside it


def test_the_heartbeat_keeps_a_long_job_and_a_reaped_worker_learns_it_lost(queue, clock):
    queue.enqueue("d1", "issues", payload())
    job = queue.claim("w")
    for _ in range(5):  # a 50 s review, renewed every few seconds
        clock.t += 4
        assert queue.renew([job]) == set()
        assert queue.reap() == 0
    assert queue.get(job.id)["status"] == RUNNING
    clock.t += 11
    queue.reap()
    assert queue.renew([job]) == {job.id}


def test_a_poison_job_fails_with_the_reason_after_its_attempts_without_holding_the_lane(queue, clock):
    queue.enqueue("poison", "issues", payload(inst=1, number=1))
    queue.enqueue("next", "issues", payload(inst=1, number=2))
    for attempt in range(1, 4):  # every attempt kills its worker
        job = queue.claim(f"w{attempt}")
        assert job.delivery_id == "poison" and job.attempts == attempt
        clock.t += 11
        queue.reap()
    row = queue.get(job.id)
    assert row["status"] == FAILED and row["last_error"].startswith("gave up after 3 attempts: the worker died")
    assert queue.claim("w").delivery_id == "next"


def test_transient_failure_retries_after_retry_after(queue, clock):
    queue.enqueue("d1", "issues", payload())
    job = queue.claim("w")
    assert queue.fail(job, "GitHub 403: secondary rate limit", transient=True, retry_after=30) == QUEUED
    row = queue.get(job.id)
    assert row["status"] == QUEUED and row["run_after"] >= clock.t + 30 and "secondary" in row["last_error"]
    assert queue.claim("w") is None
    clock.t += 31
    assert queue.claim("w").attempts == 2


def test_attempts_are_bounded(queue, clock):
    queue.enqueue("d1", "issues", payload())
    for attempt in range(1, 4):
        job = queue.claim("w")
        assert job.attempts == attempt
        status = queue.fail(job, "GitHub 502: bad gateway", transient=True)
        clock.t += 100
    assert status == FAILED
    assert queue.get(job.id)["last_error"].startswith("gave up after 3 attempts")


def test_permanent_failure_stores_the_reason_and_unblocks_the_lane(queue):
    queue.enqueue("d1", "issues", payload(number=1))
    queue.enqueue("d2", "issues", payload(number=2))
    job = queue.claim("w")
    assert queue.fail(job, "GitHub 404: Not Found") == FAILED
    assert queue.get(job.id)["last_error"] == "GitHub 404: Not Found"
    assert queue.claim("w").delivery_id == "d2"


def test_many_threads_never_double_process(queue):
    for i in range(40):
        queue.enqueue(f"d{i}", "issues", payload(inst=i % 5, number=i))
    seen: list[int] = []
    lock = threading.Lock()

    def work(name):
        while (job := queue.claim(name)) is not None or queue.counts().get(QUEUED):
            if job is None:
                continue
            with lock:
                seen.append(job.id)
            queue.complete(job)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 40
    assert queue.counts() == {DONE: 40}
    assert RUNNING not in queue.counts()


def test_newer_edit_of_the_same_issue_is_detected(queue):
    queue.enqueue("e1", "issues", payload(action="edited"))
    queue.enqueue("e2", "issues", payload(action="edited"))
    job = queue.claim("w")
    assert queue.has_newer(job) is True
    queue.complete(job)
    assert queue.has_newer(queue.claim("w")) is False


def test_config_version_bumps(queue):
    assert queue.config_version("o/r") == 0
    queue.bump_config_version("o/r")
    queue.bump_config_version("o/r")
    assert queue.config_version("o/r") == 2


def test_the_heartbeat_thread_renews_while_held_and_stops_when_idle(tmp_path):
    import time

    from bot.heartbeat import Heartbeat

    engine = make_engine(f"sqlite:///{tmp_path / 'hb.db'}")
    init_db(engine)
    queue = JobQueue(engine, lease_seconds=1)
    queue.enqueue("d1", "issues", payload())
    job = queue.claim("w")
    beat = Heartbeat(queue, interval=0.2)
    with beat.hold(job):
        time.sleep(2.0)  # two leases long
        queue.reap()
        assert queue.get(job.id)["status"] == RUNNING and queue.get(job.id)["lease_until"] > time.time()
    time.sleep(0.5)
    assert beat._thread is None  # idle: no thread left polling the store
    queue.complete(job)
    engine.dispose()


def test_retry_after_is_waited_once_not_grown_by_the_attempts(tmp_path, clock):
    # Each later 403 asks for 1 s: the job waits 1 s every time, never the 2-4-8 s backoff of its attempts
    engine = make_engine(f"sqlite:///{tmp_path / 'ra.db'}")
    init_db(engine)
    q = JobQueue(engine, lease_seconds=10, max_attempts=6, backoff_base=2, clock=clock)
    q.enqueue("d1", "issues", payload())
    q.enqueue("d2", "issues", payload(number=2))  # the same installation's lane waits behind it
    for _ in range(4):
        job = q.claim("w")
        assert job.delivery_id == "d1"
        assert q.fail(job, "GitHub 403: secondary rate limit", transient=True, retry_after=1) == QUEUED
        assert q.get(job.id)["run_after"] == pytest.approx(clock.t + 1)
        assert q.claim("w") is None  # neither d1 (not due) nor d2 (its lane is held)
        clock.t += 1
    engine.dispose()
