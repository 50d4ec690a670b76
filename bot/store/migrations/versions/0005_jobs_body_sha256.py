"""jobs: body_sha256, unique, so the same signed body under a new delivery id is queued once (#12)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if {"body_sha256", "body_digest"} & {c["name"] for c in sa.inspect(op.get_bind()).get_columns("jobs")}:
        return  # a database create_all made with this column (or its 0008 name) already, stamped at the baseline
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.add_column(sa.Column("body_sha256", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_jobs_body_sha256", ["body_sha256"])


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.drop_constraint("uq_jobs_body_sha256", type_="unique")
        batch_op.drop_column("body_sha256")
