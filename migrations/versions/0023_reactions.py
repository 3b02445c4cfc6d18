"""reactions: members mark posts helpful (one per member and post); a thread's accepted answer

Revision ID: 0023_reactions
Revises: 0022_api_tokens
Create Date: 2026-12-03 10:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023_reactions'
down_revision = '0022_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('discussion_reaction',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['discussion_post.id'], name=op.f('fk_discussion_reaction_post_id_discussion_post'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_discussion_reaction_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'user_id', name=op.f('pk_discussion_reaction'))
    )
    with op.batch_alter_table('discussion_reaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discussion_reaction_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('discussion_thread', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_post_id', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('discussion_thread', schema=None) as batch_op:
        batch_op.drop_column('answer_post_id')

    with op.batch_alter_table('discussion_reaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discussion_reaction_user_id'))

    op.drop_table('discussion_reaction')
