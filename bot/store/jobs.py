"""Durable webhook jobs: claimed by their body's unique digest on insert, leased to one worker at a time.

A job belongs to a *lane* (its installation, else its repository). Within a lane jobs run one at a
time in delivery order — that paces writes per credential and keeps one issue's events ordered —
while different lanes run in parallel. Leases are short and renewed by the running worker's heartbeat
(bot.heartbeat): a worker that dies loses its job within one lease. `reap()` then moves the job out of
its lane into a lane of its own, so the installation's other jobs go on at once while the orphan is
retried alone, and fails for good (with the reason) once it has used its attempts: a job that keeps
killing its worker never holds the lane again.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import Engine, String, and_, cast, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from bot.store.db import session_factory
from bot.store.intake import Intake
from bot.store.job_rows import (  # noqa: F401 - re-exported: the queue's vocabulary
    DONE, FAILED, INTAKE_COLUMNS, QUEUED, RUNNING, SUPERSEDED, UNFINISHED, ConfigVersion, Job,
)

@dataclass(frozen=True)
class ClaimedJob:
    id: int
    delivery_id: str
    event: str
    action: str | None
    installation_id: int | None
    repo: str | None
    subject: str | None
    payload: dict
    attempts: int  # including this one; with `worker` it fences off a worker whose lease expired
    worker: str


def _describe(payload: dict) -> tuple[int | None, str | None, str | None]:
    inst = payload.get("installation")
    inst_id = inst.get("id") if isinstance(inst, dict) and isinstance(inst.get("id"), int) else None
    repo_obj = payload.get("repository")
    repo = repo_obj.get("full_name") if isinstance(repo_obj, dict) else None
    repo = repo if isinstance(repo, str) else None
    subject = None
    for key in ("issue", "pull_request"):
        obj = payload.get(key)
        if repo and isinstance(obj, dict) and isinstance(obj.get("number"), int):
            subject = f"{repo}#{obj['number']}"
            break
    return inst_id, repo, subject


class JobQueue:
    def __init__(
        self,
        engine: Engine,
        *,
        lease_seconds: float = 6.0,
        max_attempts: int = 6,
        backoff_base: float = 2.0,
        backoff_cap: float = 300.0,
        clock: Callable[[], float] = time.time,
    ):
        self.engine = engine
        self.Session = session_factory(engine)
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.clock = clock
        self._next_reap = 0.0
        # Request threads hand their job to a group commit: one transaction per batch, not per request.
        self._intake = Intake(engine, Job.__table__, "body_digest", INTAKE_COLUMNS)

    # -- intake ---------------------------------------------------------------------------
    def enqueue(self, delivery_id: str, event: str, payload: dict, *, raw: str | None = None,
                body_digest: str | None = None) -> bool:
        """Persist the delivery's job (one unique insert); False when its body was already queued while the
        job is kept: a redelivery (GitHub resends the stored body under the same id) or a replay under
        another id. The key is `body_digest`: the webhook passes the verified signature's HMAC-SHA256 of
        the body; a job queued without one is keyed by its delivery id.

        Returns only after that transaction has committed (it may carry other requests' deliveries)."""
        inst_id, repo, subject = _describe(payload)
        action = payload.get("action") if isinstance(payload.get("action"), str) else None
        now = self.clock()
        lane = f"installation:{inst_id}" if inst_id is not None else f"repo:{repo or '-'}"
        job = dict(
            delivery_id=delivery_id,
            body_digest=body_digest or hashlib.sha256(b"delivery:" + delivery_id.encode()).hexdigest(),
            event=event,
            action=action,
            installation_id=inst_id,
            repo=repo,
            subject=subject,
            lane=lane,
            payload=raw if raw is not None else json.dumps(payload),
            status=QUEUED,
            attempts=0,
            run_after=now,
            created_at=now,
        )
        return self._intake.submit(job)

    # -- claiming ---------------------------------------------------------------------------
    def _claimable(self, now: float):
        return and_(Job.status == QUEUED, Job.run_after <= now)  # an expired lease is reaped first (reap)

    def _candidates(self, now: float):
        older = aliased(Job)
        blocked = exists().where(older.lane == Job.lane, older.id < Job.id, older.status.in_(UNFINISHED))
        return select(Job).where(self._claimable(now), ~blocked).order_by(Job.id).limit(1)

    def claim(self, worker: str) -> ClaimedJob | None:
        """Lease the oldest runnable job of any idle lane to `worker`, or None."""
        self.maybe_reap()
        if self.engine.dialect.name == "postgresql":
            return self._claim_locking(worker)
        return self._claim_conditional(worker)

    def _lease(self, job: Job, worker: str, now: float) -> ClaimedJob:
        return ClaimedJob(
            id=job.id,
            delivery_id=job.delivery_id,
            event=job.event,
            action=job.action,
            installation_id=job.installation_id,
            repo=job.repo,
            subject=job.subject,
            payload=json.loads(job.payload),
            attempts=job.attempts + 1,
            worker=worker,
        )

    def _claim_locking(self, worker: str) -> ClaimedJob | None:
        now = self.clock()
        with self.Session() as s:
            job = s.scalars(self._candidates(now).with_for_update(skip_locked=True, of=Job)).first()
            if job is None:
                return None
            claimed = self._lease(job, worker, now)
            job.status, job.worker, job.attempts = RUNNING, worker, claimed.attempts
            job.lease_until = now + self.lease_seconds
            s.commit()
            return claimed

    def _claim_conditional(self, worker: str) -> ClaimedJob | None:
        for _ in range(8):
            now = self.clock()
            with self.Session() as s:
                job = s.scalars(self._candidates(now)).first()
                if job is None:
                    return None
                claimed = self._lease(job, worker, now)
                res = s.execute(
                    update(Job)
                    .where(Job.id == job.id, Job.attempts == job.attempts, self._claimable(now))
                    .values(status=RUNNING, worker=worker, attempts=claimed.attempts, lease_until=now + self.lease_seconds)
                )
                s.commit()
                if res.rowcount == 1:
                    return claimed
        return None  # lost every race this round; the caller polls again

    # -- leases -----------------------------------------------------------------------------
    def renew(self, jobs: list[ClaimedJob]) -> set[int]:
        """Extend the leases of jobs this process is running (the heartbeat); returns the ids it lost."""
        if not jobs:
            return set()
        until = self.clock() + self.lease_seconds
        lost = set()
        with self.Session() as s:
            for job in jobs:
                res = s.execute(
                    update(Job)
                    .where(Job.id == job.id, Job.status == RUNNING, Job.worker == job.worker, Job.attempts == job.attempts)
                    .values(lease_until=until)
                )
                if res.rowcount != 1:
                    lost.add(job.id)
            s.commit()
        return lost

    def maybe_reap(self) -> int:
        """`reap()` at most every 2 s (a third of a short lease) per process: claims poll far more often."""
        now = self.clock()
        if now < self._next_reap:
            return 0
        self._next_reap = now + max(0.5, min(2.0, self.lease_seconds / 3))
        return self.reap()

    def reap(self) -> int:
        """Jobs whose worker stopped heartbeating: retried in a lane of their own (so the installation's
        lane moves on now), or failed with the reason once their attempts are used. Returns how many."""
        now = self.clock()
        expired = and_(Job.status == RUNNING, Job.lease_until < now)
        with self.Session() as s:
            if not s.scalar(select(func.count()).where(expired)):  # a read: no write lock on the common path
                return 0
            reason = func.coalesce(Job.worker, "?")
            failed = s.execute(
                update(Job).where(expired, Job.attempts >= self.max_attempts).values(
                    status=FAILED, lease_until=None, finished_at=now,
                    last_error="gave up after " + cast(Job.attempts, String) + " attempts: the worker died or hung "
                    "each time (lease expired; last worker " + reason + ")",
                )
            ).rowcount
            requeued = s.execute(
                update(Job).where(expired).values(
                    status=QUEUED, lease_until=None, run_after=now,
                    lane=func.substr(Job.lane, 1, 200) + "/orphan:" + cast(Job.id, String),
                    last_error="worker " + reason + " died or hung (lease expired) during attempt "
                    + cast(Job.attempts, String),
                )
            ).rowcount
            s.commit()
        return failed + requeued

    # -- finishing --------------------------------------------------------------------------
    def _finish(self, job: ClaimedJob, **values) -> bool:
        with self.Session() as s:
            res = s.execute(
                update(Job)
                .where(Job.id == job.id, Job.status == RUNNING, Job.worker == job.worker, Job.attempts == job.attempts)
                .values(**values)
            )
            s.commit()
            return res.rowcount == 1

    def complete(self, job: ClaimedJob, *, status: str = DONE, note: str | None = None) -> bool:
        """False when this worker had lost its lease (another worker owns the job now)."""
        return self._finish(job, status=status, lease_until=None, finished_at=self.clock(), last_error=note)

    def fail(self, job: ClaimedJob, reason: str, *, transient: bool = False, retry_after: float | None = None) -> str:
        """Requeue a transient failure or fail it for good. The retry waits what GitHub asked for (Retry-After:
        exactly that, however many tries came before; the job holds its lane, so the whole installation waits
        once), else an exponential backoff with jitter."""
        reason = reason[:2000]
        if transient and job.attempts < self.max_attempts:
            if retry_after is not None:
                delay = min(retry_after, self.backoff_cap * 12)  # GitHub's primary reset can be up to an hour
            else:
                delay = min(self.backoff_base * 2 ** (job.attempts - 1), self.backoff_cap) * random.uniform(0.8, 1.2)
            self._finish(job, status=QUEUED, lease_until=None, run_after=self.clock() + delay, last_error=reason)
            return QUEUED
        if transient:
            reason = f"gave up after {job.attempts} attempts: {reason}"
        self._finish(job, status=FAILED, lease_until=None, finished_at=self.clock(), last_error=reason)
        return FAILED

    def has_newer(self, job: ClaimedJob) -> bool:
        """A later delivery of the same event and action for the same issue/PR is waiting."""
        if job.subject is None:
            return False
        with self.Session() as s:
            q = select(func.count()).where(
                Job.subject == job.subject,
                Job.event == job.event,
                Job.action == job.action,
                Job.id > job.id,
                Job.status == QUEUED,
            )
            return bool(s.scalar(q))

    # -- inspection -------------------------------------------------------------------------
    def get(self, job_id: int) -> dict | None:
        with self.Session() as s:
            job = s.get(Job, job_id)
            return None if job is None else _row(job)

    def by_delivery(self, delivery_id: str) -> dict | None:
        with self.Session() as s:
            job = s.scalars(select(Job).where(Job.delivery_id == delivery_id)).first()
            return None if job is None else _row(job)

    def counts(self) -> dict[str, int]:
        with self.Session() as s:
            return dict(s.execute(select(Job.status, func.count()).group_by(Job.status)).all())

    def next_due(self) -> float | None:
        """When the earliest queued job becomes runnable (for the synchronous test helper)."""
        with self.Session() as s:
            return s.scalar(select(func.min(Job.run_after)).where(Job.status == QUEUED))

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(select(1))

    # -- config cache invalidation ----------------------------------------------------------------
    def config_version(self, repo: str) -> int:
        with self.Session() as s:
            return s.scalar(select(ConfigVersion.version).where(ConfigVersion.repo == repo)) or 0

    def bump_config_version(self, repo: str) -> None:
        with self.Session() as s:
            res = s.execute(update(ConfigVersion).where(ConfigVersion.repo == repo).values(version=ConfigVersion.version + 1))
            if res.rowcount == 0:
                s.add(ConfigVersion(repo=repo, version=1))
                try:
                    s.commit()
                    return
                except IntegrityError:  # another process inserted it first
                    s.rollback()
                    s.execute(update(ConfigVersion).where(ConfigVersion.repo == repo).values(version=ConfigVersion.version + 1))
            s.commit()


def _row(job: Job) -> dict:
    return {c.name: getattr(job, c.key) for c in Job.__table__.columns if c.name != "payload"}
