"""`model-router db upgrade|current|prune`: schema migrations and retention, from DATABASE_URL alone."""

from __future__ import annotations

import os


def add_parser(sub) -> None:
    p = sub.add_parser("db", help="database schema (migrations) and retention")
    dsub = p.add_subparsers(dest="db_command", required=True)
    dsub.add_parser("upgrade", help="migrate the database to the latest schema (also done at start-up)").set_defaults(func=upgrade)
    dsub.add_parser("current", help="print the schema revision of the database").set_defaults(func=current)
    pr = dsub.add_parser("prune", help="delete finished jobs older than MODEL_ROUTER_RETENTION_DAYS (default 14)")
    pr.add_argument("--days", type=float, help="retention in days (default: MODEL_ROUTER_RETENTION_DAYS or 14)")
    pr.set_defaults(func=prune)


def engine_from_env():
    """The store the service uses (DATABASE_URL, default the SQLite file), without needing its credentials."""
    from bot.store.db import DEFAULT_URL, make_engine

    return make_engine(os.environ.get("DATABASE_URL") or DEFAULT_URL)


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

    engine = engine_from_env()
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
    engine = engine_from_env()
    try:
        init_db(engine)
        print(f"pruned {run(JobQueue(engine), days)} finished job(s) older than {days:g} days")
    finally:
        engine.dispose()
    return 0
