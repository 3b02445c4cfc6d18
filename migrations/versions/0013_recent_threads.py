"""an index for the latest threads across categories (the home page)

Revision ID: 0013_recent_threads
Revises: 0012_request_once
Create Date: 2026-11-24 03:20:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_recent_threads'
down_revision = '0012_request_once'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('discussion_thread', schema=None) as batch_op:
        batch_op.create_index('ix_discussion_thread_recent', ['last_post_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('discussion_thread', schema=None) as batch_op:
        batch_op.drop_index('ix_discussion_thread_recent')
