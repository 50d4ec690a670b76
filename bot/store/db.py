"""One SQLAlchemy engine per process: SQLite file by default, PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker

DEFAULT_URL = "sqlite:///model-router.db"


class Base(DeclarativeBase):
    pass


def make_engine(url: str | None = None, *, sqlite_synchronous: str = "FULL") -> Engine:
    """`sqlite_synchronous`: FULL fsyncs every commit; NORMAL (WAL) survives a killed process, not a power cut."""
    url = make_engine_url(url or DEFAULT_URL)
    if url.startswith("sqlite"):
        synchronous = {"FULL": "FULL", "NORMAL": "NORMAL"}[sqlite_synchronous.upper()]  # never free text in SQL
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # WAL lets the web process and workers share the file
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.close()

    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def unreachable(url: str, exc: BaseException) -> str:
    """One line for a store that cannot be opened at start-up: which one and why, never the password."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    parsed = make_url(make_engine_url(url))
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason_line = reason[0][:200] if reason else type(exc).__name__
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if parsed.database and not path.parent.exists():
            return f"DATABASE_URL: the SQLite file's directory {path.parent} does not exist"
        return f"DATABASE_URL: cannot open the SQLite file {path} ({reason_line})"
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"
    return f"DATABASE_URL: cannot connect to PostgreSQL at {where} ({reason_line})"


def make_engine_url(url: str) -> str:
    """The SQLAlchemy URL for DATABASE_URL (postgres:// and postgresql:// get the psycopg driver)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def row_dict(obj: Base) -> dict:
    """An ORM row as a plain dict of its columns (what stores hand to handlers)."""
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)
