"""What the Latest and Unread feeds keep: threads across every category a member sees, all of them or those
with posts the member has not read, in one category or their cohorts' categories. The statements here are
run by ``queries.feed_page`` and ``queries.unread_thread_count`` (reads) and by
``services.subscriptions.mark_all_read`` (the write). Who sees which thread is ``permissions.visible_threads``,
the rule the category pages and search use, so a feed never lists a thread whose URL would be a 404."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select

from network import permissions
from network.discussions.models import Category, CategoryVisibility, ReadMark, Thread
from network.programs.models import CohortMembership

LATEST, UNREAD = "latest", "unread"
#: The category filter's value for "the categories of my cohorts".
MY_COHORTS = "cohort"


@dataclass(frozen=True)
class FeedFilter:
    """Which threads a feed shows: every one (``LATEST``) or those with posts the member has not read
    (``UNREAD``); in one category (``category_id``), in the member's cohorts' categories (``cohorts``), or all."""

    view: str = LATEST
    category_id: int | None = None
    cohorts: bool = False

    @property
    def category_arg(self) -> str | None:
        """The filter as the feed's ``category`` query argument."""
        return MY_COHORTS if self.cohorts else str(self.category_id) if self.category_id else None


def unread_condition():
    """A thread has a post the member has not read: its last post is past their read mark (``ReadMark`` joined for
    the member), or they never opened it."""
    return Thread.last_post_id > func.coalesce(ReadMark.last_read_post_id, 0)


def feed_threads(user, feed: FeedFilter, *columns):
    """``columns`` of the threads ``user`` sees that ``feed`` keeps, joined to their category and the member's read
    mark; unsorted, for a page, a count or an ``INSERT … SELECT``."""
    query = (select(*columns).select_from(Thread).join(Category, Category.id == Thread.category_id)
             .outerjoin(ReadMark, and_(ReadMark.thread_id == Thread.id, ReadMark.user_id == user.id))
             .where(permissions.visible_threads(user, Thread, Category)))
    if feed.view == UNREAD:
        query = query.where(unread_condition())
    if feed.category_id is not None:
        query = query.where(Thread.category_id == feed.category_id)
    if feed.cohorts:
        query = query.where(Category.visibility == CategoryVisibility.COHORT, Category.cohort_id.in_(
            select(CohortMembership.cohort_id).where(CohortMembership.user_id == user.id)))
    return query
