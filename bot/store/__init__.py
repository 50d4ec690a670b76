"""Storage: SQLAlchemy engine and tables for deliveries, jobs and routing experiments."""
