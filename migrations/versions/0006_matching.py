"""matching rounds

Revision ID: 0006_matching
Revises: 0005_mentorship
Create Date: 2026-11-23 23:55:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_matching'
down_revision = '0005_mentorship'
branch_labels = None
depends_on = None

TYPES = ('research', 'clinical', 'career', 'wellness')
ALGORITHMS = ('stable', 'optimal')


def upgrade():
    op.create_table('matching_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('type', sa.Enum(*TYPES, name='matching_round_type', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('algorithm', sa.Enum(*ALGORITHMS, name='matching_algorithm', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('status', sa.Enum('open', 'published', name='matching_round_status', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_run_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('max_choices BETWEEN 1 AND 20', name=op.f('ck_matching_round_max_choices_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_matching_round_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_round'))
    )
    with op.batch_alter_table('matching_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_round_status'), ['status'], unique=False)

    op.create_table('matching_round_cohort',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_matching_round_cohort_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['matching_round.id'], name=op.f('fk_matching_round_cohort_round_id_matching_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'cohort_id', name=op.f('pk_matching_round_cohort'))
    )
    with op.batch_alter_table('matching_round_cohort', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_round_cohort_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('matching_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.Enum('fellow', 'mentor', name='matching_side', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('accept_any', sa.Boolean(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity BETWEEN 0 AND 10', name=op.f('ck_matching_participant_capacity_range')),
    sa.ForeignKeyConstraint(['round_id'], ['matching_round.id'], name=op.f('fk_matching_participant_round_id_matching_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_matching_participant_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_participant')),
    sa.UniqueConstraint('round_id', 'user_id', name=op.f('uq_matching_participant_round_id_user_id'))
    )
    with op.batch_alter_table('matching_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_participant_user_id'), ['user_id'], unique=False)

    op.create_table('matching_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('fellow_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('fellow_rank', sa.Integer(), nullable=False),
    sa.Column('mentor_accepts', sa.Boolean(), nullable=False),
    sa.Column('mentor_rank', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['fellow_id'], ['user.id'], name=op.f('fk_matching_choice_fellow_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['user.id'], name=op.f('fk_matching_choice_mentor_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['matching_round.id'], name=op.f('fk_matching_choice_round_id_matching_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_choice')),
    sa.UniqueConstraint('round_id', 'fellow_id', 'mentor_id', name=op.f('uq_matching_choice_round_id_fellow_id_mentor_id'))
    )
    with op.batch_alter_table('matching_choice', schema=None) as batch_op:
        batch_op.create_index('ix_matching_choice_round_mentor', ['round_id', 'mentor_id'], unique=False)

    op.create_table('matching_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('fellow_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('pin', 'forbid', name='matching_override_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_matching_override_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['fellow_id'], ['user.id'], name=op.f('fk_matching_override_fellow_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['user.id'], name=op.f('fk_matching_override_mentor_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['matching_round.id'], name=op.f('fk_matching_override_round_id_matching_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_override')),
    sa.UniqueConstraint('round_id', 'fellow_id', 'mentor_id', name=op.f('uq_matching_override_round_id_fellow_id_mentor_id'))
    )
    with op.batch_alter_table('matching_override', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_override_round_id'), ['round_id'], unique=False)

    op.create_table('matching_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('algorithm', sa.Enum(*ALGORITHMS, name='matching_run_algorithm', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='matching_run_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('pairs', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['matching_round.id'], name=op.f('fk_matching_run_round_id_matching_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], name=op.f('fk_matching_run_started_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_run'))
    )
    with op.batch_alter_table('matching_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_matching_run_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_matching_run_status'), ['status'], unique=False)


def downgrade():
    op.drop_table('matching_run')
    op.drop_table('matching_override')
    op.drop_table('matching_choice')
    op.drop_table('matching_participant')
    op.drop_table('matching_round_cohort')
    op.drop_table('matching_round')
