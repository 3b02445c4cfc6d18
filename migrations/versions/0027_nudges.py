"""the weekly brief for program staff: one row per staff member and ISO week (what the cockpit showed then)

Revision ID: 0027_nudges
Revises: 0026_feeds
Create Date: 2026-12-03 13:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027_nudges'
down_revision = '0026_feeds'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_brief',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('mailed', sa.Boolean(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_staff_brief_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_brief')),
    sa.UniqueConstraint('user_id', 'week', name=op.f('uq_staff_brief_user_id_week'))
    )
    with op.batch_alter_table('staff_brief', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_brief_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('staff_brief', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_brief_user_id'))
    op.drop_table('staff_brief')
