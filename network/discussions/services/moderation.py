"""Moderating threads: a moderator pins a thread to the top of its category, locks it (no more replies) or
moves it to another category they moderate, which withdraws its notifications from members who can no
longer see it. Flags are ``flags``'; holding and approving posts with patient identifiers is ``review``'s."""

from __future__ import annotations

from network.audit.models import record
from network.discussions.models import Category, Thread
from network.discussions.services.publishing import withdraw_unseen_notifications
from network.extensions import db
from network.members.models import User


def set_pinned(actor: User, thread: Thread, pinned: bool) -> None:
    """Pin a thread to the top of its category, or unpin it."""
    thread.pinned = pinned
    record(actor.id, "thread.pin" if pinned else "thread.unpin", "thread", thread.id)


def set_locked(actor: User, thread: Thread, locked: bool) -> None:
    """Lock a thread (no more replies but a moderator's) or reopen it."""
    thread.locked = locked
    record(actor.id, "thread.lock" if locked else "thread.unlock", "thread", thread.id)


def move_thread(actor: User, thread: Thread, category: Category) -> None:
    """Move a thread; notifications about it are withdrawn from members who can no longer see it."""
    if category.id == thread.category_id:
        return
    record(actor.id, "thread.move", "thread", thread.id, from_category=thread.category_id, to_category=category.id)
    thread.category = category
    db.session.flush()
    withdraw_unseen_notifications(thread)
