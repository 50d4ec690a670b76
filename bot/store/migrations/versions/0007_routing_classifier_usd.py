"""routing_records.classifier_usd: every LLM classifier call routing an issue cost, for the report (#11)

Existing records start from what their stored decision says its classifier call cost (the last call's).

Revision ID: 0007
Revises: 0006
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if "classifier_usd" in {c["name"] for c in sa.inspect(bind).get_columns("routing_records")}:
        return  # a database create_all made with this column already (stamped at the baseline)
    with op.batch_alter_table("routing_records") as batch_op:
        batch_op.add_column(sa.Column("classifier_usd", sa.Float(), nullable=False, server_default="0"))
    records = sa.table("routing_records", sa.column("id", sa.Integer), sa.column("decision", sa.JSON),
                       sa.column("classifier_usd", sa.Float))
    paid = []
    for rid, decision in bind.execute(sa.select(records.c.id, records.c.decision)):
        if isinstance(decision, str):
            decision = json.loads(decision)
        usd = (decision or {}).get("classifier_cost_usd") if isinstance(decision, dict) else None
        if isinstance(usd, (int, float)) and usd > 0:
            paid.append({"rid": rid, "usd": float(usd)})
    if paid:
        bind.execute(records.update().where(records.c.id == sa.bindparam("rid")).values(classifier_usd=sa.bindparam("usd")),
                     paid)


def downgrade() -> None:
    with op.batch_alter_table("routing_records") as batch_op:
        batch_op.drop_column("classifier_usd")
