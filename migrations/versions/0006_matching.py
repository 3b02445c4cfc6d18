"""matching rounds

Revision ID: 0006_matching
Revises: 0005_mentorship
Create Date: 2026-11-23 23:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_matching'
down_revision = '0005_mentorship'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
