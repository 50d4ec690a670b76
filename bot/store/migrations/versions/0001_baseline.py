"""baseline: every table as create_all made it before migrations

Revision ID: 0001
Revises: (none)
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('command_replies',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('repo', sa.String(length=200), nullable=False),
    sa.Column('comment_id', sa.BigInteger(), nullable=False),
    sa.Column('reply_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('repo', 'comment_id', name='uq_command_reply')
    )
    op.create_table('executor_dispatches',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('dispatch_id', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('repo', sa.String(length=200), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('routing_id', sa.String(length=32), nullable=True),
    sa.Column('comment_id', sa.BigInteger(), nullable=True),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('complexity', sa.String(length=16), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('estimated_cost_usd', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('run_id', sa.BigInteger(), nullable=True),
    sa.Column('run_url', sa.String(length=500), nullable=True),
    sa.Column('conclusion', sa.String(length=32), nullable=True),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('actual_cost_usd', sa.Float(), nullable=True),
    sa.Column('num_turns', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('followed_up', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dispatch_id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('executor_dispatches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_executor_dispatches_repo'), ['repo'], unique=False)
        batch_op.create_index(batch_op.f('ix_executor_dispatches_run_id'), ['run_id'], unique=False)

    op.create_table('jobs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('delivery_id', sa.String(length=128), nullable=False),
    sa.Column('event', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=True),
    sa.Column('installation_id', sa.BigInteger(), nullable=True),
    sa.Column('repo', sa.String(length=255), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=True),
    sa.Column('lane', sa.String(length=300), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('run_after', sa.Float(), nullable=False),
    sa.Column('lease_until', sa.Float(), nullable=True),
    sa.Column('worker', sa.String(length=128), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('finished_at', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('delivery_id')
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_lane_status', ['lane', 'status', 'id'], unique=False)
        batch_op.create_index('ix_jobs_status_run_after', ['status', 'run_after'], unique=False)

    op.create_table('repo_config_versions',
    sa.Column('repo', sa.String(length=255), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('repo')
    )
    op.create_table('review_overrides',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('repo', sa.String(length=200), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('head_sha', sa.String(length=64), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_overrides_repo'), ['repo'], unique=False)

    op.create_table('review_records',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('repo', sa.String(length=200), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('head_sha', sa.String(length=64), nullable=False),
    sa.Column('base_sha', sa.String(length=64), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('verdict', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('chunks', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('cost_usd', sa.Float(), nullable=True),
    sa.Column('trigger', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('review_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_records_repo'), ['repo'], unique=False)

    op.create_table('routing_overrides',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('repo', sa.String(length=200), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=16), nullable=False),
    sa.Column('old', sa.String(length=32), nullable=True),
    sa.Column('new', sa.String(length=32), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('routing_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_overrides_repo'), ['repo'], unique=False)

    op.create_table('routing_records',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('routing_id', sa.String(length=32), nullable=False),
    sa.Column('repo', sa.String(length=200), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('complexity', sa.String(length=16), nullable=False),
    sa.Column('strategy', sa.String(length=32), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('estimated_cost_usd', sa.Float(), nullable=False),
    sa.Column('baseline_cost_usd', sa.Float(), nullable=False),
    sa.Column('auto_tier', sa.String(length=16), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('decision', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('repo', 'number', name='uq_routing_issue'),
    sa.UniqueConstraint('routing_id')
    )
    with op.batch_alter_table('routing_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_routing_records_repo'), ['repo'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('routing_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_records_repo'))

    op.drop_table('routing_records')
    with op.batch_alter_table('routing_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_routing_overrides_repo'))

    op.drop_table('routing_overrides')
    with op.batch_alter_table('review_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_records_repo'))

    op.drop_table('review_records')
    with op.batch_alter_table('review_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_overrides_repo'))

    op.drop_table('review_overrides')
    op.drop_table('repo_config_versions')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_status_run_after')
        batch_op.drop_index('ix_jobs_lane_status')

    op.drop_table('jobs')
    with op.batch_alter_table('executor_dispatches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_executor_dispatches_run_id'))
        batch_op.drop_index(batch_op.f('ix_executor_dispatches_repo'))

    op.drop_table('executor_dispatches')
    op.drop_table('command_replies')
