"""What discussion pages read: the categories a member sees with their counts, a category's threads and a
thread's posts (keyset pages, never OFFSET), the thread or post a page is about, the member's read mark and
subscription, a post's revisions, the moderation queue, the home page's latest threads, and the Latest and
Unread feeds across categories with the navigation's count of unread threads (what a feed keeps is
``network.discussions.feeds``'). Reads only: the changes are ``network.discussions.services``'. Who sees what
is ``network.permissions``' SQL conditions, so the lists agree with the 404s of the routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy import Integer, and_, bindparam, case, func, or_, select, true
from sqlalchemy.orm import contains_eager, defer, joinedload, load_only

from network import permissions
from network.database import prebuilt
from network.discussions.feeds import UNREAD, FeedFilter, feed_threads, unread_condition
from network.discussions.models import (
    Category,
    Draft,
    Flag,
    Post,
    PostRevision,
    ReadMark,
    Subscription,
    SubscriptionLevel,
    Thread,
)
from network.extensions import db
from network.members.models import Role, User
from network.profiles.models import Profile
from network.programs.models import Cohort, Program

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 30

_MEMBER, _THREAD = (bindparam(name, type_=Integer) for name in ("member", "thread"))


# -- categories -------------------------------------------------------------------

def load_category(slug: str) -> Category | None:
    """The category at ``slug``, with its cohort (what permissions read)."""
    return db.session.scalars(select(Category).options(joinedload(Category.cohort))
                              .where(Category.slug == slug)).first()


def visible_categories(user) -> list[Category]:
    """The categories ``user`` sees, in their order."""
    return db.session.scalars(select(Category).where(permissions.visible_categories(user, Category))
                              .order_by(Category.position, Category.id)).all()


def moderated_categories(user) -> list[Category]:
    """The categories ``user`` moderates, in their order, with their cohorts: where a thread may move."""
    return db.session.scalars(select(Category).options(joinedload(Category.cohort))
                              .where(permissions.moderated_categories(user, Category))
                              .order_by(Category.position, Category.id)).all()


def all_categories() -> list[Category]:
    """Every category in order, with its cohort and the cohort's program: the administrators' list."""
    return db.session.scalars(select(Category).options(joinedload(Category.cohort).joinedload(Cohort.program))
                              .order_by(Category.position, Category.id)).all()


def cohort_choices() -> list[tuple[int, str, str]]:
    """``(id, name, program name)`` of every cohort, by program and start: who a category may be private to."""
    return db.session.execute(select(Cohort.id, Cohort.name, Program.name).join(Cohort.program)
                              .order_by(Program.name, Cohort.start_date)).all()


@dataclass
class CategorySummary:
    """A category on the discussion index, with its counts and how many of its threads the member has unread."""

    category: Category
    threads: int
    posts: int
    unread_threads: int
    last_post_at: datetime | None


def category_summaries(user) -> list[CategorySummary]:
    """The categories ``user`` sees with counts and unread threads: two queries however many posts."""
    return category_stats(user, visible_categories(user))


def category_stats(user, categories: list[Category]) -> list[CategorySummary]:
    """``categories`` (which ``user`` sees) with their counts and unread threads, in one query."""
    stats = db.session.execute(
        select(Thread.category_id, func.count(Thread.id), func.coalesce(func.sum(Thread.post_count), 0),
               func.sum(case((unread_condition(), 1), else_=0)),
               func.max(Thread.last_post_at))
        .outerjoin(ReadMark, and_(ReadMark.thread_id == Thread.id, ReadMark.user_id == user.id))
        .where(Thread.category_id.in_([c.id for c in categories]),
               or_(Thread.held.is_(False), Thread.author_id == user.id))
        .group_by(Thread.category_id)
    ).all() if categories else []
    by_id = {row[0]: row[1:] for row in stats}
    return [CategorySummary(c, *(by_id.get(c.id) or (0, 0, 0, None))) for c in categories]


# -- a category's threads ---------------------------------------------------------

@dataclass
class ThreadRow:
    """A thread in its category's list, with how many of its posts the member has not read."""

    thread: Thread
    unread: int
    last_read_post_id: int | None


def thread_rows(user, category: Category, before: tuple[datetime, int] | None = None,
                limit: int = THREADS_PER_PAGE) -> tuple[list[ThreadRow], tuple[datetime, int] | None]:
    """A page of a category's threads, pinned first on the first page, then newest activity first.
    Keyset-paginated on (last_post_at, id); returns the rows and the cursor of the next page."""
    base = threads_in(user, category)
    rows = []
    if before is None:
        rows += db.session.execute(base.where(Thread.pinned.is_(True))
                                   .order_by(Thread.last_post_at.desc(), Thread.id.desc())).all()
    unpinned, cursor = _newest_first(base.where(Thread.pinned.is_(False)), before, limit)
    return with_unread(user, rows + unpinned), cursor


def _newest_first(query, before: tuple[datetime, int] | None, limit: int):
    """A keyset page of ``query``'s (thread, …) rows, newest activity first, after the cursor ``before``
    (last_post_at, id): the rows and the cursor of the next page, None on the last."""
    if before is not None:
        at, thread_id = before
        query = query.where(or_(Thread.last_post_at < at, and_(Thread.last_post_at == at, Thread.id < thread_id)))
    rows = db.session.execute(query.order_by(Thread.last_post_at.desc(), Thread.id.desc()).limit(limit + 1)).all()
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, (rows[-1][0].last_post_at, rows[-1][0].id)


def threads_in(user, category: Category):
    """Rows of (thread, the member's read mark) of the threads of ``category`` that ``user`` sees (one
    held for review only by its author and moderators), with their authors; unsorted, for a page."""
    visible = or_(Thread.held.is_(False), Thread.author_id == user.id)
    if permissions.can_moderate(user, category):
        visible = true()
    return (select(Thread, ReadMark.last_read_post_id)
            .outerjoin(ReadMark, and_(ReadMark.thread_id == Thread.id, ReadMark.user_id == user.id))
            .options(joinedload(Thread.author).options(_with_photo()))
            .where(Thread.category_id == category.id, visible))


def _with_photo():
    """The loader option that brings a member's photo version (for their avatar) with them, in the same query."""
    return joinedload(User.profile).load_only(Profile.photo_version)


def with_unread(user, rows) -> list[ThreadRow]:
    """Unread counts for threads the member has read before: one grouped query over the page."""
    marked = {thread.id: mark for thread, mark in rows if mark is not None and thread.last_post_id
              and thread.last_post_id > mark}
    counts = {}
    if marked:
        counts = dict(db.session.execute(
            select(Post.thread_id, func.count())
            .join(ReadMark, and_(ReadMark.thread_id == Post.thread_id, ReadMark.user_id == user.id))
            .where(Post.thread_id.in_(list(marked)), Post.id > ReadMark.last_read_post_id,
                   Post.held.is_(False))
            .group_by(Post.thread_id)).all())
    result = []
    for thread, mark in rows:
        unread = thread.post_count if mark is None else counts.get(thread.id, 0)
        result.append(ThreadRow(thread, unread, mark))
    return result


# -- the Latest and Unread feeds ---------------------------------------------------

#: The navigation counts unread threads up to this many ("99+" beyond), so the count stops early.
UNREAD_COUNT_CAP = 100


def feed_page(user, feed: FeedFilter, before: tuple[datetime, int] | None = None,
              limit: int = THREADS_PER_PAGE) -> tuple[list[ThreadRow], tuple[datetime, int] | None]:
    """A page of a feed, newest activity first, keyset-paginated on (last_post_at, id) like a category's threads
    (never OFFSET): the rows, with their categories, authors and unread counts (two queries), and the next cursor."""
    query = (feed_threads(user, feed, Thread, ReadMark.last_read_post_id)
             .options(contains_eager(Thread.category),
                      joinedload(Thread.author).load_only(User.id, User.name).options(_with_photo())))
    rows, cursor = _newest_first(query, before, limit)
    return with_unread(user, rows), cursor


def unread_thread_count(user, cap: int = UNREAD_COUNT_CAP) -> int:
    """How many threads ``user`` sees hold posts they have not read (a thread never opened counts), up to
    ``cap``: one query, which stops at the ``cap``-th thread. 0 for anyone who is not a verified member."""
    if not permissions.is_member(user):
        return 0
    unread = feed_threads(user, FeedFilter(view=UNREAD), Thread.id).limit(cap).subquery()
    return db.session.scalar(select(func.count()).select_from(unread))


# -- a thread's posts -------------------------------------------------------------

@dataclass
class PostPage:
    """A page of a thread's posts, with the cursors of the pages around it."""

    posts: list[Post]
    newer: int | None  # ``after`` cursor of the next page
    older: int | None  # ``before`` cursor of the previous page


def post_page(user, thread: Thread, *, after: int | None = None, before: int | None = None,
              size: int = POSTS_PER_PAGE) -> PostPage:
    """A page of a thread's posts by post id (keyset, never OFFSET): after a post, before one, or the first."""
    moderator = permissions.can_moderate(user, thread.category)
    direction = "before" if before is not None else "after" if after is not None else "first"
    posts = db.session.scalars(_post_page_statement(moderator, direction, size),
                               {"thread": thread.id, "viewer": user.id, "cursor": before or after}).all()
    if before is not None:
        has_older = len(posts) > size
        posts = list(reversed(posts[:size]))
        # (the page that ends with a member's new reply is the thread's latest: its reply form shows)
        has_newer = thread.last_post_id is not None and before <= thread.last_post_id
    else:
        has_newer = len(posts) > size
        posts = posts[:size]
        has_older = after is not None and after >= (thread.first_post_id or 0)
    if not posts:
        return PostPage([], None, None)
    return PostPage(posts, posts[-1].id if has_newer else None, posts[0].id if has_older else None)


@prebuilt
def _post_page_statement(moderator: bool, direction: str, size: int):
    """Posts of a page (``direction``: "first", "after" or "before" the ``cursor`` post id), built once
    per kind of page. Held posts are shown to moderators and to their own author."""
    # The page shows each author's name, role and avatar, and the rendered text (the source is for editing).
    query = (select(Post).options(joinedload(Post.author).options(load_only(User.id, User.name, User.role),
                                                                  _with_photo()), defer(Post.body))
             .where(Post.thread_id == bindparam("thread", type_=Integer),
                    _posts_seen_by(moderator, bindparam("viewer", type_=Integer))))
    cursor = bindparam("cursor", type_=Integer)
    if direction == "before":
        return query.where(Post.id < cursor).order_by(Post.id.desc()).limit(size + 1)
    if direction == "after":
        query = query.where(Post.id > cursor)
    return query.order_by(Post.id).limit(size + 1)


def _posts_seen_by(moderator: bool, viewer_id):
    """Which posts of a thread a member sees: all for its moderators, else the published ones and their own."""
    return true() if moderator else or_(Post.held.is_(False), Post.author_id == viewer_id)


def thread_posts(user, thread: Thread):
    """The posts of ``thread`` that ``user`` sees, with their authors and their Markdown source (the API sends
    both texts); unsorted, for a page. The thread page's own statement is ``_post_page_statement``."""
    return (select(Post).options(joinedload(Post.author).load_only(User.id, User.name))
            .where(Post.thread_id == thread.id,
                   _posts_seen_by(permissions.can_moderate(user, thread.category), user.id)))


def load_thread(thread_id: int) -> Thread | None:
    """The thread with its category and the category's cohort (what permissions read)."""
    return db.session.scalars(_thread_statement(), {"id": thread_id}).first()


def load_post(post_id: int) -> Post | None:
    """The post with its author, thread, category and cohort (what permissions read)."""
    return db.session.scalars(_post_statement(), {"id": post_id}).first()


# Every discussion page loads a thread or a post with what permissions read (category, cohort): building the
# statement and its options cost more than running it.

@prebuilt
def _thread_statement():
    """A thread with its category and the category's cohort."""
    return (select(Thread).options(joinedload(Thread.category).joinedload(Category.cohort))
            .where(Thread.id == bindparam("id", type_=Integer)))


@prebuilt
def _post_statement():
    """A post with its author, thread, the thread's category and the category's cohort."""
    return (select(Post).options(joinedload(Post.author),
                                 joinedload(Post.thread).joinedload(Thread.category).joinedload(Category.cohort))
            .where(Post.id == bindparam("id", type_=Integer)))


# -- the reader's state -----------------------------------------------------------

def read_mark(user_id: int, thread_id: int) -> int | None:
    """The last post of the thread the member has read, if they have opened it."""
    return db.session.scalar(select(ReadMark.last_read_post_id).where(ReadMark.user_id == user_id,
                                                                      ReadMark.thread_id == thread_id))


class ReaderState(NamedTuple):
    """What the thread page shows of the member's own: how far they read, whether they watch, their draft."""

    last_read_post_id: int | None
    level: SubscriptionLevel | None
    draft: str | None
    draft_saved_at: datetime | None


def reader_state(user_id: int, thread_id: int) -> ReaderState:
    """The member's read mark, subscription level and reply draft for a thread, in one query (the thread
    page shows all three)."""
    return ReaderState(*db.session.connection().execute(_reader_state_statement(),
                                                        {"member": user_id, "thread": thread_id}).one())


@prebuilt
def _reader_state_statement():
    """The member's read mark, subscription level and draft (text, when saved) in the thread, in one row."""
    subscriptions, marks, drafts = Subscription.__table__, ReadMark.__table__, Draft.__table__

    def own(table, column):
        return select(column).where(table.c.user_id == _MEMBER, table.c.thread_id == _THREAD).scalar_subquery()

    return select(own(marks, marks.c.last_read_post_id).label("last_read_post_id"),
                  own(subscriptions, subscriptions.c.level).label("level"),
                  own(drafts, drafts.c.body).label("draft"), own(drafts, drafts.c.updated_at).label("draft_saved_at"))


# -- posts: revisions, a form sent twice -------------------------------------------

def revisions(post: Post) -> list[PostRevision]:
    """A post's earlier texts, newest first, with who saved each."""
    return db.session.scalars(select(PostRevision).options(joinedload(PostRevision.editor))
                              .where(PostRevision.post_id == post.id).order_by(PostRevision.id.desc())).all()


def sent_before(author_id: int, submission_key: str | None) -> Post | None:
    """The post a reply or new-thread form with this key already made (the form sent twice), if any."""
    if not submission_key:
        return None
    return db.session.scalar(select(Post).where(Post.author_id == author_id, Post.submission_key == submission_key))


# -- moderation --------------------------------------------------------------------

def open_flag_id(post: Post, reporter_id: int) -> int | None:
    """The id of the member's flag on ``post`` that no moderator has handled yet, if any."""
    return db.session.scalar(select(Flag.id).where(Flag.post_id == post.id, Flag.reporter_id == reporter_id,
                                                   Flag.resolved_at.is_(None)))


def moderation_queue(user) -> tuple[list[Flag], list[Post]]:
    """Open flags and held posts in the categories ``user`` moderates, oldest first."""
    mine = permissions.moderated_categories(user, Category)
    flags = db.session.scalars(
        select(Flag).join(Post, Post.id == Flag.post_id).join(Thread, Thread.id == Post.thread_id)
        .join(Category, Category.id == Thread.category_id)
        .options(joinedload(Flag.reporter), joinedload(Flag.post).joinedload(Post.author),
                 joinedload(Flag.post).joinedload(Post.thread))
        .where(Flag.resolved_at.is_(None), mine).order_by(Flag.id).limit(200)).all()
    held = db.session.scalars(
        select(Post).join(Thread, Thread.id == Post.thread_id).join(Category, Category.id == Thread.category_id)
        .options(joinedload(Post.author), joinedload(Post.thread))
        .where(Post.held.is_(True), Post.removed_at.is_(None), mine).order_by(Post.id).limit(200)).all()
    return flags, held


# -- the home page -----------------------------------------------------------------

def recent_threads(user, limit: int = 5) -> list:
    """The latest active threads the member may see, for the home page: rows of ``id``, ``title`` and
    ``category_name``, all the card shows."""
    return db.session.connection().execute(_recent_threads_statement(user.role, limit), {"member": user.id}).all()


@prebuilt
def _recent_threads_statement(role: Role, limit: int):
    """Built once per role: every home page view runs it, and building it (with the visibility subqueries)
    cost more than running it. The rules are ``permissions.visible_categories``' own, for a signed-in member
    of that role whose id is a parameter (the home page is for members only)."""
    viewer = SimpleNamespace(id=bindparam("member", type_=Integer), role=role, is_authenticated=True,
                             is_verified=True)
    return (select(Thread.id, Thread.title, Category.name.label("category_name"))
            .join(Category, Category.id == Thread.category_id)
            .where(permissions.visible_categories(viewer, Category), Thread.held.is_(False))
            .order_by(Thread.last_post_at.desc(), Thread.id.desc()).limit(limit))
