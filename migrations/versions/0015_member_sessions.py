"""a row per signed-in device, so signing out ends the session on the server

Revision ID: 0015_member_sessions
Revises: 0014_mentor_pool
Create Date: 2026-11-25 10:00:00.000000

Session ids from before this revision carry no token: those members sign in once more.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_member_sessions'
down_revision = '0014_mentor_pool'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_agent', sa.String(length=80), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_member_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_member_session_token_hash'))
    )
    with op.batch_alter_table('member_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_session_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('member_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_session_user_id'))
    op.drop_table('member_session')
