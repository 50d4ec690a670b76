"""jobs: one unique key, the body's digest; the finished-jobs index holds finished rows only

Every index is a page written per delivery on the acknowledgement's path. A redelivery carries the body
GitHub stored and its signature, so the body's digest (0005) already refuses it: the unique delivery id
goes (the id stays, a plain column). The column is renamed `body_digest`: it now holds the delivery's
verified X-Hub-Signature-256 (HMAC-SHA256 of the body), which names the signed body without hashing it
a second time. Rows from before 0005 have none and are not deduplicated against (they are pruned after
the retention).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FINISHED_ONLY = sa.text("finished_at IS NOT NULL")
# SQLite reflects the unnamed UNIQUE (delivery_id) without a name: the convention names it to drop it
NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    insp = sa.inspect(op.get_bind())
    uniques = {tuple(u["column_names"]): u["name"] or "" for u in insp.get_unique_constraints("jobs")}
    rename = "body_sha256" in {c["name"] for c in insp.get_columns("jobs")}  # else create_all made it so
    finished = next((i for i in insp.get_indexes("jobs") if i["name"] == "ix_jobs_status_finished"), None)
    with op.batch_alter_table("jobs", naming_convention=NAMES) as batch_op:
        if ("delivery_id",) in uniques:
            batch_op.drop_constraint(uniques[("delivery_id",)] or "uq_jobs_delivery_id", type_="unique")
        if rename:
            if ("body_sha256",) in uniques:
                batch_op.drop_constraint(uniques[("body_sha256",)] or "uq_jobs_body_sha256", type_="unique")
            batch_op.alter_column("body_sha256", new_column_name="body_digest", existing_type=sa.String(64),
                                  existing_nullable=True)
        if finished is not None:
            batch_op.drop_index("ix_jobs_status_finished")
        batch_op.create_index("ix_jobs_status_finished", ["status", "finished_at"], unique=False,
                              sqlite_where=FINISHED_ONLY, postgresql_where=FINISHED_ONLY)
    if ("body_digest",) not in uniques:
        with op.batch_alter_table("jobs") as batch_op:  # a constraint on the renamed column: after the rename
            batch_op.create_unique_constraint("uq_jobs_body_digest", ["body_digest"])


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.drop_index("ix_jobs_status_finished")
        batch_op.create_index("ix_jobs_status_finished", ["status", "finished_at"], unique=False)
        batch_op.drop_constraint("uq_jobs_body_digest", type_="unique")
        batch_op.alter_column("body_digest", new_column_name="body_sha256", existing_type=sa.String(64),
                              existing_nullable=True)
    with op.batch_alter_table("jobs") as batch_op:
        batch_op.create_unique_constraint("uq_jobs_body_sha256", ["body_sha256"])
        batch_op.create_unique_constraint("uq_jobs_delivery_id", ["delivery_id"])
