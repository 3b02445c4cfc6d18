"""messaging, notification preferences, reminders

Direct messages (conversations, messages, blocks, reports, who may write), a delivery choice per group of
notifications (the single email_mode setting is carried over to every group, then dropped), the digest
flag on notifications, the unsubscribe address of outbox mails, and the reminder log.

Revision ID: 0007_messaging
Revises: 0006_matching
Create Date: 2026-11-23 23:55:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_messaging'
down_revision = '0006_matching'
branch_labels = None
depends_on = None

#: The notification groups at the time of this migration (network/notifications/kinds.py).
GROUPS = ("message", "mentorship", "discussion-mention", "discussion-reply", "opportunity", "cohort", "matching",
          "reminder", "other")
#: The old single setting → the new per-group delivery ("off" used to mean "no email, only on the site").
CARRIED_OVER = {"daily": "daily", "off": "in_app"}


def upgrade():
    op.create_table('reminder_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_log'))
    )
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_log_item', ['kind', 'target_id', 'sent_at'], unique=False)

    op.create_table('conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('low_member_id', sa.Integer(), nullable=False),
    sa.Column('high_member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_message_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_message_id', sa.Integer(), nullable=True),
    sa.Column('low_read_id', sa.Integer(), nullable=False),
    sa.Column('high_read_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('low_member_id < high_member_id', name=op.f('ck_conversation_ordered_pair')),
    sa.ForeignKeyConstraint(['high_member_id'], ['user.id'], name=op.f('fk_conversation_high_member_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['low_member_id'], ['user.id'], name=op.f('fk_conversation_low_member_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation')),
    sa.UniqueConstraint('low_member_id', 'high_member_id', name=op.f('uq_conversation_low_member_id_high_member_id'))
    )
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.create_index('ix_conversation_high_last', ['high_member_id', 'last_message_at'], unique=False)
        batch_op.create_index('ix_conversation_low_last', ['low_member_id', 'last_message_at'], unique=False)

    op.create_table('member_block',
    sa.Column('blocker_id', sa.Integer(), nullable=False),
    sa.Column('blocked_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['blocked_id'], ['user.id'], name=op.f('fk_member_block_blocked_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['blocker_id'], ['user.id'], name=op.f('fk_member_block_blocker_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('blocker_id', 'blocked_id', name=op.f('pk_member_block'))
    )
    with op.batch_alter_table('member_block', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_block_blocked_id'), ['blocked_id'], unique=False)

    op.create_table('messaging_setting',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('who_may_write', sa.Enum('anyone', 'connected', 'nobody', name='who_may_write', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_messaging_setting_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_messaging_setting'))
    )
    op.create_table('notification_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('group_key', sa.String(length=32), nullable=False),
    sa.Column('delivery', sa.Enum('in_app', 'immediate', 'daily', 'off', name='delivery', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_preference_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'group_key', name=op.f('pk_notification_preference'))
    )
    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_message_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sender_id'], ['user.id'], name=op.f('fk_message_sender_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message'))
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index('ix_message_conversation_id_id', ['conversation_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_sender_id'), ['sender_id'], unique=False)

    op.create_table('message_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum('open', 'dismissed', 'removed', name='report_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], name=op.f('fk_message_report_message_id_message'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['user.id'], name=op.f('fk_message_report_reporter_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_message_report_resolved_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_report')),
    sa.UniqueConstraint('message_id', 'reporter_id', name=op.f('uq_message_report_message_id_reporter_id'))
    )
    with op.batch_alter_table('message_report', schema=None) as batch_op:
        batch_op.create_index('ix_message_report_status_created', ['status', 'created_at'], unique=False)

    # Carry the old single mail setting over to every group ("immediate" is every group's default: no row).
    for old, new in CARRIED_OVER.items():
        for group in GROUPS:
            op.execute(sa.text(
                "INSERT INTO notification_preference (user_id, group_key, delivery) "
                "SELECT user_id, :group, :new FROM notification_setting WHERE email_mode = :old"
            ).bindparams(group=group, new=new, old=old))
    op.drop_table('notification_setting')

    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsubscribe_url', sa.String(length=500), nullable=True))

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('for_digest', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('for_digest')

    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.drop_column('unsubscribe_url')

    op.create_table('notification_setting',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email_mode', sa.Enum('immediate', 'daily', 'off', name='email_mode', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_setting_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_setting'))
    )
    # Back to one setting: the member's choice for replies decides (in_app and off → the old "off").
    op.execute(sa.text(
        "INSERT INTO notification_setting (user_id, email_mode) "
        "SELECT user_id, CASE delivery WHEN 'daily' THEN 'daily' WHEN 'immediate' THEN 'immediate' ELSE 'off' END "
        "FROM notification_preference WHERE group_key = 'discussion-reply'"))

    with op.batch_alter_table('message_report', schema=None) as batch_op:
        batch_op.drop_index('ix_message_report_status_created')
    op.drop_table('message_report')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_sender_id'))
        batch_op.drop_index('ix_message_conversation_id_id')
    op.drop_table('message')
    op.drop_table('notification_preference')
    op.drop_table('messaging_setting')
    with op.batch_alter_table('member_block', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_block_blocked_id'))
    op.drop_table('member_block')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_index('ix_conversation_low_last')
        batch_op.drop_index('ix_conversation_high_last')
    op.drop_table('conversation')
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_log_item')
    op.drop_table('reminder_log')
