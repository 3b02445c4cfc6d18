"""drafts: a member's unposted reply per thread; the "discussion-posts" cache version for live updates

Revision ID: 0025_drafts
Revises: 0024_reply_addresses
Create Date: 2026-12-03 10:00:00.000000

"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025_drafts'
down_revision = '0024_reply_addresses'
branch_labels = None
depends_on = None

#: The thread page's live updates answer "nothing new" while this version holds (network/discussions/live.py).
VERSION = 'discussion-posts'


def upgrade():
    op.create_table('discussion_draft',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['discussion_thread.id'],
                            name=op.f('fk_discussion_draft_thread_id_discussion_thread'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_discussion_draft_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'thread_id', name=op.f('pk_discussion_draft'))
    )
    with op.batch_alter_table('discussion_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discussion_draft_thread_id'), ['thread_id'], unique=False)
    versions = sa.table('cache_version', sa.column('name', sa.String), sa.column('version', sa.String))
    op.bulk_insert(versions, [{'name': VERSION, 'version': uuid.uuid4().hex}])


def downgrade():
    op.execute(sa.text("DELETE FROM cache_version WHERE name = :name").bindparams(name=VERSION))
    with op.batch_alter_table('discussion_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_draft_thread_id'))
    op.drop_table('discussion_draft')
