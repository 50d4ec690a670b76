"""Every table the store owns, in one metadata: importing this module registers them all."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.store import issue_rows, jobs, reviews  # noqa: F401  (their tables join Base.metadata)
from bot.store.db import Base


def init_db(engine: Engine) -> None:
    """Create the tables that do not exist yet."""
    Base.metadata.create_all(engine)
