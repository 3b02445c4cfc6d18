"""Create notifications and deliver them as each member chose for the kind's group."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Select, func, select, update

from network.extensions import db
from network.mail.services import queue_email
from network.members.models import MemberStatus, User, normalize_email
from network.notifications.kinds import GROUPS, GROUPS_BY_KEY, Delivery, EmailMode, group_of
from network.notifications.models import Notification, NotificationPreference
from network.notifications.unsubscribe import DIGEST
from network.types import utcnow
from network.urls import absolute

log = logging.getLogger(__name__)

#: A digest picks up notifications at most this old (a missed run does not lose them).
DIGEST_WINDOW = timedelta(days=7)
# How notifications are listed: by when they happened, the id breaking ties (ids are not in time order
# when rows are backfilled, imported or written by processes with different clocks).
NEWEST_FIRST = (Notification.created_at.desc(), Notification.id.desc())
OLDEST_FIRST = (Notification.created_at, Notification.id)


#: ``db.session.info`` key: (member id, unread notifications, unread messages), read with the signed-in
#: member (``messages.services.member_with_unread_counts``) and dropped by anything that changes them.
UNREAD_COUNTS = "unread_counts"


def forget_unread_counts() -> None:
    """Notifications or read marks changed in this request: the navigation counts again."""
    db.session.info.pop(UNREAD_COUNTS, None)


def notify(user_id: int, kind: str, title: str, link: str, target_type: str | None = None,
           target_id: int | None = None) -> Notification:
    """Add an in-app notification for one member to the current transaction (no preference check)."""
    forget_unread_counts()
    notification = Notification(user_id=user_id, kind=kind, title=title[:300], link=link,
                                target_type=target_type, target_id=target_id)
    db.session.add(notification)
    return notification


def deliveries(user_ids, kind: str) -> dict[int, Delivery]:
    """Each member's delivery for ``kind``'s group (the group default unless they chose), in one query."""
    ids = list(user_ids)
    if not ids:
        return {}
    group = group_of(kind)
    chosen = dict(db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.delivery)
        .where(NotificationPreference.user_id.in_(ids), NotificationPreference.group_key == group.key)).all())
    return {user_id: chosen.get(user_id, group.default) for user_id in ids}


def preferences(user_id: int) -> dict[str, Delivery]:
    """A member's delivery for every group, defaults filled in."""
    chosen = dict(db.session.execute(
        select(NotificationPreference.group_key, NotificationPreference.delivery)
        .where(NotificationPreference.user_id == user_id)).all())
    return {group.key: chosen.get(group.key, group.default) for group in GROUPS}


def set_preferences(user_id: int, choices: dict[str, Delivery]) -> None:
    """Save the member's delivery for the given groups (unknown group keys are ignored)."""
    existing = {p.group_key: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id))}
    for key, delivery in choices.items():
        if key not in GROUPS_BY_KEY:
            continue
        if key in existing:
            existing[key].delivery = delivery
        else:
            db.session.add(NotificationPreference(user_id=user_id, group_key=key, delivery=delivery))


def email_mode(user_id: int) -> EmailMode:
    """The delivery most of the member's groups use (the older single setting, for callers that ask)."""
    chosen = list(preferences(user_id).values())
    return max(set(chosen), key=chosen.count)


def set_email_mode(user_id: int, mode: EmailMode) -> None:
    """Every group at once."""
    set_preferences(user_id, {group.key: Delivery(mode) for group in GROUPS})


def notify_members(users: list[User], kind: str, title: str, link: str, *, target_type: str | None = None,
                   target_id: int | None = None, mail_subject: str, mail_template: str,
                   reply_to: Callable[[User], str | None] | None = None, **context) -> int:
    """Notify each member as they chose for the kind's group: not at all, on the site only, by mail
    right away or in the daily digest. ``reply_to(member)`` gives the mail's reply address, if any (a
    thread's, for reply by email). Returns how many were notified."""
    modes = deliveries((user.id for user in users), kind)
    now = utcnow()
    notified = 0
    for user in users:
        mode = modes[user.id]
        if mode == Delivery.OFF:
            continue
        notification = notify(user.id, kind, title, link, target_type, target_id)
        notified += 1
        if mode == Delivery.IMMEDIATE:
            queue_email(kind, user.email, mail_subject, mail_template, user=user, link=absolute(link),
                        title=title, reply_to=reply_to(user) if reply_to else None, **context)
            notification.emailed_at = now
        elif mode == Delivery.DAILY:
            notification.for_digest = True
    return notified


def notifications_of(user_id: int, unread_only: bool = False) -> Select:
    """The member's notifications (the unread ones only, if asked), unsorted: the centre and the API sort them
    ``NEWEST_FIRST`` and page them."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query


def unread_count(user_id: int) -> int:
    """The member's unread notifications (the navigation uses ``messages.services.unread_counts``)."""
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(notification: Notification) -> None:
    """Mark one notification read (once)."""
    forget_unread_counts()
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(user_id: int) -> int:
    """Mark every unread notification of the member read; returns how many."""
    forget_unread_counts()
    result = db.session.execute(update(Notification)
                                .where(Notification.user_id == user_id, Notification.read_at.is_(None))
                                .values(read_at=utcnow()))
    return result.rowcount


def mark_target_read(user_id: int, target_type: str, target_id: int) -> None:
    """The member saw the thing itself (e.g. opened the conversation): its notifications are read."""
    forget_unread_counts()
    db.session.execute(update(Notification)
                       .where(Notification.user_id == user_id, Notification.target_type == target_type,
                              Notification.target_id == target_id, Notification.read_at.is_(None))
                       .values(read_at=utcnow()))


def withdraw(target_type: str, target_id: int, user_ids) -> None:
    """Delete notifications about a target for members who may no longer see it."""
    forget_unread_counts()
    ids = list(user_ids)
    if ids:
        db.session.execute(Notification.__table__.delete().where(
            Notification.target_type == target_type, Notification.target_id == target_id,
            Notification.user_id.in_(ids)))


def member_for(member: int | str) -> User | None:
    """The member an unsubscribe token names: by id, or by address."""
    if isinstance(member, int):
        return db.session.get(User, member)
    return db.session.scalar(select(User).where(User.email == normalize_email(member)))


def unsubscribe(member: int | str, group_key: str) -> tuple[User | None, list[str]]:
    """Stop mail for one group (or, for the digest, every group in the digest): those groups stay on
    the site only. Returns the member and the labels of the groups changed."""
    user = member_for(member)
    if user is None:
        return None, []
    current = preferences(user.id)
    if group_key == DIGEST:
        keys = [key for key, delivery in current.items() if delivery == Delivery.DAILY]
    else:
        keys = [group_key] if current.get(group_key, Delivery.IN_APP).mails else []
    set_preferences(user.id, dict.fromkeys(keys, Delivery.IN_APP))
    return user, [GROUPS_BY_KEY[key].label for key in keys]


def send_daily_digests() -> int:
    """One mail per member with unread notifications they wanted in the daily digest. Each notification
    is claimed (``emailed_at`` set where still empty) before its mail is queued, so reruns, even
    concurrent ones, never mail it twice. Returns the number of mails queued (the caller commits)."""
    since = utcnow() - DIGEST_WINDOW
    rows = db.session.execute(
        select(Notification.id, Notification.user_id)
        .join(User, User.id == Notification.user_id)
        .where(Notification.for_digest.is_(True), Notification.emailed_at.is_(None),
               Notification.read_at.is_(None), Notification.created_at >= since,
               User.status == MemberStatus.VERIFIED)
        .order_by(Notification.user_id, *OLDEST_FIRST)
    ).all()
    by_user: dict[int, list[int]] = {}
    for notification_id, user_id in rows:
        by_user.setdefault(user_id, []).append(notification_id)
    now = utcnow()
    sent = 0
    for user_id, ids in by_user.items():
        claimed = db.session.scalars(
            update(Notification).where(Notification.id.in_(ids), Notification.emailed_at.is_(None))
            .values(emailed_at=now).returning(Notification.id),
            execution_options={"synchronize_session": False}).all()
        if not claimed:
            continue
        notifications = db.session.scalars(select(Notification).where(Notification.id.in_(claimed))
                                           .order_by(*OLDEST_FIRST)).all()
        user = db.session.get(User, user_id)
        items = [(n.title, absolute(n.link)) for n in notifications]
        queue_email("daily-digest", user.email, f"Your daily digest: {len(items)} new on Fellowship Network",
                    "notification_digest", user=user, items=items)
        sent += 1
    log.info("daily digest: %s mails", sent)
    return sent
