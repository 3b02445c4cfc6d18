"""What every discussion page loads first: the category, thread or post of its URL, a 404 for anything the
member may not see (so a page never tells that it exists), and a 403 for members who may not moderate it;
and the cursor of a keyset page of threads."""

from __future__ import annotations

from datetime import datetime

from flask import abort, request
from flask_login import current_user

from network import permissions
from network.discussions import queries
from network.discussions.models import Category, Post, Thread
from network.integers import bounded_int


def _visible_or_404(found, can_view):
    """``found``, if there is one and the member may see it."""
    if found is None or not can_view(current_user, found):
        abort(404)
    return found


def category_or_404(slug: str) -> Category:
    """The category at ``slug``, with its cohort."""
    return _visible_or_404(queries.load_category(slug), permissions.can_view_category)


def thread_or_404(thread_id: int) -> Thread:
    """The thread, with its category."""
    return _visible_or_404(queries.load_thread(thread_id), permissions.can_view_thread)


def post_or_404(post_id: int) -> Post:
    """The post, with its author, thread and category."""
    return _visible_or_404(queries.load_post(post_id), permissions.can_view_post)


def moderator_or_403(category: Category) -> None:
    """Refuse members who do not moderate ``category``."""
    if not permissions.can_moderate(current_user, category):
        abort(403)


def thread_cursor() -> tuple[datetime, int] | None:
    """The ``before`` argument of a page of threads, "<last activity>_<thread id>"; a cursor that is not one
    (hand-edited) is ignored: the first page."""
    at, _, thread_id = request.args.get("before", "").rpartition("_")
    cursor_id = bounded_int(thread_id)
    if not at or cursor_id is None:
        return None
    try:
        return datetime.fromisoformat(at), cursor_id
    except ValueError:
        return None


def cursor_arg(cursor: tuple[datetime, int] | None) -> str | None:
    """``cursor`` as the ``before`` argument of the next page's URL."""
    return f"{cursor[0].isoformat()}_{cursor[1]}" if cursor else None
