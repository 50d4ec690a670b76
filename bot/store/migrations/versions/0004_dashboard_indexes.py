"""dashboard: indexes for the rollup (routings per repository by time, per-issue runs and overrides) and for
what changed since the dashboard last looked (updated_at / created_at / completed_at)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = {
    "routing_records": [("ix_routing_repo_created", ["repo", "created_at"]), ("ix_routing_updated", ["updated_at"])],
    "routing_overrides": [("ix_override_issue", ["repo", "number"]), ("ix_override_created", ["created_at"])],
    "executor_dispatches": [("ix_dispatch_issue", ["repo", "number"]), ("ix_dispatch_created", ["created_at"]),
                            ("ix_dispatch_completed", ["completed_at"])],
}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table, indexes in INDEXES.items():
        have = {i["name"] for i in inspector.get_indexes(table)}  # create_all may have made them already
        missing = [(name, cols) for name, cols in indexes if name not in have]
        if missing:
            with op.batch_alter_table(table) as batch_op:
                for name, cols in missing:
                    batch_op.create_index(name, cols, unique=False)


def downgrade() -> None:
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table) as batch_op:
            for name, _ in indexes:
                batch_op.drop_index(name)
