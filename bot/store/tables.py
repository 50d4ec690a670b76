"""Every table the store owns, in one metadata: importing this module registers them all."""

from __future__ import annotations

from sqlalchemy import Engine, MetaData

from bot.store import issue_rows, job_rows, reviews  # noqa: F401  (their tables join Base.metadata)
from bot.store.db import Base


def metadata() -> MetaData:
    """The models' schema: what the head migration makes (tests/test_store_migrations.py checks it)."""
    return Base.metadata


def init_db(engine: Engine) -> None:
    """Create or upgrade the schema to the latest migration (bot.store.migrate), under a lock."""
    from bot.store.migrate import upgrade

    upgrade(engine)
