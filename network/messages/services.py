"""Conversations: who may write to whom, sending, read marks, blocks and reports."""

from __future__ import annotations

import logging

from sqlalchemy import Integer, Select, String, and_, bindparam, case, exists, func, or_, select, update
from sqlalchemy.orm import aliased, joinedload

from network.audit.models import record
from network.database import added_once, prebuilt
from network.extensions import db
from network.members.models import MemberSession, MemberStatus, User
from network.messages.models import (
    Conversation,
    MemberBlock,
    Message,
    MessageReport,
    MessagingSetting,
    ReportStatus,
    WhoMayWrite,
)
from network.notifications.models import Notification
from network.notifications.services import UNREAD_COUNTS, forget_unread_counts, mark_target_read, notify_members
from network.profiles.privacy import connected_member_ids
from network.text import phi_guard
from network.text.phi import without_phi
from network.types import utcnow

log = logging.getLogger(__name__)

MAX_BODY = 5000
PREVIEW = 140


class MessagingError(Exception):
    """A message or report refused, with the reason to show."""


class NotAllowed(MessagingError):
    """The sender may not write to this member (their choice or a block): 403 with the reason."""


class PatientIdentifiers(MessagingError):
    """The message looks like it identifies a patient: strong identifiers must go, weaker ones be confirmed."""

    def __init__(self, found: phi_guard.PhiCheck):
        super().__init__(found.message)
        self.found = found


def who_may_write(user_id: int) -> WhoMayWrite:
    """Who may start a conversation with the member (any verified member unless they chose)."""
    setting = db.session.get(MessagingSetting, user_id)
    return setting.who_may_write if setting else WhoMayWrite.ANYONE


def set_who_may_write(user_id: int, value: WhoMayWrite) -> None:
    """Save the member's choice of who may start a conversation with them."""
    setting = db.session.get(MessagingSetting, user_id)
    if setting is None:
        db.session.add(MessagingSetting(user_id=user_id, who_may_write=value))
    else:
        setting.who_may_write = value


def blocks_between(a_id: int, b_id: int) -> set[tuple[int, int]]:
    """The blocks between two members, as ``(blocker, blocked)`` pairs, in one query."""
    rows = db.session.execute(select(MemberBlock.blocker_id, MemberBlock.blocked_id).where(
        or_(and_(MemberBlock.blocker_id == a_id, MemberBlock.blocked_id == b_id),
            and_(MemberBlock.blocker_id == b_id, MemberBlock.blocked_id == a_id)))).all()
    return {tuple(row) for row in rows}


def block_reason(sender: User, recipient: User) -> str | None:
    """Why a block stops ``sender`` writing to ``recipient`` (either direction), or ``None``."""
    blocks = blocks_between(sender.id, recipient.id)
    if (sender.id, recipient.id) in blocks:
        return f"You blocked {recipient.name}. Unblock them in your message settings to write again."
    if (recipient.id, sender.id) in blocks:
        return f"{recipient.name} does not accept messages from you."
    return None


def is_connected(member_id: int, other_id: int) -> bool:
    """Whether ``other_id`` is one of ``member_id``'s mentors, mentees or program people."""
    connected = connected_member_ids(member_id).subquery()
    return db.session.scalar(select(exists().where(connected.c.user_id == other_id))) or False


def start_refusal(sender: User, recipient: User) -> str | None:
    """Why ``sender`` may not start a conversation with ``recipient``, or ``None`` when they may."""
    if sender.id == recipient.id:
        return "You cannot write to yourself."
    reason = block_reason(sender, recipient)
    if reason:
        return reason
    choice = who_may_write(recipient.id)
    if choice == WhoMayWrite.NOBODY:
        return f"{recipient.name} does not accept new conversations."
    if choice == WhoMayWrite.CONNECTED and not is_connected(recipient.id, sender.id):
        return (f"{recipient.name} accepts new conversations only from their mentors, mentees and the people "
                "of their program.")
    return None


def find_conversation(a_id: int, b_id: int) -> Conversation | None:
    """The pair's conversation, if they have one."""
    low, high = sorted((a_id, b_id))
    return db.session.scalar(select(Conversation).where(Conversation.low_member_id == low,
                                                        Conversation.high_member_id == high))


def _conversation_for(a_id: int, b_id: int) -> Conversation:
    """The pair's conversation, made if missing; two first messages at once still make only one."""
    conversation = find_conversation(a_id, b_id)
    if conversation is not None:
        return conversation
    low, high = sorted((a_id, b_id))
    conversation = Conversation(low_member_id=low, high_member_id=high)
    if not added_once(conversation):
        conversation = find_conversation(a_id, b_id)
    return conversation


def _clean(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise MessagingError("Write a message first.")
    if len(body) > MAX_BODY:
        raise MessagingError(f"A message can be at most {MAX_BODY} characters.")
    return body


def _guard(text: str, confirmed: bool) -> None:
    """A message no moderator reads is never sent with strong patient identifiers; weaker ones need the
    sender's confirmation."""
    found = phi_guard.check(text)
    if phi_guard.blocks(found, confirmed):
        raise PatientIdentifiers(found)


def start(sender: User, recipient: User, body: str, confirmed: bool = False) -> Message:
    """The first message to a member (or the next, if they already talk)."""
    _clean(body)
    conversation = find_conversation(sender.id, recipient.id)
    if conversation is None:
        reason = start_refusal(sender, recipient)
        if reason:
            raise NotAllowed(reason)
    return reply(sender, recipient, conversation or _conversation_for(sender.id, recipient.id), body, confirmed)


def reply(sender: User, recipient: User, conversation: Conversation, body: str, confirmed: bool = False) -> Message:
    """A message in an existing conversation: allowed unless either blocked the other."""
    reason = block_reason(sender, recipient)
    if reason:
        raise NotAllowed(reason)
    text = _clean(body)
    _guard(text, confirmed)
    message = Message(conversation_id=conversation.id, sender_id=sender.id, body=text)
    db.session.add(message)
    db.session.flush()
    conversation.last_message_at = message.created_at
    conversation.last_message_id = message.id
    _set_read(conversation, sender.id, message.id)
    # Notification titles and mails never carry what the detector flags, even confirmed.
    shown = without_phi(text)
    preview = shown if len(shown) <= PREVIEW else shown[:PREVIEW - 1].rstrip() + "…"
    if not _refresh_unread_notification(conversation, sender, recipient, preview):
        notify_members([recipient], "message-new", f"{sender.name} sent you a message: “{preview}”",
                       f"/messages/{conversation.id}", target_type="conversation", target_id=conversation.id,
                       mail_subject=f"New message from {sender.name}", mail_template="message_received",
                       sender=sender, body=preview)
    return message


def _refresh_unread_notification(conversation: Conversation, sender: User, recipient: User, preview: str) -> bool:
    """One notification (and so one mail) per conversation until the member reads it: a message that
    follows an unread one updates that notification instead. A digest not yet sent picks up the update;
    one already sent leaves the notification for the next digest. Returns whether there was one."""
    notification = db.session.scalar(
        select(Notification).where(Notification.user_id == recipient.id, Notification.kind == "message-new",
                                   Notification.target_type == "conversation",
                                   Notification.target_id == conversation.id, Notification.read_at.is_(None))
        .order_by(Notification.id.desc()).limit(1))
    if notification is None:
        return False
    unread = db.session.scalar(select(func.count(Message.id)).where(
        Message.conversation_id == conversation.id, Message.id > conversation.read_id(recipient.id),
        Message.sender_id != recipient.id, Message.removed_at.is_(None)))
    notification.title = f"{sender.name} sent you {unread} messages, the latest: “{preview}”"[:300]
    notification.created_at = utcnow()
    if notification.for_digest:
        notification.emailed_at = None
    return True


def _set_read(conversation: Conversation, user_id: int, message_id: int) -> None:
    forget_unread_counts()
    if user_id == conversation.low_member_id:
        conversation.low_read_id = max(conversation.low_read_id or 0, message_id)
    else:
        conversation.high_read_id = max(conversation.high_read_id or 0, message_id)


def mark_read(conversation: Conversation, user_id: int) -> None:
    """The member opened the conversation: everything in it, and its notifications, are read."""
    if conversation.last_message_id and conversation.read_id(user_id) < conversation.last_message_id:
        _set_read(conversation, user_id, conversation.last_message_id)
        mark_target_read(user_id, "conversation", conversation.id)


def conversations_of(user_id: int) -> Select:
    """Rows ``(Conversation, other member, last Message, unread count)``, most recent first."""
    other = aliased(User)
    last = aliased(Message)
    unread_message = aliased(Message)
    read_mark = case((Conversation.low_member_id == user_id, Conversation.low_read_id),
                     else_=Conversation.high_read_id)
    unread = (select(func.count(unread_message.id))
              .where(unread_message.conversation_id == Conversation.id, unread_message.id > read_mark,
                     unread_message.sender_id != user_id, unread_message.removed_at.is_(None))
              .correlate(Conversation).scalar_subquery())
    other_id = case((Conversation.low_member_id == user_id, Conversation.high_member_id),
                    else_=Conversation.low_member_id)
    return (select(Conversation, other, last, unread.label("unread"))
            .join(other, other.id == other_id)
            .outerjoin(last, last.id == Conversation.last_message_id)
            .where(or_(Conversation.low_member_id == user_id, Conversation.high_member_id == user_id))
            .order_by(Conversation.last_message_at.desc(), Conversation.id.desc()))


def unread_counts(user_id: int) -> tuple[int, int]:
    """Unread notifications and unread messages (the navigation shows both): as read with the member at
    the start of the request when nothing changed them since, else in one query."""
    known = db.session.info.get(UNREAD_COUNTS)
    if known is not None and known[0] == user_id:
        return known[1], known[2]
    return _counts(db.session.execute(_unread_counts_statement(), {"user_id": user_id}).one())


def member_with_unread_counts(user_id: int, session_token_hash: str) -> User | None:
    """The member signed in on a live session (``MemberSession.token_hash``) with the navigation's
    unread counts, in one query (every page shows both): the counts wait in ``db.session.info`` until a
    change to notifications or read marks drops them. None when the member or the session is gone."""
    row = db.session.execute(_member_statement(), {"user_id": user_id, "token_hash": session_token_hash}).first()
    if row is None:
        return None
    db.session.info[UNREAD_COUNTS] = (user_id, *_counts(row))
    return row.User


def _counts(row) -> tuple[int, int]:
    """(unread notifications, unread messages) from a row with the columns of ``_unread_columns``."""
    return row.unread_notifications or 0, (row.unread_as_low or 0) + (row.unread_as_high or 0)


@prebuilt
def _unread_counts_statement() -> Select:
    """The navigation's unread counts of the member ``user_id``."""
    return select(*_unread_columns())


@prebuilt
def _member_statement() -> Select:
    """The member ``user_id`` signed in with the session ``token_hash``, with the navigation's unread counts."""
    return (select(User, *_unread_columns())
            .join(MemberSession, MemberSession.user_id == User.id)
            .where(User.id == bindparam("user_id", type_=Integer),
                   MemberSession.token_hash == bindparam("token_hash", type_=String),
                   MemberSession.revoked_at.is_(None)))


def _unread_columns() -> tuple:
    """The unread counts every signed-in page shows: ``unread_notifications``, and the unread messages in the
    conversations where the member is the pair's lower id (``unread_as_low``) or the higher (``unread_as_high``).

    Messages are counted per side of the pair, so each part walks the member's conversations by index
    and then only the messages past the read mark."""
    user_id = bindparam("user_id", type_=Integer)
    notifications = (select(func.count()).select_from(Notification)
                     .where(Notification.user_id == user_id, Notification.read_at.is_(None)).scalar_subquery())

    def unread_as(member_column, read_column):
        return (select(func.count(Message.id)).select_from(Conversation)
                .join(Message, and_(Message.conversation_id == Conversation.id, Message.id > read_column))
                .where(member_column == user_id, Message.sender_id != user_id, Message.removed_at.is_(None))
                .scalar_subquery())

    return (notifications.label("unread_notifications"),
            unread_as(Conversation.low_member_id, Conversation.low_read_id).label("unread_as_low"),
            unread_as(Conversation.high_member_id, Conversation.high_read_id).label("unread_as_high"))


def people_to_write(user_id: int, limit: int = 300) -> list[User]:
    """The member's mentors, mentees and program people, for the "new message" picker."""
    connected = connected_member_ids(user_id).subquery()
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(connected.c.user_id)), User.id != user_id,
                           User.status == MemberStatus.VERIFIED, User.deleted_at.is_(None))
        .order_by(User.name).limit(limit)))


def block(blocker: User, blocked: User) -> bool:
    """Block a member; False if already blocked."""
    if blocker.id == blocked.id:
        raise MessagingError("You cannot block yourself.")
    if db.session.get(MemberBlock, (blocker.id, blocked.id)) is not None:
        return False
    db.session.add(MemberBlock(blocker_id=blocker.id, blocked_id=blocked.id))
    return True


def unblock(blocker: User, blocked_id: int) -> bool:
    """Lift a block; False if there was none."""
    entry = db.session.get(MemberBlock, (blocker.id, blocked_id))
    if entry is None:
        return False
    db.session.delete(entry)
    return True


def blocked_members(user_id: int) -> list[MemberBlock]:
    """The member's blocks with the blocked members, in one query."""
    return list(db.session.scalars(select(MemberBlock).where(MemberBlock.blocker_id == user_id)
                                   .options(joinedload(MemberBlock.blocked)).order_by(MemberBlock.created_at)))


def report(reporter: User, message: Message, reason: str) -> MessageReport:
    """Send a message the reporter received to the moderators."""
    if message.sender_id == reporter.id:
        raise MessagingError("You can report only messages you received.")
    reason = (reason or "").strip()
    if not reason:
        raise MessagingError("Say briefly what is wrong with the message.")
    existing = db.session.scalar(select(MessageReport).where(MessageReport.message_id == message.id,
                                                             MessageReport.reporter_id == reporter.id))
    if existing is not None:
        raise MessagingError("You already reported this message; the moderators have it.")
    entry = MessageReport(message_id=message.id, reporter_id=reporter.id, reason=reason[:500])
    db.session.add(entry)
    db.session.flush()
    record(reporter.id, "message.report", "message", message.id, report_id=entry.id)
    return entry


def resolve(moderator: User, entry: MessageReport, action: str) -> None:
    """Dismiss a report, or remove the message (which closes every open report on it)."""
    if entry.status != ReportStatus.OPEN:
        raise MessagingError("This report was already handled.")
    now = utcnow()
    if action == "remove":
        entry.message.removed_at = now
        db.session.execute(update(MessageReport)
                           .where(MessageReport.message_id == entry.message_id,
                                  MessageReport.status == ReportStatus.OPEN)
                           .values(status=ReportStatus.REMOVED, resolved_at=now, resolved_by_id=moderator.id))
        record(moderator.id, "message.remove", "message", entry.message_id, report_id=entry.id,
               sender_id=entry.message.sender_id)
    else:
        entry.status = ReportStatus.DISMISSED
        entry.resolved_at = now
        entry.resolved_by_id = moderator.id
        record(moderator.id, "message.report_dismiss", "message", entry.message_id, report_id=entry.id)


def open_reports(limit: int = 100) -> list[MessageReport]:
    """Reports waiting for a moderator, oldest first, with message, sender and reporter in one query."""
    return list(db.session.scalars(
        select(MessageReport).where(MessageReport.status == ReportStatus.OPEN)
        .options(joinedload(MessageReport.reporter), joinedload(MessageReport.message).joinedload(Message.sender))
        .order_by(MessageReport.created_at).limit(limit)))
