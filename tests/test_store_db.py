"""The engine factory: SQLite pragmas in one place, PostgreSQL URLs normalised."""

from sqlalchemy import text

from bot.store.db import make_engine


def _pragma(engine, name):
    with engine.connect() as conn:
        return conn.execute(text(f"PRAGMA {name}")).scalar()


def test_sqlite_is_wal_and_fsyncs_every_commit_by_default(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    assert (_pragma(engine, "journal_mode"), _pragma(engine, "synchronous")) == ("wal", 2)  # 2 = FULL
    engine.dispose()


def test_sqlite_synchronous_normal_when_asked(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}", sqlite_synchronous="normal")
    assert _pragma(engine, "synchronous") == 1  # 1 = NORMAL
    engine.dispose()


def test_postgres_urls_use_psycopg():
    assert make_engine("postgres://u@127.0.0.1:1/db").url.drivername == "postgresql+psycopg"
