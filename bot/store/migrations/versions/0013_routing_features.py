"""routing_records.features: the routed issue's hashed words (bot.routing.kinds.pack), so the text model learns

Kinds of work from the text (issue #22, item 3) learn from recorded Haiku outcomes joined with the words of the
issue they were on; the store keeps the sorted CRC-32 buckets of those words, packed (~2 bytes a feature), never
the text. Existing records have none: their runs teach the counts, not the words.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "features" not in {c["name"] for c in inspector.get_columns("routing_records")}:  # create_all may have
        with op.batch_alter_table("routing_records") as batch_op:
            batch_op.add_column(sa.Column("features", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("routing_records") as batch_op:
        batch_op.drop_column("features")
