"""Schema migrations with Alembic: `upgrade(engine)` brings any database to the head revision, under a lock.

Run by `model-router db upgrade` and at every start-up (each process; the lock makes the others wait):
an advisory lock on PostgreSQL, an flock beside the file on SQLite. A brand-new database gets
`create_all` plus a stamp (Alembic's advice, and fast for tests); a database that `create_all` made
before migrations existed is stamped at the baseline (0001) and upgraded from there.
"""

from __future__ import annotations

import contextlib
import os
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text

from bot.store import convoy_rows, issue_rows, job_rows, review_claims, reviews  # noqa: F401  (their tables join Base.metadata)
from bot.store.db import Base

BASELINE = "0001"
LOCK_KEY = 0x6D6F64656C  # pg_advisory_xact_lock key: "model" — one migrator at a time per database
HERE = Path(__file__).resolve().parent / "migrations"


def metadata() -> MetaData:
    """Every table the store owns: what the head migration makes (tests/test_store_migrations.py checks it)."""
    return Base.metadata


def _config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


@lru_cache(maxsize=1)
def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    return script().get_current_head()


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextlib.contextmanager
def _file_lock(engine: Engine):
    db = engine.url.database
    if engine.dialect.name != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
        yield
        return
    import fcntl

    fd = os.open(db + "-migrate.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to head; returns (revision before, revision after)."""
    with _file_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})  # released at commit
        ctx = MigrationContext.configure(conn)
        before, target = ctx.get_current_revision(), head()
        if before == target:
            return before, target
        if before is None:
            ours = set(metadata().tables)
            if not ours & set(inspect(conn).get_table_names()):
                metadata().create_all(conn)  # brand new: the models are the head schema (checked by a test)
                ctx.stamp(script(), target)
                return None, target
            ctx.stamp(script(), BASELINE)  # made by create_all before migrations: today's schema is 0001
        command.upgrade(_config(conn), "head")
        return before, target
