"""programs, cohorts, invitations, audit log

Revision ID: 0008_cohorts
Revises: 0007_messaging
Create Date: 2026-11-23 23:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_cohorts'
down_revision = '0007_messaging'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
