"""executor_dispatches.changed_at: when a run's row last changed after it finished (its PR's outcome, a score)

What a run's pull request says, or a person's `/rate`, can arrive days after the run completed; the dashboard's
rollup cache finds the groups to recompute by indexed time columns, so such a change needs one of its own.
Existing rows have none (they are counted as of their completion).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

INDEX = "ix_dispatch_changed"


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "changed_at" not in {c["name"] for c in inspector.get_columns("executor_dispatches")}:  # create_all may have
        with op.batch_alter_table("executor_dispatches") as batch_op:
            batch_op.add_column(sa.Column("changed_at", sa.DateTime(), nullable=True))
    if INDEX not in {i["name"] for i in inspector.get_indexes("executor_dispatches")}:
        op.create_index(INDEX, "executor_dispatches", ["changed_at"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="executor_dispatches")
    with op.batch_alter_table("executor_dispatches") as batch_op:
        batch_op.drop_column("changed_at")
