"""Alembic migrations: every table migrated, pre-migration databases upgraded without losing a row, under a lock."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, Integer, String, Text, inspect, select, text

from bot.store import migrate
from bot.store.db import make_engine
from bot.store.tables import init_db, metadata


def _value(col, i: int):
    t = col.type
    if isinstance(t, Boolean):
        return True
    if isinstance(t, (Integer, BigInteger)):
        return 1000 + i
    if isinstance(t, Float):
        return 1.5 + i
    if isinstance(t, DateTime):
        return datetime(2026, 11, 29, 12, 0, i)
    if isinstance(t, JSON):
        return {"kept": i}
    if isinstance(t, (String, Text)):
        return f"{col.name}-{i}"
    raise AssertionError(f"no sample value for {col.type!r}")


def _fill(engine, tables) -> dict[str, list[tuple]]:
    """Two rows in every table, every column set; returns what was written."""
    md = metadata()
    written = {}
    with engine.begin() as conn:
        for name in tables:
            table = md.tables[name]
            have = {c["name"] for c in inspect(conn).get_columns(name)}  # a legacy table lacks later columns
            rows = [{c.name: _value(c, i) for c in table.columns if c.name in have} for i in range(2)]
            conn.execute(table.insert(), rows)
            written[name] = sorted(have)
    with engine.connect() as conn:
        return {name: (cols, _rows(conn, name, cols)) for name, cols in written.items()}


def _rows(conn, name: str, cols: list[str]) -> list[tuple]:
    """The rows of a table in the columns the legacy table had (columns added later start empty)."""
    table = metadata().tables[name]
    return conn.execute(select(*(table.c[c] for c in cols)).order_by(*table.primary_key)).all()


def _as_before_migrations(engine) -> None:
    """What today's code made: the baseline tables, no alembic_version."""
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), migrate.BASELINE)
        conn.execute(text("DROP TABLE alembic_version"))


def _upgrade_loses_nothing(engine, make_legacy):
    make_legacy(engine)
    tables = [t for t in inspect(engine).get_table_names() if t in metadata().tables]
    assert "jobs" in tables and "routing_records" in tables
    before = _fill(engine, tables)
    assert migrate.current(engine) is None
    assert migrate.upgrade(engine) == (None, migrate.head())
    with engine.connect() as conn:
        for name, (cols, rows) in before.items():
            assert _rows(conn, name, cols) == rows, name
    assert migrate.current(engine) == migrate.head()
    assert migrate.upgrade(engine) == (migrate.head(), migrate.head())  # again: a no-op


def _diff(engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata())


@pytest.mark.parametrize("legacy", ["baseline", "create_all"])
def test_a_database_made_before_migrations_upgrades_and_keeps_every_row(tmp_path, legacy):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    _upgrade_loses_nothing(engine, _as_before_migrations if legacy == "baseline" else metadata().create_all)
    assert _diff(engine) == []
    engine.dispose()


def test_the_migrations_make_exactly_the_models_tables(tmp_path):
    """A table or column added to a model without a migration fails here."""
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "head")
    assert _diff(engine) == []
    engine.dispose()


def test_concurrent_start_ups_migrate_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'race.db'}"
    errors = []

    def start():
        engine = make_engine(url)
        try:
            init_db(engine)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine = make_engine(url)
    assert errors == [] and migrate.current(engine) == migrate.head()
    engine.dispose()


@pytest.mark.postgres
def test_postgres_upgrade_from_before_migrations_keeps_every_row(pg_engine):
    with pg_engine.begin() as conn:  # the fixture made it at head: take it back to a pre-migration database
        for table in reversed(metadata().sorted_tables):
            conn.execute(text(f'DROP TABLE "{table.name}"'))
        conn.execute(text("DROP TABLE alembic_version"))
    _upgrade_loses_nothing(pg_engine, _as_before_migrations)
    assert _diff(pg_engine) == []


def test_db_upgrade_command(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert main(["db", "upgrade"]) == 0
    assert f"at {migrate.head()}" in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    assert migrate.head() in capsys.readouterr().out


def test_the_classifier_spend_of_existing_records_is_kept(tmp_path):
    """0007 starts each record's classifier spend from what its stored decision says its call cost."""
    import json

    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0006")
        for i, decision in enumerate([{"classifier_cost_usd": 0.004}, {"classifier_cost_usd": 0.0}, {}]):
            conn.execute(text("INSERT INTO routing_records (routing_id, repo, number, tier, model, complexity, strategy, "
                              "confidence, estimated_cost_usd, baseline_cost_usd, source, decision, created_at, updated_at) "
                              "VALUES (:rid, 'o/r', :n, 'haiku', 'm', 'simple', 'llm', 0.9, 0.01, 0.03, 'auto', :d, "
                              "'2026-11-29 12:00:00', '2026-11-29 12:00:00')"), {"rid": f"r{i}", "n": i, "d": json.dumps(decision)})
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT classifier_usd FROM routing_records ORDER BY number")).scalars().all() == [0.004, 0.0, 0.0]
    engine.dispose()


def _jobs_keys(engine) -> tuple[list[list[str]], str | None]:
    """(the column lists of jobs' unique constraints, the finished-jobs index's WHERE clause or None)."""
    insp = inspect(engine)
    cols = [u["column_names"] for u in insp.get_unique_constraints("jobs")]
    cols += [i["column_names"] for i in insp.get_indexes("jobs") if i["unique"]]  # PostgreSQL lists both
    uniques = sorted(map(list, {tuple(c) for c in cols}))
    finished = next(i for i in insp.get_indexes("jobs") if i["name"] == "ix_jobs_status_finished")
    where = (finished.get("dialect_options") or {}).get(f"{engine.dialect.name}_where")
    if where is None and engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_jobs_status_finished'")).scalar()
        where = sql.split(" WHERE ", 1)[1] if " WHERE " in sql else None
    return uniques, str(where) if where is not None else None


def _one_key_after_0008(engine) -> None:
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0007")
        conn.execute(text("INSERT INTO jobs (delivery_id, body_sha256, event, lane, payload, status, attempts, run_after, "
                          "created_at) VALUES ('d-1', :h, 'issues', 'installation:1', '{}', 'queued', 0, 1.0, 1.0)"),
                     {"h": "a" * 64})
    assert _jobs_keys(engine)[0] == [["body_sha256"], ["delivery_id"]]
    migrate.upgrade(engine)
    uniques, where = _jobs_keys(engine)
    assert uniques == [["body_digest"]] and where is not None and "finished_at IS NOT NULL" in where
    with engine.begin() as conn:  # the id is a plain column now; the hash still refuses the same body
        conn.execute(text("INSERT INTO jobs (delivery_id, body_digest, event, lane, payload, status, attempts, run_after, "
                          "created_at) VALUES ('d-1', :h, 'issues', 'installation:1', '{}', 'queued', 0, 1.0, 1.0)"),
                     {"h": "b" * 64})
        assert conn.execute(text("SELECT count(*) FROM jobs")).scalar() == 2
        assert conn.execute(text("SELECT body_digest FROM jobs ORDER BY id")).scalars().all() == ["a" * 64, "b" * 64]
    assert _diff(engine) == []


def test_0008_leaves_the_body_hash_as_the_one_unique_key(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'k.db'}")
    _one_key_after_0008(engine)
    engine.dispose()


def _emptied(pg_engine):
    """The PostgreSQL fixture's database (made at head) with no table at all, to migrate from the start."""
    with pg_engine.begin() as conn:
        for table in reversed(metadata().sorted_tables):
            conn.execute(text(f'DROP TABLE "{table.name}"'))
        conn.execute(text("DROP TABLE alembic_version"))
    return pg_engine


@pytest.mark.postgres
def test_0008_on_postgres(pg_engine):
    _one_key_after_0008(_emptied(pg_engine))


def _run_columns_added(engine, before: str, columns: tuple[str, ...], write: str) -> None:
    """Upgrading from `before` adds `columns` to the runs: an existing run keeps every value and has none of them,
    `write` can set them, the tables match the models, and the downgrade drops them again."""
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), before)
        conn.execute(text("INSERT INTO executor_dispatches (dispatch_id, key, repo, number, mode, tier, model, complexity, "
                          "attempt, estimated_cost_usd, status, \"by\", created_at, followed_up) VALUES ('d.1', 'k', 'o/r', 1, "
                          "'execute', 'haiku', 'm', 'simple', 1, 0.5, 'success', '', '2026-11-29 12:00:00', false)"))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        row = conn.execute(text(f"SELECT status, {', '.join(columns)} FROM executor_dispatches")).one()
        assert tuple(row) == ("success", *[None] * len(columns))
        conn.execute(text(f"UPDATE executor_dispatches SET {write}"))
        assert conn.execute(text(f"SELECT {columns[0]} FROM executor_dispatches")).scalar() is not None
    assert _diff(engine) == []
    with engine.begin() as conn:  # and back down
        command.downgrade(migrate._config(conn), before)
    assert not set(columns) & {c["name"] for c in inspect(engine).get_columns("executor_dispatches")}


ADDED_RUN_COLUMNS = {
    # 0009: the human score of each run
    "0009": ("0008", ("score", "score_by", "score_note", "scored_at"), "score = 4, score_by = 'alice', score_note = 'ok'"),
    # 0010: a run's branch, PR, outcome state and time to merge
    "0010": ("0009", ("branch", "pr_number", "truth", "time_to_merge_s"),
             "branch = 'claude/issue-1', pr_number = 7, truth = 'merged', time_to_merge_s = 60"),
    # 0014: when a dispatch GitHub answered with a transient error was first sent
    "0014": ("0013", ("unconfirmed_at",), "unconfirmed_at = '2026-12-07 00:00:00'"),
}


@pytest.mark.parametrize("revision", sorted(ADDED_RUN_COLUMNS))
def test_a_migration_adds_run_columns(tmp_path, revision):
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    _run_columns_added(engine, *ADDED_RUN_COLUMNS[revision])
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("revision", sorted(ADDED_RUN_COLUMNS))
def test_a_migration_adds_run_columns_on_postgres(pg_engine, revision):
    _run_columns_added(_emptied(pg_engine), *ADDED_RUN_COLUMNS[revision])


def _routing_features_added(engine) -> None:
    """0013: an existing routing record keeps every value and has no features; they can be written, the tables match
    the models, and the downgrade drops the column again."""
    with engine.begin() as conn:
        command.upgrade(migrate._config(conn), "0012")
        conn.execute(text("INSERT INTO routing_records (routing_id, repo, number, tier, model, complexity, strategy, "
                          "confidence, estimated_cost_usd, baseline_cost_usd, source, decision, created_at, updated_at, "
                          "classifier_usd) VALUES ('r1', 'o/r', 1, 'haiku', 'm', 'simple', 'pattern', 0.8, 0.1, 0.2, "
                          "'auto', '{}', '2026-11-29 12:00:00', '2026-11-29 12:00:00', 0)"))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        assert tuple(conn.execute(text("SELECT tier, features FROM routing_records")).one()) == ("haiku", None)
        conn.execute(text("UPDATE routing_records SET features = 'AQID'"))
        assert conn.execute(text("SELECT features FROM routing_records")).scalar() == "AQID"
    assert _diff(engine) == []
    with engine.begin() as conn:
        command.downgrade(migrate._config(conn), "0012")
    assert "features" not in {c["name"] for c in inspect(engine).get_columns("routing_records")}
    assert migrate.upgrade(engine) == ("0012", migrate.head())  # and up again


def test_0013_keeps_the_issues_hashed_words_with_its_routing(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    _routing_features_added(engine)
    engine.dispose()


@pytest.mark.postgres
def test_0013_on_postgres(pg_engine):
    _routing_features_added(_emptied(pg_engine))
