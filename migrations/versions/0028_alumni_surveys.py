"""alumni outcome surveys: a program's surveys, each alumnus's invitation (the hash of its link's token) and answers

Revision ID: 0028_alumni_surveys
Revises: 0027_nudges
Create Date: 2026-12-03 13:03:37.514188

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028_alumni_surveys'
down_revision = '0027_nudges'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alumni_survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('at_one_year', sa.Boolean(), nullable=False),
    sa.Column('at_three_years', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_alumni_survey_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_alumni_survey_program_id_program'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alumni_survey'))
    )
    with op.batch_alter_table('alumni_survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alumni_survey_program_id'), ['program_id'], unique=False)

    op.create_table('alumni_survey_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('occasion', sa.Enum('one_year', 'three_years', 'on_demand', name='survey_occasion', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_alumni_survey_invitation_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['alumni_survey.id'], name=op.f('fk_alumni_survey_invitation_survey_id_alumni_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_alumni_survey_invitation_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alumni_survey_invitation')),
    sa.UniqueConstraint('survey_id', 'user_id', name=op.f('uq_alumni_survey_invitation_survey_id_user_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_alumni_survey_invitation_token_hash'))
    )
    with op.batch_alter_table('alumni_survey_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alumni_survey_invitation_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('ix_alumni_survey_invitation_due', ['survey_id', 'reminded_at', 'sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alumni_survey_invitation_user_id'), ['user_id'], unique=False)

    op.create_table('alumni_survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('practice_setting_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Enum('attending', 'leadership', 'educator', 'owner', 'training', 'research', 'not_practising', 'other', name='survey_position', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('certification_status', sa.Enum('certified', 'eligible', 'not_certified', name='survey_certification_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('certification_id', sa.Integer(), nullable=True),
    sa.Column('certification_year', sa.Integer(), nullable=True),
    sa.Column('academic_rank', sa.Enum('instructor', 'assistant_professor', 'associate_professor', 'professor', 'clinical_faculty', name='survey_academic_rank', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('publications', sa.Integer(), nullable=False),
    sa.Column('presentations', sa.Integer(), nullable=False),
    sa.Column('satisfaction', sa.Integer(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('anonymised', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('publications >= 0 AND presentations >= 0', name=op.f('ck_alumni_survey_response_output_not_negative')),
    sa.CheckConstraint('satisfaction BETWEEN 1 AND 5', name=op.f('ck_alumni_survey_response_satisfaction_1_to_5')),
    sa.ForeignKeyConstraint(['certification_id'], ['board_certification.id'], name=op.f('fk_alumni_survey_response_certification_id_board_certification'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_alumni_survey_response_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['practice_setting_id'], ['practice_setting.id'], name=op.f('fk_alumni_survey_response_practice_setting_id_practice_setting'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['alumni_survey.id'], name=op.f('fk_alumni_survey_response_survey_id_alumni_survey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_alumni_survey_response_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alumni_survey_response')),
    sa.UniqueConstraint('survey_id', 'user_id', name=op.f('uq_alumni_survey_response_survey_id_user_id'))
    )
    with op.batch_alter_table('alumni_survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alumni_survey_response_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alumni_survey_response_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_alumni_survey_response_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('alumni_survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alumni_survey_response_user_id'))
        batch_op.drop_index(batch_op.f('ix_alumni_survey_response_survey_id'))
        batch_op.drop_index(batch_op.f('ix_alumni_survey_response_cohort_id'))

    op.drop_table('alumni_survey_response')
    with op.batch_alter_table('alumni_survey_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alumni_survey_invitation_user_id'))
        batch_op.drop_index('ix_alumni_survey_invitation_due')
        batch_op.drop_index(batch_op.f('ix_alumni_survey_invitation_cohort_id'))

    op.drop_table('alumni_survey_invitation')
    with op.batch_alter_table('alumni_survey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alumni_survey_program_id'))

    op.drop_table('alumni_survey')
