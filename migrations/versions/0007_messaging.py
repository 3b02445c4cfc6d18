"""messaging, notification preferences, reminders

Revision ID: 0007_messaging
Revises: 0006_matching
Create Date: 2026-11-23 23:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_messaging'
down_revision = '0006_matching'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
