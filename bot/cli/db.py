"""`model-router db upgrade|current|prune`: schema migrations and retention, from DATABASE_URL alone."""

from __future__ import annotations

import os

from bot.cli import UsageError


def add_parser(sub) -> None:
    p = sub.add_parser("db", help="database schema (migrations) and retention")
    dsub = p.add_subparsers(dest="db_command", required=True)
    dsub.add_parser("upgrade", help="migrate the database to the latest schema (also done at start-up)").set_defaults(func=upgrade)
    dsub.add_parser("current", help="print the schema revision of the database").set_defaults(func=current)
    pr = dsub.add_parser("prune", help="delete finished jobs older than MODEL_ROUTER_RETENTION_DAYS (default 14)")
    pr.add_argument("--days", type=float, help="retention in days (default: MODEL_ROUTER_RETENTION_DAYS or 14)")
    pr.set_defaults(func=prune)


def missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite store that does not exist yet (None for other stores or in-memory ones)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # make_engine reports the bad URL
    path = parsed.database
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:" or path.startswith("file:"):
        return None
    return None if os.path.exists(path) else path


def engine_from_env(*, existing: bool = False):
    """The store the service uses (DATABASE_URL, default the SQLite file), without needing its credentials.
    `existing`: refuse a SQLite file that is not there (a read never leaves an empty store behind)."""
    from bot.store.db import DEFAULT_URL, make_engine

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    missing = missing_sqlite_file(url) if existing else None
    if missing:
        raise UsageError(f"no job store at {missing} (DATABASE_URL={url}): the service creates it when it first "
                         "starts; point DATABASE_URL at the service's store")
    return make_engine(url)


def upgrade(args) -> int:
    from bot.store.migrate import upgrade as run

    engine = engine_from_env()
    try:
        before, after = run(engine)
    finally:
        engine.dispose()
    print(f"database at {after}" + ("" if before == after else f" (was {before or 'unversioned'})"))
    return 0


def current(args) -> int:
    from bot.store.migrate import current as rev, head

    engine = engine_from_env(existing=True)
    try:
        at = rev(engine)
    finally:
        engine.dispose()
    print(f"{at or 'unversioned'} (latest {head()})")
    return 0


def prune(args) -> int:
    from bot.store.tables import init_db
    from bot.store.job_admin import prune as run
    from bot.store.jobs import JobQueue

    days = args.days if args.days is not None else float(os.environ.get("MODEL_ROUTER_RETENTION_DAYS") or 14)
    engine = engine_from_env(existing=True)
    try:
        init_db(engine)
        print(f"pruned {run(JobQueue(engine), days)} finished job(s) older than {days:g} days")
    finally:
        engine.dispose()
    return 0
