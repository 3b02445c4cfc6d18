"""What every discussion page loads first: the category, thread or post of its URL, a 404 for anything the
member may not see (so a page never tells that it exists), and a 403 for members who may not moderate it."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from network import permissions
from network.discussions import queries
from network.discussions.models import Category, Post, Thread


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
