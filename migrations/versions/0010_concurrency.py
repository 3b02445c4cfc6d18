"""edit conflicts: version counters on posts and profiles

Revision ID: 0010_concurrency
Revises: 0009_security
Create Date: 2026-11-23 23:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_concurrency'
down_revision = '0009_security'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
