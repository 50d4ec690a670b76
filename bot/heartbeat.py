"""Lease heartbeat: while a job runs (a long review included), its short lease is renewed in the background.

One daemon thread per process renews every held job every third of a lease, so a live worker never
loses a job and a dead one (kill -9, OOM, a lost host) loses it within one lease. The beat, and every idle
worker's poll, also reaps other processes' expired leases (so a lane moves on) and once an hour prunes
finished jobs older than the retention (MODEL_ROUTER_RETENTION_DAYS).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator

from bot.store.jobs import ClaimedJob, JobQueue

log = logging.getLogger("model_router.worker")
PRUNE_EVERY = 3600.0


class Heartbeat:
    def __init__(self, queue: JobQueue, interval: float | None = None, *, retention_days: float | None = None):
        self.queue, self.retention_days = queue, retention_days
        self._next_prune = time.monotonic() + 60  # not in every process's first second
        self.interval = interval if interval is not None else max(0.2, queue.lease_seconds / 3)
        self._held: dict[int, ClaimedJob] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = -1

    @contextlib.contextmanager
    def hold(self, job: ClaimedJob) -> Iterator[None]:
        """Keep `job`'s lease alive for the duration of the block."""
        with self._lock:
            self._held[job.id] = job
            self._ensure_thread()
        try:
            yield
        finally:
            with self._lock:
                self._held.pop(job.id, None)

    def _ensure_thread(self) -> None:  # called with the lock held
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        self._stop.clear()
        self._pid = os.getpid()  # a forked child gets its own thread, never its parent's
        self._thread = threading.Thread(target=self._loop, name="model-router-heartbeat", daemon=True)
        self._thread.start()

    def beat(self) -> set[int]:
        """Renew every held lease once; returns the ids whose lease was lost."""
        with self._lock:
            jobs = list(self._held.values())
        lost = self.queue.renew(jobs)
        for job_id in lost:
            log.warning("job %s: lease lost (it was reaped; another worker may run it)", job_id)
        self.housekeeping()
        return lost

    def housekeeping(self) -> None:
        """Reap expired leases (at most every third of a lease) and prune old jobs (hourly); idle workers call it."""
        self.queue.maybe_reap()
        if self.retention_days is not None and time.monotonic() >= self._next_prune:
            from bot.store.job_admin import prune

            self._next_prune = time.monotonic() + PRUNE_EVERY
            if n := prune(self.queue, self.retention_days):
                log.info("pruned %d finished job(s) older than %g days", n, self.retention_days)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                if not self._held:  # idle: the thread ends; the next hold() starts another
                    self._thread = None
                    return
            try:
                self.beat()
            except Exception as exc:  # the store is unreachable: try again next beat
                log.warning("heartbeat: cannot reach the job store (%s)", type(exc).__name__)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)
