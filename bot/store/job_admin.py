"""The operator's view of the job queue: list, show and retry jobs, prune old ones, queue depth and age."""

from __future__ import annotations

import json

from sqlalchemy import delete, func, select, update

from bot.store.job_rows import DONE, FAILED, QUEUED, SUPERSEDED, Job
from bot.store.jobs import JobQueue, _row

FINISHED = (DONE, FAILED, SUPERSEDED)


def list_jobs(queue: JobQueue, *, status: str | None = None, limit: int = 50) -> list[dict]:
    """Newest first, without payloads."""
    q = select(Job).order_by(Job.id.desc()).limit(limit)
    if status is not None:
        q = q.where(Job.status == status)
    with queue.Session() as s:
        return [_row(job) for job in s.scalars(q)]


def show(queue: JobQueue, job_id: int) -> dict | None:
    """One job with its payload (parsed when it is JSON)."""
    with queue.Session() as s:
        job = s.get(Job, job_id)
        if job is None:
            return None
        row = _row(job)
        try:
            row["payload"] = json.loads(job.payload) if job.payload else None
        except ValueError:
            row["payload"] = job.payload
        return row


def retry(queue: JobQueue, job_id: int | None = None) -> int:
    """Queue failed jobs again with fresh attempts (one id, or every failed job); returns how many."""
    q = update(Job).where(Job.status == FAILED)
    if job_id is not None:
        q = q.where(Job.id == job_id)
    with queue.Session() as s:
        n = s.execute(q.values(status=QUEUED, attempts=0, run_after=queue.clock(), finished_at=None, worker=None)).rowcount
        s.commit()
    return n


def prune(queue: JobQueue, retention_days: float) -> int:
    """Delete finished jobs (and so their payloads) older than the retention; queued and running jobs
    and every routing record, override, dispatch and review stay. Returns how many went."""
    cutoff = queue.clock() - retention_days * 86_400
    with queue.Session() as s:
        n = s.execute(delete(Job).where(Job.status.in_(FINISHED), Job.finished_at < cutoff)).rowcount
        s.commit()
    return n


def depth(queue: JobQueue) -> dict:
    """Jobs per status, and the age in seconds of the oldest job not yet finished (0 when none)."""
    with queue.Session() as s:
        counts = dict(s.execute(select(Job.status, func.count()).group_by(Job.status)).all())
        oldest = s.scalar(select(func.min(Job.created_at)).where(Job.status.in_((QUEUED, "running"))))
    return {"counts": counts, "oldest_age_seconds": max(0.0, queue.clock() - oldest) if oldest else 0.0}
