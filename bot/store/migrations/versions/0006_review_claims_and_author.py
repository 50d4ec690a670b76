"""review_claims (one review per commit at a time) and review_records.author (per-author limits) (#12)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    insp = sa.inspect(op.get_bind())
    if not insp.has_table("review_claims"):  # create_all may have made it (stamped at the baseline)
        op.create_table(
            "review_claims",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("repo", sa.String(length=200), nullable=False),
            sa.Column("number", sa.Integer(), nullable=False),
            sa.Column("head_sha", sa.String(length=64), nullable=False),
            sa.Column("claimed_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("repo", "number", "head_sha", name="uq_review_claim"),
        )
    if "author" not in {c["name"] for c in insp.get_columns("review_records")}:
        with op.batch_alter_table("review_records") as batch_op:
            batch_op.add_column(sa.Column("author", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_records") as batch_op:
        batch_op.drop_column("author")
    op.drop_table("review_claims")
