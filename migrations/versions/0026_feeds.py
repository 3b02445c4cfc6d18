"""an index for a category's threads by latest activity (the Latest and Unread feeds filtered to a category)

Revision ID: 0026_feeds
Revises: 0025_drafts
Create Date: 2026-12-03 10:40:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026_feeds'
down_revision = '0025_drafts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('discussion_thread', schema=None) as batch_op:
        batch_op.create_index('ix_discussion_thread_category_recent', ['category_id', 'last_post_at', 'id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('discussion_thread', schema=None) as batch_op:
        batch_op.drop_index('ix_discussion_thread_category_recent')
