"""a held thread whose opening post a moderator removed is itself removed (hidden, no replies)

Revision ID: 0016_thread_removed
Revises: 0015_member_sessions
Create Date: 2026-12-02 10:50:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_thread_removed'
down_revision = '0015_member_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('discussion_thread', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('discussion_thread', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
