"""search: the index is built from each model's declared document, so the stored copies of it go; the
directory's version lives with the other cache versions (0019), so its own one-row table goes too

Revision ID: 0020_search
Revises: 0019_cache_versions
Create Date: 2026-12-02 14:00:00.000000
"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_search'
down_revision = '0019_cache_versions'
branch_labels = None
depends_on = None

TABLES = ('profile', 'opportunity')


def upgrade():
    # Plain ALTER TABLE, never a batch copy: on SQLite a copy drops the old table, and its ON DELETE CASCADE
    # would empty every profile's interests and certifications and every opportunity's tags and answers.
    # (The index keeps its rows: FTS5 tables and tsvector columns hold the words themselves.)
    for table in TABLES:
        op.execute(f'ALTER TABLE {table} DROP COLUMN search_document')
    op.drop_table('search_index_state')


def downgrade():
    state = op.create_table('search_index_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_index_state'))
    )
    op.bulk_insert(state, [{'id': 1, 'version': uuid.uuid4().hex}])
    # The old code reads the copies only to rebuild the index, which stays as it is: empty copies will do.
    for table in TABLES:
        op.add_column(table, sa.Column('search_document', sa.Text(), nullable=False, server_default=''))
