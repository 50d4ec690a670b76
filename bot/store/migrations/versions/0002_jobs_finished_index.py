"""jobs: index (status, finished_at) for retention pruning and `jobs list --failed`

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "ix_jobs_status_finished" in {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("jobs")}:
        return  # a database create_all made with this index already (stamped at the baseline)
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.create_index("ix_jobs_status_finished", ["status", "finished_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.drop_index("ix_jobs_status_finished")
