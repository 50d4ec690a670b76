"""executor_dispatches: a person's quality score of each run (`/rate 1-5`), who gave it, a bounded note, when (#21)

One score per run, a later `/rate` replaces it, so the columns sit on the run's own row. Existing runs
have no score.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = (
    ("score", sa.Integer()),
    ("score_by", sa.String(100)),
    ("score_note", sa.String(300)),
    ("scored_at", sa.DateTime()),
)


def upgrade() -> None:
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("executor_dispatches")}
    missing = [(name, kind) for name, kind in COLUMNS if name not in have]  # create_all may have made them
    if not missing:
        return
    with op.batch_alter_table("executor_dispatches") as batch_op:
        for name, kind in missing:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("executor_dispatches") as batch_op:
        for name, _kind in reversed(COLUMNS):
            batch_op.drop_column(name)
