"""Review-gate records: every Opus review of a pull request and every audited `/override-review`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.db import Base, row_dict as _row


class ReviewRecord(Base):
    """One Opus review of a pull request's head (or of the range since the last passing review)."""

    __tablename__ = "review_records"
    __table_args__ = (Index("ix_review_created", "created_at"),)  # spend since the last scrape (bot.store.spend)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repo: Mapped[str] = mapped_column(String(200), index=True)
    number: Mapped[int] = mapped_column(Integer)
    head_sha: Mapped[str] = mapped_column(String(64))
    base_sha: Mapped[str | None] = mapped_column(String(64), nullable=True)  # None: the whole PR diff
    model: Mapped[str] = mapped_column(String(100))
    verdict: Mapped[str] = mapped_column(String(32))  # pass | pass_with_findings | fail | error | unreviewable
    state: Mapped[str] = mapped_column(String(16))  # the status reported: success | failure
    counts: Mapped[dict] = mapped_column(JSON)  # findings by severity
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[list] = mapped_column(JSON)  # [{"file", "reason"}] not reviewed
    files: Mapped[list] = mapped_column(JSON)  # every path of the PR diff when reviewed (incl. old names)
    cost_usd: Mapped[float | None] = mapped_column(Float, nullable=True)
    author: Mapped[str | None] = mapped_column(String(100), nullable=True)  # the PR's author (rate limits)
    trigger: Mapped[str] = mapped_column(String(32))  # push | label | opened | reopened | /review
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewOverride(Base):
    """`/override-review`: who let a head merge without a passing review, and why (the audit trail)."""

    __tablename__ = "review_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repo: Mapped[str] = mapped_column(String(200), index=True)
    number: Mapped[int] = mapped_column(Integer)
    head_sha: Mapped[str] = mapped_column(String(64))
    by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewLog:
    """IssueStore's review methods (it provides `_session`, `clock` and `_issue_q`)."""

    def record_review(self, repo: str, number: int, *, head_sha: str, model: str, verdict: str, state: str,
                      trigger: str, base_sha: str | None = None, counts: dict | None = None, chunks: int = 0,
                      skipped: list | None = None, files: list | None = None, cost_usd: float | None = None,
                      author: str | None = None) -> dict:
        with self._session.begin() as s:
            r = ReviewRecord(repo=repo, number=number, head_sha=head_sha, base_sha=base_sha, model=model,
                             verdict=verdict, state=state, counts=counts or {}, chunks=chunks,
                             skipped=skipped or [], files=files or [], cost_usd=cost_usd, trigger=trigger, author=author,
                             created_at=self.clock())
            s.add(r)
            s.flush()
            return _row(r)

    def last_review(self, repo: str, number: int) -> dict | None:
        """The latest review of a pull request, whatever its verdict (an earlier pass never hides a later fail)."""
        with self._session() as s:
            r = s.scalars(self._issue_q(ReviewRecord, repo, number).order_by(ReviewRecord.id.desc())).first()
            return _row(r) if r else None

    def reviews(self, repo: str | None = None, number: int | None = None) -> list[dict]:
        with self._session() as s:
            q = select(ReviewRecord).order_by(ReviewRecord.id)
            if repo:
                q = q.where(ReviewRecord.repo == repo)
            if number is not None:
                q = q.where(ReviewRecord.number == number)
            return [_row(r) for r in s.scalars(q)]

    def record_review_override(self, repo: str, number: int, *, head_sha: str, by: str, reason: str) -> dict:
        with self._session.begin() as s:
            o = ReviewOverride(repo=repo, number=number, head_sha=head_sha, by=by, reason=reason, created_at=self.clock())
            s.add(o)
            s.flush()
            return _row(o)

    def review_overrides(self, repo: str | None = None, number: int | None = None) -> list[dict]:
        with self._session() as s:
            q = select(ReviewOverride).order_by(ReviewOverride.id)
            if repo:
                q = q.where(ReviewOverride.repo == repo)
            if number is not None:
                q = q.where(ReviewOverride.number == number)
            return [_row(o) for o in s.scalars(q)]
