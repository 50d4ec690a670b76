"""convoys: one row per parent issue (state, lease) and the sub-issue → parent index

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    have = set(sa.inspect(op.get_bind()).get_table_names())
    if "convoys" not in have:
        op.create_table(
            "convoys",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("repo", sa.String(length=200), nullable=False),
            sa.Column("parent", sa.Integer(), nullable=False),
            sa.Column("state", sa.JSON(), nullable=False),
            sa.Column("lease_owner", sa.String(length=40), nullable=True),
            sa.Column("lease_until", sa.DateTime(), nullable=True),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("repo", "parent", name="uq_convoy_parent"),
        )
        op.create_index(op.f("ix_convoys_repo"), "convoys", ["repo"], unique=False)
    if "convoy_tasks" not in have:
        op.create_table(
            "convoy_tasks",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("repo", sa.String(length=200), nullable=False),
            sa.Column("number", sa.Integer(), nullable=False),
            sa.Column("parent", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("repo", "number", name="uq_convoy_task_issue"),
        )


def downgrade() -> None:
    op.drop_table("convoy_tasks")
    op.drop_index(op.f("ix_convoys_repo"), table_name="convoys")
    op.drop_table("convoys")
