"""Convoy state in SQL (bot.convoy): one row per parent issue, a lease so one worker advances it at a time, a task index.

The lease makes every GitHub write of a convoy (sub-issue creation, dependencies, dispatch) happen
under one owner; a worker that dies holding it loses it after LEASE, and the retried job resumes from
the saved state, which records each write as soon as GitHub answers it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Callable

import weakref

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from bot.store.convoy_rows import ConvoyRow, ConvoyTaskRow
from bot.store.db import Base, session_factory
from bot.store.issue_rows import utcnow
from bot.store.records import Busy, ConvoyDoc

LEASE = timedelta(seconds=120)
__all__ = ["LEASE", "Busy", "ConvoyStore", "for_engine"]


_stores: "weakref.WeakKeyDictionary[Engine, ConvoyStore]" = weakref.WeakKeyDictionary()


def for_engine(engine: Engine, clock: Callable[[], datetime] = utcnow) -> "ConvoyStore":
    """One ConvoyStore per engine (its tables are created once, like IssueStore's)."""
    store = _stores.get(engine)
    if store is None:
        store = _stores[engine] = ConvoyStore(engine, clock=clock)
    return store


class ConvoyStore:
    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] = utcnow):
        self.engine, self.clock = engine, clock
        self._session = session_factory(engine)
        Base.metadata.create_all(engine, tables=[ConvoyRow.__table__, ConvoyTaskRow.__table__])

    def create(self, convoy: ConvoyDoc) -> bool:
        """Insert a new convoy; False when the parent already has one (a redelivered plan)."""
        try:
            with self._session.begin() as s:
                s.add(ConvoyRow(repo=convoy.repo, parent=convoy.parent, state=convoy.model_dump(mode="json"),
                                updated_at=self.clock()))
        except IntegrityError:
            return False
        return True

    def load(self, repo: str, parent: int) -> dict | None:
        """The saved state (a JSON document: bot.convoy.state.Convoy reads it), or None."""
        with self._session() as s:
            row = s.scalar(select(ConvoyRow).where(ConvoyRow.repo == repo, ConvoyRow.parent == parent))
            return dict(row.state) if row else None

    def replace(self, convoy: ConvoyDoc) -> None:
        """Overwrite (a restored or new plan: only when no run of the old one is in flight)."""
        if not self.create(convoy):
            with self._session.begin() as s:
                s.execute(update(ConvoyRow).where(ConvoyRow.repo == convoy.repo, ConvoyRow.parent == convoy.parent)
                          .values(state=convoy.model_dump(mode="json"), updated_at=self.clock()))

    def save(self, convoy: ConvoyDoc, owner: str) -> None:
        """Write the state; only the lease owner may (a lost lease raises Busy, so the job retries)."""
        with self._session.begin() as s:
            n = s.execute(update(ConvoyRow).where(ConvoyRow.repo == convoy.repo, ConvoyRow.parent == convoy.parent,
                                                  ConvoyRow.lease_owner == owner)
                          .values(state=convoy.model_dump(mode="json"), updated_at=self.clock())).rowcount
            for t in convoy.tasks:
                if t.issue is not None:
                    self._index(s, convoy.repo, t.issue, convoy.parent)
        if n != 1:
            raise Busy(f"lost the lease on {convoy.repo}#{convoy.parent}")

    def _index(self, s, repo: str, number: int, parent: int) -> None:
        if s.scalar(select(ConvoyTaskRow.id).where(ConvoyTaskRow.repo == repo, ConvoyTaskRow.number == number)) is None:
            s.add(ConvoyTaskRow(repo=repo, number=number, parent=parent))

    def parent_of(self, repo: str, number: int) -> int | None:
        with self._session() as s:
            return s.scalar(select(ConvoyTaskRow.parent).where(ConvoyTaskRow.repo == repo, ConvoyTaskRow.number == number))

    def acquire(self, repo: str, parent: int) -> str | None:
        """Take the lease (None when another live worker holds it)."""
        owner, now = uuid.uuid4().hex, self.clock()
        with self._session.begin() as s:
            n = s.execute(update(ConvoyRow).where(
                ConvoyRow.repo == repo, ConvoyRow.parent == parent,
                (ConvoyRow.lease_owner.is_(None)) | (ConvoyRow.lease_until < now),
            ).values(lease_owner=owner, lease_until=now + LEASE)).rowcount
        return owner if n == 1 else None

    def release(self, repo: str, parent: int, owner: str) -> None:
        with self._session.begin() as s:
            s.execute(update(ConvoyRow).where(ConvoyRow.repo == repo, ConvoyRow.parent == parent,
                                              ConvoyRow.lease_owner == owner).values(lease_owner=None, lease_until=None))
