"""one pending mentorship request per mentee, mentor and type

Revision ID: 0012_request_once
Revises: 0011_search_state
Create Date: 2026-11-24 01:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_request_once'
down_revision = '0011_search_state'
branch_labels = None
depends_on = None


def upgrade():
    # Older duplicates (a double click before this index existed) keep only the first request waiting.
    op.execute(
        "UPDATE mentorship_request SET status = 'withdrawn' WHERE status = 'pending' AND id NOT IN "
        "(SELECT min(id) FROM mentorship_request WHERE status = 'pending' GROUP BY mentee_id, mentor_id, type)"
    )
    with op.batch_alter_table('mentorship_request', schema=None) as batch_op:
        batch_op.create_index('uq_mentorship_request_pending', ['mentee_id', 'mentor_id', 'type'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))


def downgrade():
    with op.batch_alter_table('mentorship_request', schema=None) as batch_op:
        batch_op.drop_index('uq_mentorship_request_pending',
                            sqlite_where=sa.text("status = 'pending'"),
                            postgresql_where=sa.text("status = 'pending'"))
