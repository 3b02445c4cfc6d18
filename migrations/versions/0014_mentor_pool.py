"""the version of the mentor pool, which keeps cached mentor recommendations fresh

Revision ID: 0014_mentor_pool
Revises: 0013_recent_threads
Create Date: 2026-11-24 03:10:00.000000

"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_mentor_pool'
down_revision = '0013_recent_threads'
branch_labels = None
depends_on = None


def upgrade():
    state = op.create_table('mentor_pool_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_pool_state'))
    )
    op.bulk_insert(state, [{'id': 1, 'version': uuid.uuid4().hex}])


def downgrade():
    op.drop_table('mentor_pool_state')
