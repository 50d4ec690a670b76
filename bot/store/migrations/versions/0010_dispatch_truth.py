"""executor_dispatches: what GitHub says about a run's work — its branch, its PR, the outcome state, time to merge (#21)

The executor's branch (claude-code-action's `branch_name`, read from the run's artifact) ties a run to its
pull request; the PR's checks and merge give the outcome state. Existing runs have none of them.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = (
    ("branch", sa.String(255)),
    ("pr_number", sa.Integer()),
    ("truth", sa.String(16)),
    ("time_to_merge_s", sa.Float()),
)
INDEX = "ix_dispatch_branch"


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    have = {c["name"] for c in inspector.get_columns("executor_dispatches")}
    missing = [(name, kind) for name, kind in COLUMNS if name not in have]  # create_all may have made them
    indexed = INDEX in {i["name"] for i in inspector.get_indexes("executor_dispatches")}
    if missing:
        with op.batch_alter_table("executor_dispatches") as batch_op:
            for name, kind in missing:
                batch_op.add_column(sa.Column(name, kind, nullable=True))
    if not indexed:
        op.create_index(INDEX, "executor_dispatches", ["repo", "branch"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="executor_dispatches")
    with op.batch_alter_table("executor_dispatches") as batch_op:
        for name, _kind in reversed(COLUMNS):
            batch_op.drop_column(name)
