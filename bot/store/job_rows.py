"""The job tables: one row per webhook delivery (the queue) and the per-repo config version counters."""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.db import Base

QUEUED, RUNNING, DONE, FAILED, SUPERSEDED = "queued", "running", "done", "failed", "superseded"
UNFINISHED = (QUEUED, RUNNING)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_lane_status", "lane", "status", "id"),
        Index("ix_jobs_status_run_after", "status", "run_after"),
        # finished rows only: an intake insert (status queued, finished_at NULL) writes no entry here
        Index("ix_jobs_status_finished", "status", "finished_at", sqlite_where=text("finished_at IS NOT NULL"),
              postgresql_where=text("finished_at IS NOT NULL")),
        # the one unique key the intake writes: a redelivery and a replay carry the same signed body (NULL:
        # rows from before migration 0005, never colliding)
        UniqueConstraint("body_digest", name="uq_jobs_body_digest"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(String(128))  # X-GitHub-Delivery, for the logs and the operator
    # The claim key, hex: the delivery's verified X-Hub-Signature-256 (HMAC-SHA256 of the body), so a
    # redelivery or a replay of a body is queued once; for jobs queued without one, SHA-256 of the delivery id.
    body_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    event: Mapped[str] = mapped_column(String(64))
    action: Mapped[str | None] = mapped_column(String(64), nullable=True)
    installation_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    repo: Mapped[str | None] = mapped_column(String(255), nullable=True)
    subject: Mapped[str | None] = mapped_column(String(300), nullable=True)  # "owner/repo#N"
    lane: Mapped[str] = mapped_column(String(300))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[float] = mapped_column(Float)
    lease_until: Mapped[float | None] = mapped_column(Float, nullable=True)
    worker: Mapped[str | None] = mapped_column(String(128), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)


# What the intake writes for a new job; the other columns start NULL.
INTAKE_COLUMNS = ["delivery_id", "body_digest", "event", "action", "installation_id", "repo", "subject", "lane", "payload", "status",
                  "attempts", "run_after", "created_at"]


class ConfigVersion(Base):
    """Bumped by a push that touches a repo's config, so every process drops its cached copy."""

    __tablename__ = "repo_config_versions"

    repo: Mapped[str] = mapped_column(String(255), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
