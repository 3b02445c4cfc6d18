"""Removing a post and undoing it. A post is never deleted: it stays in place, shown as removed, and its text
leaves search. Its author deletes it, or a moderator removes it (the author is told why); the one who removed
it may restore it within the undo window."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from network.audit.models import record
from network.confirmation import UNDO_WINDOW, within_undo_window
from network.discussions.models import Flag, Post
from network.discussions.services.errors import AlreadyDone, DiscussionError
from network.discussions.services.publishing import thread_link
from network.extensions import db
from network.members.models import User
from network.notifications.models import Notification
from network.notifications.services import forget_unread_counts, notify
from network.text.phi import without_phi
from network.types import utcnow


def remove_post(actor: User, post: Post, reason: str = "", flag_reason: str | None = None) -> None:
    """Soft-delete: the post stays in place, shown as removed; its text leaves the search index. A held
    post leaves the review; a held thread whose opening post goes is removed with it (still hidden, and
    closed to replies). A moderator's ``reason`` reaches the author; the audit entry keeps it (and the
    reason of the flag that led to it, which the author is not told)."""
    if post.is_removed:
        raise AlreadyDone("This post was already removed.")
    now = utcnow()
    post.removed_at, post.removed_by_id = now, actor.id
    thread = post.thread
    if post.held and post.id == thread.first_post_id:
        thread.removed_at, thread.locked = now, True
    if thread.answer_post_id == post.id:
        thread.answer_post_id = None  # a removed reply answers nothing (restoring it does not mark it again)
    own = actor.id == post.author_id
    details = {"reason": reason} if flag_reason is None else {"reason": reason, "flag_reason": flag_reason}
    record(actor.id, "post.delete-own" if own else "post.remove", "post", post.id, thread_id=post.thread_id,
           author_id=post.author_id, held=post.held, **details)
    # Flags about a removed post are settled.
    db.session.execute(update(Flag).where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
                       .values(resolved_at=now, resolved_by_id=actor.id, resolution="removed"))
    db.session.flush()
    if not own:
        told = f" — reason: {without_phi(reason)}" if reason else ""
        notify(post.author_id, "discussion-review",
               f"A moderator removed your post in “{_short(without_phi(thread.title))}”{told}",
               thread_link(thread, post), target_type="thread", target_id=thread.id)


def restore_post(actor: User, post: Post, now: datetime | None = None) -> None:
    """Undo a removal within ``UNDO_WINDOW``: the post (and the held thread that went with it) is back as it
    was, its flags open again, the author's "removed" notification gone. The route checks who may."""
    now = now or utcnow()
    if not post.is_removed:
        raise AlreadyDone("This post is not removed.")
    if not within_undo_window(post.removed_at, now):
        raise DiscussionError("It is too late to undo: a removed post can be restored for "
                              f"{UNDO_WINDOW.seconds // 60} minutes. It stays removed.")
    removed_at, thread = post.removed_at, post.thread
    if post.id == thread.first_post_id and thread.removed_at == removed_at:
        thread.removed_at, thread.locked = None, False
    db.session.execute(update(Flag).where(Flag.post_id == post.id, Flag.resolution == "removed",
                                          Flag.resolved_by_id == actor.id, Flag.resolved_at >= removed_at)
                       .values(resolved_at=None, resolved_by_id=None, resolution=None))
    if actor.id != post.author_id:
        forget_unread_counts()
        db.session.execute(Notification.__table__.delete().where(
            Notification.user_id == post.author_id, Notification.kind == "discussion-review",
            Notification.target_type == "thread", Notification.target_id == thread.id,
            Notification.created_at >= removed_at))
    post.removed_at, post.removed_by_id = None, None
    record(actor.id, "post.restore", "post", post.id, thread_id=post.thread_id, author_id=post.author_id)


def _short(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, for a notification's title."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"

