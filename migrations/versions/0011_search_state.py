"""the version of the directory's full-text index

Revision ID: 0011_search_state
Revises: 0010_concurrency
Create Date: 2026-11-24 00:10:00.000000

"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_search_state'
down_revision = '0010_concurrency'
branch_labels = None
depends_on = None


def upgrade():
    state = op.create_table('search_index_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_index_state'))
    )
    op.bulk_insert(state, [{'id': 1, 'version': uuid.uuid4().hex}])


def downgrade():
    op.drop_table('search_index_state')
