"""matching review: a mentor's "no answer" is stored as such (NULL), and each round says how it counts

Revision ID: 0018_matching_review
Revises: 0017_registration_details
Create Date: 2026-12-02 12:45:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_matching_review'
down_revision = '0017_registration_details'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on matching_round, never a batch copy: on SQLite a copy drops the old table, and its
    # ON DELETE CASCADE would empty every round's participants, lists and runs.
    op.add_column('matching_round', sa.Column('no_answer_acceptable', sa.Boolean(), server_default=sa.true(),
                                              nullable=False))
    with op.batch_alter_table('matching_choice', schema=None) as batch_op:
        batch_op.alter_column('mentor_accepts', existing_type=sa.Boolean(), nullable=True)
    # Until now a fellow nobody answered for was stored as "not acceptable". In rounds still open, a mentor
    # who never saved a review never answered: their fellows become "no answer". A mentor who saved did
    # answer (the form sent every fellow), so their rows keep their meaning.
    op.execute(sa.text(
        "UPDATE matching_choice SET mentor_accepts = NULL "
        "WHERE mentor_accepts = :no AND mentor_rank IS NULL "
        "AND round_id IN (SELECT id FROM matching_round WHERE status = 'open') "
        "AND NOT EXISTS (SELECT 1 FROM audit_log WHERE audit_log.action = 'matching.review_saved' "
        "AND audit_log.target_type = 'matching_round' AND audit_log.target_id = matching_choice.round_id "
        "AND audit_log.actor_id = matching_choice.mentor_id)").bindparams(no=False))


def downgrade():
    op.execute(sa.text("UPDATE matching_choice SET mentor_accepts = :no WHERE mentor_accepts IS NULL")
               .bindparams(no=False))
    with op.batch_alter_table('matching_choice', schema=None) as batch_op:
        batch_op.alter_column('mentor_accepts', existing_type=sa.Boolean(), nullable=False)
    op.drop_column('matching_round', 'no_answer_acceptable')  # SQLite 3.35+ drops a column in place
