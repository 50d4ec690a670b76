"""review_records.created_at indexed: `/metrics` keeps the review gate's spend per process and reads only the reviews
written since its last scrape (bot.store.spend), which needs the time column indexed, as the runs' completed_at is

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

INDEX = "ix_review_created"


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if INDEX not in {i["name"] for i in inspector.get_indexes("review_records")}:  # create_all may have made it
        op.create_index(INDEX, "review_records", ["created_at"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="review_records")
