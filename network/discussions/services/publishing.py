"""A post becoming visible, and who hears of what happens in a thread: the thread counts the post, the
members it mentions and those who watch the thread are notified (each only if they may see its category),
an author hears what a moderator decided about their post, and members who can no longer see a thread
lose its notifications."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from sqlalchemy import Integer, bindparam, case, func, select, update

from network import permissions
from network.database import prebuilt
from network.discussions.email_replies.addresses import reply_addresser
from network.discussions.models import Post, Subscription, SubscriptionLevel, Thread
from network.discussions.rendering import render_body
from network.extensions import db
from network.members.models import User
from network.notifications.models import Notification
from network.notifications.services import notify, notify_members, withdraw
from network.text.phi import without_phi

_THREAD, _POST = (bindparam(name, type_=Integer) for name in ("thread", "post"))


def thread_link(thread: Thread, post: Post | None = None) -> str:
    """Where a notification about the thread (or one of its posts) leads."""
    if post is None:
        return url_for("discussions.thread", thread_id=thread.id)
    return url_for("discussions.show_post", post_id=post.id)


def publish(post: Post, thread: Thread, now: datetime) -> None:
    """A post becomes visible: counts, index, notifications."""
    db.session.connection().execute(_count_post_statement(), {"thread": thread.id, "post": post.id, "now": now})
    # The counters are read again only if something asks for them (a reply's redirect does not).
    db.session.expire(thread, ["post_count", "last_post_at", "last_post_id"])
    if thread.held:
        return  # nobody else sees the thread yet: notify when its opening post is approved
    author = db.session.get(User, post.author_id)
    mentioned = getattr(post, "_mentioned", None)
    if mentioned is None:
        mentioned = render_body(post.body)[1]
    notified = notify_mentions(post, thread, author, mentioned)
    _notify_subscribers(post, thread, author, skip=notified)


def notify_mentions(post: Post, thread: Thread, author: User, mentioned: list[User]) -> set[int]:
    """Notify the mentioned members who may see the thread (never its author); returns their ids."""
    targets = permissions.who_can_view_category([u for u in mentioned if u.id != author.id], thread.category)
    if targets:
        title = without_phi(thread.title)
        notify_members(targets, "discussion-mention", f"{author.name} mentioned you in “{title}”",
                       thread_link(thread, post), target_type="thread", target_id=thread.id,
                       mail_subject=f"{author.name} mentioned you in “{title}”", reply_to=reply_addresser(thread.id),
                       mail_template="discussion_post", author=author, thread=thread, post_text=without_phi(post.body))
    return {u.id for u in targets}


def _notify_subscribers(post: Post, thread: Thread, author: User, skip: set[int]) -> None:
    """Notify the members who watch the thread and may see it, but for ``skip`` and the author."""
    ids = set(db.session.connection().execute(_watchers_statement(), {"thread": thread.id}).scalars())
    ids -= skip | {author.id}
    if not ids:
        return  # (most replies: nobody else watches, or the mentions reached them)
    watchers = db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)).all()
    targets = permissions.who_can_view_category(watchers, thread.category)
    if targets:
        title = without_phi(thread.title)
        notify_members(targets, "discussion-reply", f"{author.name} replied in “{title}”",
                       thread_link(thread, post), target_type="thread", target_id=thread.id,
                       mail_subject=f"New reply in “{title}”", mail_template="discussion_post",
                       reply_to=reply_addresser(thread.id), author=author, thread=thread,
                       post_text=without_phi(post.body))


def tell_author(actor: User, post: Post, thread: Thread, what: str) -> None:
    """The author of a post a moderator reviewed hears what became of it."""
    if actor.id != post.author_id:
        notify(post.author_id, "discussion-review", f"A moderator {what} your post in “{without_phi(thread.title)}”",
               thread_link(thread, post), target_type="thread", target_id=thread.id)


def withdraw_unseen_notifications(thread: Thread) -> None:
    """Withdraw notifications about ``thread`` from members who can no longer see it."""
    recipients = db.session.scalars(select(User).where(User.id.in_(
        select(Notification.user_id).where(Notification.target_type == "thread",
                                           Notification.target_id == thread.id)))).all()
    if not recipients:
        return
    allowed = {u.id for u in permissions.who_can_view_category(recipients, thread.category)}
    withdraw("thread", thread.id, [u.id for u in recipients if u.id not in allowed])


# The statements run as Core on the session's connection, in the request's transaction: posting a reply is
# the most frequent write, and through the ORM each cost several times the Python of its round trip.

@prebuilt
def _count_post_statement():
    """The thread counts a published post (``thread``, ``post``, ``now``)."""
    threads = Thread.__table__
    return update(threads).where(threads.c.id == _THREAD).values(
        post_count=threads.c.post_count + 1, last_post_at=bindparam("now", type_=threads.c.last_post_at.type),
        # (approving a held post publishes it after newer ones: the last post stays the newest)
        last_post_id=case((func.coalesce(threads.c.last_post_id, 0) < _POST, _POST), else_=threads.c.last_post_id))


@prebuilt
def _watchers_statement():
    """The ids of the members who watch the thread."""
    subscriptions = Subscription.__table__
    return select(subscriptions.c.user_id).where(subscriptions.c.thread_id == _THREAD,
                                                 subscriptions.c.level == SubscriptionLevel.WATCH)

