"""Watching and muting threads, and read marks: which threads notify a member of every reply, and how far
the member has read each one. Posting makes the author watch the thread and read up to their post; a thread
page moves the reader's mark; "Mark all read" moves the marks of every unread thread of a feed at once."""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, literal

from network.database import insert_for, prebuilt
from network.discussions.email_replies.addresses import revoke_for_thread
from network.discussions.feeds import UNREAD, FeedFilter, feed_threads
from network.discussions.models import ReadMark, Subscription, SubscriptionLevel, Thread
from network.extensions import db
from network.members.models import User


def set_subscription(user: User, thread: Thread, level: SubscriptionLevel | None) -> None:
    """Watch, mute, or go back to the default (no subscription). A member who stops watching stops their
    reply address for the thread too."""
    if level != SubscriptionLevel.WATCH:
        revoke_for_thread(user.id, thread.id)
    existing = db.session.get(Subscription, (user.id, thread.id))
    if level is None:
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        db.session.add(Subscription(user_id=user.id, thread_id=thread.id, level=level))
    else:
        existing.level = level


def mark_read(user_id: int, thread_id: int, post_id: int, current: int | None) -> bool:
    """Move the member's read mark forward to ``post_id`` (``current`` is the mark as read before, if any);
    writes only when it moves, and never moves it back (the member's other tab may have gone further)."""
    if current is not None and current >= post_id:
        return False
    connection = db.session.connection()
    connection.execute(_mark_read_statement(connection.dialect.name),
                       {"member": user_id, "thread": thread_id, "post": post_id})
    return True


def mark_all_read(user: User, feed: FeedFilter) -> None:
    """Mark every thread of ``feed`` that ``user`` sees read up to its last post, in one ``INSERT … SELECT``
    upsert however many threads there are (the filter's category or cohorts only; marks never move back)."""
    marks = ReadMark.__table__
    unread = feed_threads(user, FeedFilter(UNREAD, feed.category_id, feed.cohorts),
                          literal(user.id, Integer), Thread.id, Thread.last_post_id)
    connection = db.session.connection()
    new_marks = insert_for(connection.dialect.name)(marks).from_select(
        [marks.c.user_id, marks.c.thread_id, marks.c.last_read_post_id], unread)
    connection.execute(new_marks.on_conflict_do_update(
        index_elements=[marks.c.user_id, marks.c.thread_id],
        set_={"last_read_post_id": new_marks.excluded.last_read_post_id},
        where=marks.c.last_read_post_id < new_marks.excluded.last_read_post_id))


def follow(user_id: int, thread_id: int, post_id: int) -> None:
    """The author of a post watches its thread (unless they chose a level before) and has read up to it."""
    connection = db.session.connection()
    connection.execute(_watch_statement(connection.dialect.name), {"member": user_id, "thread": thread_id})
    connection.execute(_mark_read_statement(connection.dialect.name),
                       {"member": user_id, "thread": thread_id, "post": post_id})


# The statements every post and thread view runs. They run as Core on the session's connection, so in the
# request's transaction: through the ORM each cost several times the Python of its round trip, and posting
# a reply is the most frequent write. The upserts are atomic: two tabs, or a reply and a thread view, never
# meet a duplicate key (PostgreSQL and SQLite share their syntax; each dialect has its own ``insert``).

_MEMBER, _THREAD, _POST = (bindparam(name, type_=Integer) for name in ("member", "thread", "post"))


@prebuilt
def _watch_statement(dialect: str):
    """The member watches the thread, unless they chose a level before."""
    subscriptions = Subscription.__table__
    return (insert_for(dialect)(subscriptions)
            .values(user_id=_MEMBER, thread_id=_THREAD, level=SubscriptionLevel.WATCH)
            .on_conflict_do_nothing(index_elements=[subscriptions.c.user_id, subscriptions.c.thread_id]))


@prebuilt
def _mark_read_statement(dialect: str):
    """The member's read mark moves forward to ``post``, never back."""
    marks = ReadMark.__table__
    new_mark = insert_for(dialect)(marks).values(user_id=_MEMBER, thread_id=_THREAD, last_read_post_id=_POST)
    return new_mark.on_conflict_do_update(
        index_elements=[marks.c.user_id, marks.c.thread_id],
        set_={"last_read_post_id": new_mark.excluded.last_read_post_id},
        where=marks.c.last_read_post_id < new_mark.excluded.last_read_post_id)
