"""executor_dispatches.unconfirmed_at: when a dispatch GitHub answered with a transient error was first sent

GitHub sometimes answers a workflow dispatch with a 5xx after it created the run, and a dispatch has no
idempotency key; the time lets the retry look for a run that attempt started (its run-name carries the
dispatch id) instead of starting a second one. Existing rows have none (a retry of one dispatches as before).

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "unconfirmed_at" not in {c["name"] for c in inspector.get_columns("executor_dispatches")}:  # create_all may have
        with op.batch_alter_table("executor_dispatches") as batch_op:
            batch_op.add_column(sa.Column("unconfirmed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("executor_dispatches") as batch_op:
        batch_op.drop_column("unconfirmed_at")
