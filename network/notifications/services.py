"""Create notifications and mail them according to each member's preference."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import func, select, update

from network.extensions import db
from network.mail.services import queue_email
from network.members.models import MemberStatus, User
from network.notifications.models import EmailMode, Notification, NotificationSetting
from network.types import utcnow

log = logging.getLogger(__name__)


def notify(user_id: int, kind: str, title: str, link: str, target_type: str | None = None,
           target_id: int | None = None) -> Notification:
    """Add an in-app notification for one member to the current transaction."""
    notification = Notification(user_id=user_id, kind=kind, title=title[:300], link=link,
                                target_type=target_type, target_id=target_id)
    db.session.add(notification)
    return notification


def email_modes(user_ids) -> dict[int, EmailMode]:
    """Each member's mail preference (immediate unless they chose otherwise), in one query."""
    ids = list(user_ids)
    if not ids:
        return {}
    chosen = dict(db.session.execute(
        select(NotificationSetting.user_id, NotificationSetting.email_mode).where(NotificationSetting.user_id.in_(ids))
    ).all())
    return {user_id: chosen.get(user_id, EmailMode.IMMEDIATE) for user_id in ids}


def email_mode(user_id: int) -> EmailMode:
    return email_modes([user_id])[user_id]


def set_email_mode(user_id: int, mode: EmailMode) -> None:
    setting = db.session.get(NotificationSetting, user_id)
    if setting is None:
        db.session.add(NotificationSetting(user_id=user_id, email_mode=mode))
    else:
        setting.email_mode = mode


def absolute_url(link: str) -> str:
    """A site path as a full URL for a mail: the request's host, else ``SERVER_NAME``."""
    if link.startswith(("http://", "https://")):
        return link
    if has_request_context():
        return request.host_url.rstrip("/") + link
    server = current_app.config.get("SERVER_NAME")
    if server:
        return f"{current_app.config['PREFERRED_URL_SCHEME']}://{server}{link}"
    return link


def notify_members(users: list[User], kind: str, title: str, link: str, *, target_type: str | None = None,
                   target_id: int | None = None, mail_subject: str, mail_template: str, **context) -> int:
    """Notify each member in-app, and mail those who want it right away. Returns how many were notified."""
    modes = email_modes(user.id for user in users)
    now = utcnow()
    for user in users:
        notification = notify(user.id, kind, title, link, target_type, target_id)
        if modes[user.id] == EmailMode.IMMEDIATE:
            queue_email(kind, user.email, mail_subject, mail_template, user=user, link=absolute_url(link),
                        title=title, **context)
            notification.emailed_at = now
    return len(users)


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(user_id: int) -> int:
    result = db.session.execute(update(Notification)
                                .where(Notification.user_id == user_id, Notification.read_at.is_(None))
                                .values(read_at=utcnow()))
    return result.rowcount


def withdraw(target_type: str, target_id: int, user_ids) -> None:
    """Delete notifications about a target for members who may no longer see it."""
    ids = list(user_ids)
    if ids:
        db.session.execute(Notification.__table__.delete().where(
            Notification.target_type == target_type, Notification.target_id == target_id,
            Notification.user_id.in_(ids)))


def send_daily_digests() -> int:
    """One mail per member who chose the daily digest, listing their unread, unmailed notifications of
    the last day. Returns the number of mails queued (the caller commits)."""
    since = utcnow() - timedelta(days=1)
    rows = db.session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .join(NotificationSetting, NotificationSetting.user_id == User.id)
        .where(NotificationSetting.email_mode == EmailMode.DAILY, Notification.emailed_at.is_(None),
               Notification.read_at.is_(None), Notification.created_at >= since,
               User.status == MemberStatus.VERIFIED)
        .order_by(User.id, Notification.id)
    ).all()
    by_user: dict[int, tuple[User, list[Notification]]] = {}
    for notification, user in rows:
        by_user.setdefault(user.id, (user, []))[1].append(notification)
    now = utcnow()
    for user, notifications in by_user.values():
        items = [(n.title, absolute_url(n.link)) for n in notifications]
        queue_email("daily-digest", user.email, f"Your daily digest: {len(items)} new on Fellowship Network",
                    "notification_digest", user=user, items=items)
        for n in notifications:
            n.emailed_at = now
    log.info("daily digest: %s mails", len(by_user))
    return len(by_user)
