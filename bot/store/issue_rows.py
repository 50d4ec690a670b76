"""The experiment tables: routed issues, overrides, dispatched runs and command replies (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.db import Base
from bot.store.records import ACTIVE, ENDED, FINISHED, STALE_RUN_AFTER, utcnow  # noqa: F401  (the SQL store's imports)


class RoutingRecord(Base):
    __tablename__ = "routing_records"
    # the dashboard's rollup: per repository by routing time, and what changed since its last look
    __table_args__ = (UniqueConstraint("repo", "number", name="uq_routing_issue"),
                      Index("ix_routing_repo_created", "repo", "created_at"), Index("ix_routing_updated", "updated_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    routing_id: Mapped[str] = mapped_column(String(32), unique=True)
    repo: Mapped[str] = mapped_column(String(200), index=True)
    number: Mapped[int] = mapped_column(Integer)
    tier: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(100))
    complexity: Mapped[str] = mapped_column(String(16))
    strategy: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float)
    estimated_cost_usd: Mapped[float] = mapped_column(Float)
    baseline_cost_usd: Mapped[float] = mapped_column(Float)
    auto_tier: Mapped[str | None] = mapped_column(String(16), nullable=True)  # the router's own last answer
    source: Mapped[str] = mapped_column(String(32), default="auto")
    decision: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # every LLM classifier call routing this issue cost (the decision keeps only the last one's)
    classifier_usd: Mapped[float] = mapped_column(Float, server_default="0")
    # the hashed words as last routed (bot.routing.kinds.pack; hashes, not text): the text model learns (0013)
    features: Mapped[str | None] = mapped_column(Text, nullable=True)


class Override(Base):
    __tablename__ = "routing_overrides"
    __table_args__ = (Index("ix_override_issue", "repo", "number"), Index("ix_override_created", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repo: Mapped[str] = mapped_column(String(200), index=True)
    number: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(16))
    old: Mapped[str | None] = mapped_column(String(32), nullable=True)
    new: Mapped[str] = mapped_column(String(32))
    by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Dispatch(Base):
    """One executor run we asked GitHub for, and (later) its outcome."""

    __tablename__ = "executor_dispatches"
    __table_args__ = (Index("ix_dispatch_issue", "repo", "number"), Index("ix_dispatch_created", "created_at"),
                      Index("ix_dispatch_completed", "completed_at"), Index("ix_dispatch_branch", "repo", "branch"),
                      Index("ix_dispatch_changed", "changed_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dispatch_id: Mapped[str] = mapped_column(String(64), unique=True)  # sent as the `routing_id` input
    key: Mapped[str] = mapped_column(String(300), unique=True)  # idempotency: what caused this dispatch
    repo: Mapped[str] = mapped_column(String(200), index=True)
    number: Mapped[int] = mapped_column(Integer)
    routing_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    comment_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    mode: Mapped[str] = mapped_column(String(16), default="execute")  # execute | plan
    tier: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(100))
    complexity: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    estimated_cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|dispatched|success|failure|no_agent|error
    by: Mapped[str] = mapped_column(String(100), default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    run_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    run_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    conclusion: Mapped[str | None] = mapped_column(String(32), nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    actual_cost_usd: Mapped[float | None] = mapped_column(Float, nullable=True)
    num_turns: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    followed_up: Mapped[bool] = mapped_column(default=False)  # escalation / plan hand-off done
    # a person's quality score (`/rate 1-5`), one per run: a later one replaces it (migration 0009)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    score_note: Mapped[str | None] = mapped_column(String(300), nullable=True)
    scored_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # what GitHub says about the work: the executor's branch, its PR, the outcome state, time to merge (0010)
    branch: Mapped[str | None] = mapped_column(String(255), nullable=True)
    pr_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    truth: Mapped[str | None] = mapped_column(String(16), nullable=True)
    time_to_merge_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    # when the row last changed after the run finished (its PR's outcome, a score): the dashboard's cache reads it (0011)
    changed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    # when a dispatch that GitHub answered with a transient error was first sent (it may have started the run) (0014)
    unconfirmed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class CommandReplyRow(Base):
    """The one reply the bot wrote for a triggering comment, so a redelivery edits it instead of adding one."""

    __tablename__ = "command_replies"
    __table_args__ = (UniqueConstraint("repo", "comment_id", name="uq_command_reply"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repo: Mapped[str] = mapped_column(String(200))
    comment_id: Mapped[int] = mapped_column(BigInteger)
    reply_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime)

