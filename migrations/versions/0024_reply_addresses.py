"""reply by email: each member's signed reply address per thread, the members who stopped it, and the
outbox's Reply-To

Revision ID: 0024_reply_addresses
Revises: 0023_reactions
Create Date: 2026-12-03 10:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024_reply_addresses'
down_revision = '0023_reactions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reply_address',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['thread_id'], ['discussion_thread.id'],
                            name=op.f('fk_reply_address_thread_id_discussion_thread'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_reply_address_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_address')),
    sa.UniqueConstraint('user_id', 'thread_id', name=op.f('uq_reply_address_user_id_thread_id'))
    )
    with op.batch_alter_table('reply_address', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reply_address_thread_id'), ['thread_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reply_address_user_id'), ['user_id'], unique=False)

    op.create_table('reply_by_email_stop',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_reply_by_email_stop_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_reply_by_email_stop'))
    )
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_to', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.drop_column('reply_to')
    op.drop_table('reply_by_email_stop')
    with op.batch_alter_table('reply_address', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reply_address_user_id'))
        batch_op.drop_index(batch_op.f('ix_reply_address_thread_id'))
    op.drop_table('reply_address')
