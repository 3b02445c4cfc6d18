"""the cache's named versions (network/cache.py), in place of the mentor pool's own version row

Revision ID: 0019_cache_versions
Revises: 0018_matching_review
Create Date: 2027-01-10 09:00:00.000000

"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_cache_versions'
down_revision = '0018_matching_review'
branch_labels = None
depends_on = None

#: One row per ``network.cache.Version``: a version without its row keeps nothing.
NAMES = ('mentor-pool', 'directory', 'vocabulary')


def upgrade():
    versions = op.create_table('cache_version',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_version'))
    )
    op.bulk_insert(versions, [{'name': name, 'version': uuid.uuid4().hex} for name in NAMES])
    op.drop_table('mentor_pool_state')


def downgrade():
    state = op.create_table('mentor_pool_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_pool_state'))
    )
    op.bulk_insert(state, [{'id': 1, 'version': uuid.uuid4().hex}])
    op.drop_table('cache_version')
