"""Alembic environment: always called by bot.store.migrate with an open connection (under its lock)."""

from alembic import context

from bot.store.migrate import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata(), render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
