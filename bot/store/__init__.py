"""Storage: SQLAlchemy tables and stores for webhook jobs, issues (routings, overrides, runs), reviews and convoys.

Also the Action's in-memory twin of `IssueStore` (memory.py), the measures' rollup and the Alembic migrations."""
