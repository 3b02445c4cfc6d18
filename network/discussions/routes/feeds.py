"""Where the discussions open: the Latest feed (threads across every category the member sees, newest activity
first), the Unread feed (those with posts the member has not read), both filtered by category or to the
member's cohorts and keyset-paged; "Mark all read" for a feed; and the Categories tab (each category with its
counts); and the navigation's count of unread threads."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from network.discussions import queries
from network.discussions.feeds import LATEST, MY_COHORTS, UNREAD, FeedFilter
from network.discussions.routes.blueprint import bp
from network.discussions.routes.loading import cursor_arg, thread_cursor
from network.discussions.services.categories import ensure_cohort_categories
from network.discussions.services.subscriptions import mark_all_read as mark_feed_read
from network.extensions import db
from network.integers import bounded_int

FEED_ENDPOINTS = {LATEST: ".index", UNREAD: ".unread"}


@bp.app_context_processor
def unread_threads_badge():
    """``unread_thread_count()`` for the navigation's "Discussions" item: one query, run only when a page asks."""
    return {"unread_thread_count": lambda: queries.unread_thread_count(current_user)}


@bp.route("/")
def index():
    """The Latest feed: threads across every category the member sees, newest activity first."""
    return _feed(LATEST)


@bp.route("/unread")
def unread():
    """The Unread feed: threads with posts the member has not read, with how many."""
    return _feed(UNREAD)


def _feed(view: str):
    categories = queries.visible_categories(current_user)
    feed = _feed_filter(view, request.args.get("category", ""), categories)
    before = thread_cursor()
    rows, cursor = queries.feed_page(current_user, feed, before)
    endpoint = FEED_ENDPOINTS[view]
    first_url = url_for(endpoint, category=feed.category_arg)
    next_url = url_for(endpoint, category=feed.category_arg, before=cursor_arg(cursor)) if cursor else None
    return render_template("discussions/feed.html", feed=feed, rows=rows, categories=categories,
                           first_url=first_url if before else None, next_url=next_url)


def _feed_filter(view: str, category: str, categories) -> FeedFilter:
    """The feed's filter from its ``category`` argument: empty (every category), "cohort" (the member's cohorts'
    categories) or the id of a category among ``categories`` (those the member sees); anything else is a 404,
    so a feed never tells that a category the member may not see exists."""
    if not category:
        return FeedFilter(view)
    if category == MY_COHORTS:
        return FeedFilter(view, cohorts=True)
    category_id = bounded_int(category)
    if category_id is None or all(c.id != category_id for c in categories):
        abort(404)
    return FeedFilter(view, category_id=category_id)


@bp.route("/mark-read", methods=["POST"])
def mark_all_read():
    """Mark every thread of the feed (its category filter kept) read up to its last post."""
    view = request.form.get("view", LATEST)
    if view not in FEED_ENDPOINTS:
        abort(400)
    feed = _feed_filter(view, request.form.get("category", ""), queries.visible_categories(current_user))
    mark_feed_read(current_user, feed)
    db.session.commit()
    where = {None: "", MY_COHORTS: " in your cohorts' categories"}.get(feed.category_arg, " in this category")
    flash(f"Every thread{where} is marked read.", "success")
    return redirect(url_for(FEED_ENDPOINTS[view], category=feed.category_arg))


@bp.route("/c/")
def overview():
    """The Categories tab: the categories the member can see, with their counts and unread threads."""
    if ensure_cohort_categories():
        db.session.commit()  # a cohort created elsewhere gets its private category on first visit
    return render_template("discussions/index.html", summaries=queries.category_summaries(current_user))
