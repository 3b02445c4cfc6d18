"""programs, cohorts, invitations, audit log

Revision ID: 0008_cohorts
Revises: 0007_messaging
Create Date: 2026-11-23 23:55:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_cohorts'
down_revision = '0007_messaging'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('program_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('director', 'coordinator', 'faculty', name='program_role', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_program_staff_program_id_program'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_program_staff_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_staff')),
    sa.UniqueConstraint('program_id', 'user_id', name=op.f('uq_program_staff_program_id_user_id'))
    )
    with op.batch_alter_table('program_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_staff_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_staff_user_id'), ['user_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('fellow', 'faculty', name='invitation_role', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('training_background_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('sent', 'accepted', 'revoked', 'expired', name='invitation_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['user.id'], name=op.f('fk_invitation_accepted_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_invitation_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'], name=op.f('fk_invitation_invited_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['training_background_id'], ['specialty.id'], name=op.f('fk_invitation_training_background_id_specialty'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitation_token_hash'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index('ix_invitation_cohort_status', ['cohort_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_email'), ['email'], unique=False)

    op.create_table('roster_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('previewed', 'imported', name='import_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_roster_import_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_roster_import_uploaded_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_import'))
    )
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_import_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('graduation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('graduated_by_id', sa.Integer(), nullable=True),
    sa.Column('graduated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_graduation_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['graduated_by_id'], ['user.id'], name=op.f('fk_graduation_graduated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_graduation'))
    )
    with op.batch_alter_table('graduation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_graduation_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('member_deactivation',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deactivated_by_id', sa.Integer(), nullable=True),
    sa.Column('previous_status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['deactivated_by_id'], ['user.id'], name=op.f('fk_member_deactivation_deactivated_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_member_deactivation_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_member_deactivation'))
    )

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ip', sa.String(length=45), nullable=True))
        batch_op.add_column(sa.Column('program_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_log_program_id'), ['program_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_log_program_id_program'), 'program', ['program_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_log_program_id_program'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_log_program_id'))
        batch_op.drop_column('program_id')
        batch_op.drop_column('ip')
    op.drop_table('member_deactivation')
    with op.batch_alter_table('graduation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_graduation_cohort_id'))
    op.drop_table('graduation')
    with op.batch_alter_table('roster_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_import_cohort_id'))
    op.drop_table('roster_import')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_email'))
        batch_op.drop_index('ix_invitation_cohort_status')
    op.drop_table('invitation')
    with op.batch_alter_table('program_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_staff_user_id'))
        batch_op.drop_index(batch_op.f('ix_program_staff_program_id'))
    op.drop_table('program_staff')
