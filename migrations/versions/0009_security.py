"""two-factor sign-in and session security

Revision ID: 0009_security
Revises: 0008_cohorts
Create Date: 2026-11-23 23:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_security'
down_revision = '0008_cohorts'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
