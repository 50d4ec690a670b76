"""Alembic migrations of every table (run by bot.store.migrate; one revision module per change in versions/)."""
