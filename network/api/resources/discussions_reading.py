"""Reading discussions over the API: the categories you see, a category's threads, a thread, its posts and one
post, with the same 404s, order and visibility as the pages (``network.discussions.queries`` and
``network.permissions``). Reading a page of a thread's posts moves your read mark, as the thread page does."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import Integer, cast, select

from network import permissions
from network.api.auth import scope
from network.api.pagination import LINK_HEADER, PageArgs, keyset_page
from network.api.resources.discussions import (
    CategorySchema,
    PostSchema,
    ThreadDetailSchema,
    ThreadRowSchema,
    blp,
    category_item,
    category_or_404,
    post_item,
    post_or_404,
    thread_item,
    thread_or_404,
)
from network.discussions import queries
from network.discussions.models import Category, Post, Thread
from network.discussions.services.categories import ensure_cohort_categories
from network.discussions.services.subscriptions import mark_read
from network.extensions import db


@blp.route("/categories")
@scope("read")
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, CategorySchema(many=True), headers=LINK_HEADER)
@blp.alt_response(400, response="BAD_REQUEST")
def categories(args):
    """The categories you may see, in the order of the discussion index, with their counts.

    Every member sees the open categories, faculty the faculty lounge, a cohort's members its private
    category, administrators all; `unread_threads` counts the threads with posts you have not read."""
    if ensure_cohort_categories():
        db.session.commit()  # a cohort created elsewhere gets its private category, as on the index page
    statement = select(Category).where(permissions.visible_categories(current_user, Category))
    page = keyset_page(db.session, statement, [(Category.position, False), (Category.id, False)],
                       lambda category: (category.position, category.id), args)
    return [category_item(summary) for summary in queries.category_stats(current_user, page.items)], 200, page.headers


@blp.route("/categories/<int:category_id>/threads")
@scope("read")
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, ThreadRowSchema(many=True), headers=LINK_HEADER)
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(404, response="NOT_FOUND")
def category_threads(args, category_id: int):
    """A category's threads as its page lists them: pinned first, then the latest activity first.

    A thread waiting for a moderator is listed to its author and the moderators only."""
    category = category_or_404(category_id)
    # (pinned as 0/1: a keyset compares with < and >, which SQL has for numbers, not for booleans)
    order = [(cast(Thread.pinned, Integer), True), (Thread.last_post_at, True), (Thread.id, True)]
    page = keyset_page(db.session, queries.threads_in(current_user, category), order,
                       lambda row: (int(row[0].pinned), row[0].last_post_at, row[0].id), args, scalars=False)
    rows = queries.with_unread(current_user, page.items)
    return [thread_item(row.thread, unread=row.unread) for row in rows], 200, page.headers


@blp.route("/threads/<int:thread_id>")
@scope("read")
@blp.etag
@blp.response(200, ThreadDetailSchema)
@blp.alt_response(404, response="NOT_FOUND")
def thread(thread_id: int):
    """A thread: its title, counts, whether it is pinned, locked or waiting for a moderator, and whether you
    may reply."""
    found = thread_or_404(thread_id)
    return thread_item(found, can_reply=permissions.can_reply(current_user, found))


@blp.route("/threads/<int:thread_id>/posts")
@scope("read")
@blp.etag
@blp.arguments(PageArgs, location="query")
@blp.response(200, PostSchema(many=True), headers=LINK_HEADER)
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(404, response="NOT_FOUND")
def thread_posts(args, thread_id: int):
    """A thread's posts in the thread's order (oldest first), each as Markdown and as the page's HTML.

    A removed post keeps its place without its text; a post waiting for a moderator is shown to its author
    and the moderators only. Reading a page moves your read mark to its last post, as the thread page does."""
    found = thread_or_404(thread_id)
    page = keyset_page(db.session, queries.thread_posts(current_user, found), [(Post.id, False)],
                       lambda post: (post.id,), args)
    items = [post_item(post) for post in page.items]
    if page.items and mark_read(current_user.id, found.id, page.items[-1].id,
                                queries.read_mark(current_user.id, found.id)):
        db.session.commit()
    return items, 200, page.headers


@blp.route("/posts/<int:post_id>")
@scope("read")
@blp.etag
@blp.response(200, PostSchema)
@blp.alt_response(404, response="NOT_FOUND")
def post(post_id: int):
    """One post, with the `ETag` an edit sends back in `If-Match`."""
    return post_item(post_or_404(post_id))
