"""pytest fixtures for the scale-out mode: `pg_engine`, an engine on the local PostgreSQL in a throwaway schema.

The server is 127.0.0.1:5432, database `test` (override with MODEL_ROUTER_TEST_PG). When it is not
reachable the test is skipped and says why; each test gets its own schema, dropped afterwards, so
parallel runs never share tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, text

PG_URL = os.environ.get("MODEL_ROUTER_TEST_PG", "postgresql://127.0.0.1:5432/test")


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    from bot.store.db import make_engine
    from bot.store.tables import init_db

    pytest.importorskip("psycopg", reason="the PostgreSQL driver (psycopg) is not installed")
    admin = make_engine(PG_URL)
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server here"
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {str(exc).splitlines()[0][:200]}")
    schema = f"mr_test_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL)

    @event.listens_for(engine, "connect")
    def _search_path(dbapi_conn, _record):
        with dbapi_conn.cursor() as cur:
            cur.execute(f'SET search_path TO "{schema}"')
        dbapi_conn.commit()

    init_db(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
