"""What every discussion page loads first: the category, thread or post of its URL, a 404 for anything the
member may not see (so a page never tells that it exists), and a 403 for members who may not moderate it."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from network import permissions
from network.discussions import queries
from network.discussions.models import Category, Post, Thread


def category_or_404(slug: str) -> Category:
    """The category at ``slug``, if the member may see it."""
    category = queries.load_category(slug)
    if category is None or not permissions.can_view_category(current_user, category):
        abort(404)
    return category


def thread_or_404(thread_id: int) -> Thread:
    """The thread, with its category, if the member may see it."""
    thread = queries.load_thread(thread_id)
    if thread is None or not permissions.can_view_thread(current_user, thread):
        abort(404)
    return thread


def post_or_404(post_id: int) -> Post:
    """The post, with its author and thread, if the member may see it."""
    post = queries.load_post(post_id)
    if post is None or not permissions.can_view_post(current_user, post):
        abort(404)
    return post


def moderator_or_403(category: Category) -> None:
    """Refuse members who do not moderate ``category``."""
    if not permissions.can_moderate(current_user, category):
        abort(403)
