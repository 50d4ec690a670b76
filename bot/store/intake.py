"""Webhook intake: one unique insert per delivery (the claim), many deliveries per commit (group commit)."""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any, Callable

from sqlalchemy import Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

try:
    import fcntl
except ImportError:  # Windows: SQLite's own busy handler still serialises the writers
    fcntl = None


class _Waiter:
    """One queued item. `_signal` is a lock taken at birth: `wait()` blocks until `wake()` releases it
    (a one-shot Event without the Condition an Event builds on every wait)."""

    __slots__ = ("item", "_signal", "lead", "result", "error")

    def __init__(self, item):
        self.item, self._signal, self.lead, self.result, self.error = item, threading.Lock(), False, None, None
        self._signal.acquire()

    def wait(self) -> None:
        self._signal.acquire()

    def wake(self) -> None:
        self._signal.release()


class GroupCommit:
    """Leader/follower group commit: the thread that finds no write in progress writes every item queued
    so far in one transaction; the others wait until the transaction holding their item has committed.
    One commit (and, with synchronous=FULL, one fsync) serves a whole batch; no thread answers early."""

    def __init__(self, write: Callable[[list], list], gate=None):
        self._write = write  # items -> one result (or exception) per item, committed together (or it raises)
        self._gate = gate if gate is not None else contextlib.nullcontext()  # other processes' writers
        self._mutex = threading.Lock()
        self._queue: list[_Waiter] = []
        self._busy = False

    def submit(self, item) -> Any:
        me = _Waiter(item)
        with self._mutex:
            self._queue.append(me)
            lead, self._busy = not self._busy, True
        if not lead:
            me.wait()
            if not me.lead:
                if me.error is not None:
                    raise me.error
                return me.result
        batch = [me]
        try:
            # Take the batch only once the other processes' writer is done: everything that queued while
            # we waited joins this commit (bigger batches, fewer fsyncs).
            with self._gate:
                with self._mutex:
                    batch, self._queue = self._queue, []
                results = self._write([w.item for w in batch])
            for w, r in zip(batch, results):
                if isinstance(r, BaseException):
                    w.error = r
                else:
                    w.result = r
        except BaseException as exc:
            for w in batch:
                w.error = exc
        finally:
            for w in batch:
                if w is not me:
                    w.wake()
            with self._mutex:  # hand the lead to the first thread that queued meanwhile
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].wake()
                else:
                    self._busy = False
        if me.error is not None:
            raise me.error
        return me.result


class _FileLock:
    """Intake writers of one SQLite file (one per gunicorn process) queue on an flock beside it: a waiter
    wakes as soon as the lock is free, where SQLite's busy handler sleeps 1, 2, 5, 10... ms between tries."""

    def __init__(self, path: str):
        self.path, self._fd, self._pid = path, -1, -1

    def __enter__(self):
        if self._pid != os.getpid():  # opened after a fork: an inherited descriptor would share the lock
            self._fd, self._pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        fcntl.flock(self._fd, fcntl.LOCK_UN)


def _writer_lock(engine: Engine):
    db = engine.url.database if engine.dialect.name == "sqlite" else None
    if fcntl is None or not db or db == ":memory:" or db.startswith("file:"):
        return contextlib.nullcontext()
    return _FileLock(db + "-intake.lock")


def _wrap(exc: BaseException) -> BaseException:
    """DBAPI errors as SQLAlchemy's, which is what callers (and the 503 path) expect."""
    import sqlite3

    if isinstance(exc, sqlite3.IntegrityError):
        return IntegrityError("intake insert", None, exc)
    if isinstance(exc, sqlite3.Error):
        return OperationalError("intake insert", None, exc)
    return exc


_ROWS_PER_STATEMENT = 64  # 64 x 13 columns: far below SQLite's bound-parameter limit


class Intake:
    """Insert-or-skip of rows keyed by a UNIQUE column: `submit(row)` is True when this row claimed its key,
    False when the key was already stored; it returns only once the row's transaction has committed.
    One unique key and nothing else: every unique index is one more page written per row."""

    def __init__(self, engine: Engine, table: Table, key: str, columns: list[str]):
        self.engine, self._key, self._cols = engine, key, columns
        ins = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert(table)
        self._claim = ins.on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])
        # SQLite: the same statement, compiled once, on the intake's own DBAPI connection, without
        # SQLAlchemy's per-execute machinery (~100 us less CPU a delivery). Opened lazily per process.
        self._sql = str(self._claim.compile(dialect=engine.dialect, column_keys=columns))
        self._raw = engine.dialect.name == "sqlite"
        self._sql_n: dict[int, str] = {}
        self._owner, self._conn = None, None
        # One writer per process at a time already (the group commit); the lock queues the processes.
        self._group = GroupCommit(self.write_batch, gate=_writer_lock(engine))

    def submit(self, row: dict) -> bool:
        return self._group.submit(row)

    def write_batch(self, rows: list[dict]) -> list[bool | SQLAlchemyError]:
        """One transaction for the batch; if it fails, each row alone, so one bad row fails only itself."""
        try:
            return self._insert(rows)
        except SQLAlchemyError as exc:
            if len(rows) == 1:
                return [exc]
        return [self._insert_one(row) for row in rows]

    def _insert_one(self, row: dict) -> bool | SQLAlchemyError:
        try:
            return self._insert([row])[0]
        except SQLAlchemyError as exc:
            return exc

    def _insert(self, rows: list[dict]) -> list[bool]:
        first: dict[str, dict] = {}
        for row in rows:  # a redelivery inside the same batch is a duplicate of the first copy
            first.setdefault(row[self._key], row)
        fresh = self._insert_raw(list(first.values())) if self._raw else self._insert_orm(list(first.values()))
        return [row[self._key] in fresh and first.get(row[self._key]) is row for row in rows]

    def _insert_orm(self, rows: list[dict]) -> set[str]:
        with self.engine.begin() as conn:
            return set(conn.scalars(self._claim, rows))

    def _sql_for(self, n: int) -> str:
        """The claim for n rows in one statement: one call into SQLite (and one GIL release) per batch."""
        sql = self._sql_n.get(n)
        if sql is None:
            one = "(" + ", ".join("?" * len(self._cols)) + ")"
            assert self._sql.count(one) == 1, self._sql
            sql = self._sql_n[n] = self._sql.replace(one, ", ".join([one] * n))
        return sql

    def _insert_raw(self, rows: list[dict]) -> set[str]:
        conn = None
        try:
            if self._owner != (os.getpid(), self.engine):  # never a descriptor inherited through a fork
                self._conn, self._owner = None, None
                self._conn, self._owner = self.engine.raw_connection(), (os.getpid(), self.engine)  # engine's pragmas
            conn = self._conn.driver_connection
            fresh = set()
            for start in range(0, len(rows), _ROWS_PER_STATEMENT):
                chunk = rows[start : start + _ROWS_PER_STATEMENT]
                params = [row[c] for row in chunk for c in self._cols]
                fresh.update(key for (key,) in conn.execute(self._sql_for(len(chunk)), params).fetchall())
            conn.commit()
            return fresh
        except BaseException as exc:
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.rollback()
            self._owner = None  # reconnect next time rather than reuse a connection in doubt
            raise _wrap(exc) from exc
