"""One SQLAlchemy engine per process: SQLite file by default, PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker

DEFAULT_URL = "sqlite:///model-router.db"


class Base(DeclarativeBase):
    pass


def make_engine(url: str | None = None, *, sqlite_synchronous: str = "FULL") -> Engine:
    """`sqlite_synchronous`: FULL fsyncs every commit; NORMAL (WAL) survives a killed process, not a power cut."""
    url = url or DEFAULT_URL
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
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


def row_dict(obj: Base) -> dict:
    """An ORM row as a plain dict of its columns (what stores hand to handlers)."""
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)
