"""The convoy tables: one row per parent issue (its state as JSON, and the lease), and sub-issue → parent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.db import Base


class ConvoyRow(Base):
    __tablename__ = "convoys"
    __table_args__ = (UniqueConstraint("repo", "parent", name="uq_convoy_parent"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repo: Mapped[str] = mapped_column(String(200), index=True)
    parent: Mapped[int] = mapped_column(Integer)
    state: Mapped[dict] = mapped_column(JSON)
    lease_owner: Mapped[str | None] = mapped_column(String(40), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class ConvoyTaskRow(Base):
    """sub-issue → parent, so an event on a sub-issue finds its convoy."""

    __tablename__ = "convoy_tasks"
    __table_args__ = (UniqueConstraint("repo", "number", name="uq_convoy_task_issue"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repo: Mapped[str] = mapped_column(String(200))
    number: Mapped[int] = mapped_column(Integer)
    parent: Mapped[int] = mapped_column(Integer)
