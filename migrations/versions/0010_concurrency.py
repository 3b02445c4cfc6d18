"""edit conflicts: version counters on posts and profiles

Posts have carried a version since 0002; profiles get theirs here. The edit form
sends the version it was opened at and a save over a newer one is refused.
Replies carry the one-time key of the form that made them, unique per author,
so a form sent twice makes one post.

Revision ID: 0010_concurrency
Revises: 0009_security
Create Date: 2026-11-23 23:55:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_concurrency'
down_revision = '0009_security'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('discussion_post', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=43), nullable=True))
        batch_op.create_unique_constraint('uq_discussion_post_author_id_submission_key',
                                          ['author_id', 'submission_key'])


def downgrade():
    with op.batch_alter_table('discussion_post', schema=None) as batch_op:
        batch_op.drop_constraint('uq_discussion_post_author_id_submission_key', type_='unique')
        batch_op.drop_column('submission_key')
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.drop_column('version')
