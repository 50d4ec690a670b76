"""Every table the store owns, in one metadata: importing this module registers them all."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.store.migrate import metadata, upgrade

__all__ = ["init_db", "metadata"]


def init_db(engine: Engine) -> None:
    """Create or upgrade the schema to the latest migration (bot.store.migrate), under a lock."""
    upgrade(engine)
