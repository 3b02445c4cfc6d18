"""the version of the directory's full-text index; a "recently active" index for PostgreSQL

Revision ID: 0011_search_state
Revises: 0010_concurrency
Create Date: 2026-11-24 00:10:00.000000

"""
import uuid

import sqlalchemy as sa
from alembic import op

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
    if op.get_bind().dialect.name == 'postgresql':
        # "Recently active" sorts never-seen members last; an index in that order serves the page
        # (SQLite already puts NULL last in a descending scan of ix_user_status_last_seen_at).
        op.execute('CREATE INDEX ix_user_status_recent_first ON "user" '
                   '(status, last_seen_at DESC NULLS LAST, id DESC)')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX ix_user_status_recent_first')
    op.drop_table('search_index_state')
