"""``/api/v1/discussions``: categories, threads and posts, as the discussion pages show them to the caller.

The blueprint and what its two halves share: the schemas, and the dicts each answer is built from (a field the
page does not show, such as the text of a removed post, is left out of the dict, so it is absent from the JSON).
``discussions_reading`` holds the reads, ``discussions_writing`` starting a thread, replying and editing.
"""

from __future__ import annotations

import marshmallow as ma
from flask import abort
from flask_login import current_user

from network import permissions
from network.api.blueprint import api_blueprint
from network.api.schemas import MemberRef, UTCDateTime
from network.discussions import queries
from network.discussions.forms import MAX_POST_LENGTH, MAX_TITLE_LENGTH
from network.discussions.models import Category, CategoryVisibility, Post, Thread
from network.discussions.queries import CategorySummary
from network.extensions import db
from network.forms import strip, strip_text
from network.integers import DB_INT_MAX

blp = api_blueprint("discussions", __name__, "Discussion categories, their threads and the threads' posts: "
                                             "reading, starting a thread, replying and editing a post.")


# -- loading: a 404 for what the caller may not see, as on the pages ------------------------------------------

def _visible_or_404(found, can_view, what: str):
    if found is None or not can_view(current_user, found):
        abort(404, f"There is no such {what}, or your account may not see it.")
    return found


def category_or_404(category_id: int) -> Category:
    return _visible_or_404(db.session.get(Category, category_id), permissions.can_view_category, "category")


def thread_or_404(thread_id: int) -> Thread:
    return _visible_or_404(queries.load_thread(thread_id), permissions.can_view_thread, "thread")


def post_or_404(post_id: int) -> Post:
    return _visible_or_404(queries.load_post(post_id), permissions.can_view_post, "post")


# -- fields --------------------------------------------------------------------------------------------------

class _Text(ma.fields.String):
    """A text as the page's form takes it: trimmed (a title folded to one line, a body without control
    characters), and refused when it cannot be stored (a lone surrogate from a ``\\ud800`` escape)."""

    def __init__(self, *, single_line: bool, **kwargs):
        self.single_line = single_line
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ma.ValidationError("Send text as UTF-8: this holds a lone surrogate.") from exc
        return strip(text) if self.single_line else strip_text(text)


def title_field(description: str = "The thread's title (one line).", **kwargs) -> _Text:
    return _Text(single_line=True, validate=ma.validate.Length(
        1, MAX_TITLE_LENGTH, error=f"Give the thread a title of at most {MAX_TITLE_LENGTH} characters."),
        metadata={"description": description, "maxLength": MAX_TITLE_LENGTH}, **kwargs)


def body_field(description: str = ("Markdown: **bold**, *italic*, lists, `code`, > quotes, tables and links; "
                                   "@Their Name mentions a member. Never post patient identifiers."),
               **kwargs) -> _Text:
    return _Text(single_line=False, validate=ma.validate.Length(
        1, MAX_POST_LENGTH, error=f"Write something, at most {MAX_POST_LENGTH:,} characters."),
        metadata={"description": description, "maxLength": MAX_POST_LENGTH}, **kwargs)


def confirm_field() -> ma.fields.Boolean:
    return ma.fields.Boolean(load_default=False, metadata={"description": (
        "The page's \"I checked: the highlighted text identifies no patient\". Needed when the text holds "
        "something that may identify a patient (a 422 names it); it never publishes strong identifiers.")})


ID = {"validate": ma.validate.Range(1, DB_INT_MAX)}


# -- schemas -------------------------------------------------------------------------------------------------

class CategorySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    visibility = ma.fields.String(required=True, metadata={"enum": [v.value for v in CategoryVisibility],
                                                            "description": "Who sees it: every member, one "
                                                                           "cohort, or faculty."})
    cohort_id = ma.fields.Integer(metadata={"description": "The cohort, for a cohort's private category."})
    holds_phi_matches = ma.fields.Boolean(required=True, metadata={"description": (
        "Case discussions: a post that looks like it holds patient identifiers waits for a moderator.")})
    threads = ma.fields.Integer(required=True)
    posts = ma.fields.Integer(required=True)
    unread_threads = ma.fields.Integer(required=True)
    last_post_at = UTCDateTime(metadata={"description": "Absent while the category has no post."})


class ThreadSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    category_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    author = ma.fields.Nested(MemberRef, required=True)
    created_at = UTCDateTime(required=True)
    last_post_at = UTCDateTime(required=True)
    post_count = ma.fields.Integer(required=True, metadata={"description": "Published posts."})
    first_post_id = ma.fields.Integer()
    last_post_id = ma.fields.Integer(metadata={"description": "The newest published post."})
    pinned = ma.fields.Boolean(required=True)
    locked = ma.fields.Boolean(required=True, metadata={"description": "Takes no more replies (but a moderator's)."})
    held = ma.fields.Boolean(required=True, metadata={"description": (
        "Its opening post waits for a moderator: only its author and the moderators see it.")})
    removed = ma.fields.Boolean(required=True, metadata={"description": (
        "Its held opening post was removed: it stays hidden and takes no replies.")})


class ThreadRowSchema(ThreadSchema):
    unread = ma.fields.Integer(required=True, metadata={"description": "Posts you have not read."})


class ThreadDetailSchema(ThreadSchema):
    can_reply = ma.fields.Boolean(required=True, metadata={"description": "Whether you may reply."})


class PostSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    thread_id = ma.fields.Integer(required=True)
    author = ma.fields.Nested(MemberRef, required=True)
    created_at = UTCDateTime(required=True)
    edited_at = UTCDateTime(metadata={"description": "Absent if never edited (or removed)."})
    version = ma.fields.Integer(required=True, metadata={"description": "Send it back with an edit."})
    held = ma.fields.Boolean(required=True, metadata={"description": (
        "Waits for a moderator (it may hold patient identifiers): only its author and the moderators see it.")})
    removed = ma.fields.Boolean(required=True, metadata={"description": (
        "Removed by its author or a moderator: it keeps its place, and its text is absent.")})
    body = ma.fields.String(metadata={"description": "The Markdown source; absent once removed."})
    body_html = ma.fields.String(metadata={"description": (
        "The sanitised HTML the thread page shows (mentions linked); absent once removed.")})


# -- answers -------------------------------------------------------------------------------------------------

def category_item(summary: CategorySummary) -> dict:
    category = summary.category
    item = {"id": category.id, "slug": category.slug, "name": category.name, "description": category.description,
            "visibility": str(category.visibility), "holds_phi_matches": category.holds_phi_matches,
            "threads": summary.threads, "posts": int(summary.posts), "unread_threads": int(summary.unread_threads)}
    if category.cohort_id is not None:
        item["cohort_id"] = category.cohort_id
    if summary.last_post_at is not None:
        item["last_post_at"] = summary.last_post_at
    return item


def thread_item(thread: Thread, **extra) -> dict:
    item = {"id": thread.id, "category_id": thread.category_id, "title": thread.title,
            "author": {"id": thread.author.id, "name": thread.author.name}, "created_at": thread.created_at,
            "last_post_at": thread.last_post_at, "post_count": thread.post_count, "pinned": thread.pinned,
            "locked": thread.locked, "held": thread.held, "removed": thread.removed_at is not None, **extra}
    for key in ("first_post_id", "last_post_id"):
        if getattr(thread, key) is not None:
            item[key] = getattr(thread, key)
    return item


def post_item(post: Post) -> dict:
    """A post as the thread page shows it: a removed one keeps its place and author, without its text."""
    item = {"id": post.id, "thread_id": post.thread_id, "author": {"id": post.author.id, "name": post.author.name},
            "created_at": post.created_at, "version": post.version, "held": post.held, "removed": post.is_removed}
    if not post.is_removed:
        item["body"], item["body_html"] = post.body, post.body_html
        if post.edited_at is not None:
            item["edited_at"] = post.edited_at
    return item
