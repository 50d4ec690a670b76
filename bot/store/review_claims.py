"""One review per commit: a claim taken before the model is called, and what a review budget counts.

A review of 20 chunks can outlive its job's lease; a second worker, a redelivery or a second `synchronize`
on the same head would otherwise pay for the same review again and post it twice. The claim is a unique
row per (repository, pull request, head SHA); it expires only after the longest a review can take.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, String, UniqueConstraint, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.db import Base, row_dict as _row
from bot.store.records import REVIEWED as FINAL  # a review that happened (an error did not)
from bot.store.reviews import ReviewRecord


class ReviewClaim(Base):
    __tablename__ = "review_claims"
    __table_args__ = (UniqueConstraint("repo", "number", "head_sha", name="uq_review_claim"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    repo: Mapped[str] = mapped_column(String(200))
    number: Mapped[int] = mapped_column(Integer)
    head_sha: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewGuard:
    """IssueStore's methods that keep a review from running twice or past its budget."""

    def review_of(self, repo: str, number: int, head_sha: str) -> dict | None:
        """The latest completed review of exactly this head (full or incremental), or None."""
        with self._session() as s:
            q = (select(ReviewRecord).where(ReviewRecord.repo == repo, ReviewRecord.number == number,
                                            ReviewRecord.head_sha == head_sha, ReviewRecord.verdict.in_(FINAL))
                 .order_by(ReviewRecord.id.desc()))
            r = s.scalars(q).first()
            return _row(r) if r else None

    def claim_review(self, repo: str, number: int, head_sha: str, *, ttl_seconds: float) -> bool:
        """True for the one caller that may review this head now; a claim older than `ttl_seconds` is taken over."""
        now = self.clock()
        with self._session() as s:
            s.add(ReviewClaim(repo=repo, number=number, head_sha=head_sha, claimed_at=now))
            try:
                s.commit()
                return True
            except IntegrityError:
                s.rollback()
            res = s.execute(update(ReviewClaim).where(
                ReviewClaim.repo == repo, ReviewClaim.number == number, ReviewClaim.head_sha == head_sha,
                ReviewClaim.claimed_at < now - timedelta(seconds=ttl_seconds)).values(claimed_at=now))
            s.commit()
            return res.rowcount == 1

    def release_review(self, repo: str, number: int, head_sha: str) -> None:
        """Give the claim back (the review failed before it finished): a retry may claim it at once."""
        with self._session() as s:
            s.execute(ReviewClaim.__table__.delete().where(
                ReviewClaim.repo == repo, ReviewClaim.number == number, ReviewClaim.head_sha == head_sha))
            s.commit()

    def reviews_by_author(self, repo: str, author: str, since: datetime) -> int:
        with self._session() as s:
            return int(s.scalar(select(func.count()).where(
                ReviewRecord.repo == repo, func.lower(ReviewRecord.author) == author.lower(),
                ReviewRecord.created_at >= since)) or 0)

    def review_spend(self, repo: str, since: datetime) -> float:
        with self._session() as s:
            return float(s.scalar(select(func.sum(ReviewRecord.cost_usd)).where(
                ReviewRecord.repo == repo, ReviewRecord.created_at >= since)) or 0.0)
