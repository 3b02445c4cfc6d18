"""Writing in discussions over the API: starting a thread, replying and editing a post, through the services the
pages use, with their permission rules, their rate limit (``network.discussions.limits``, one allowance shared
with the pages) and their patient-identifier guard (``review.check_draft``).

The guard answers as the page does: a draft it stops (weaker matches not confirmed, or strong identifiers in an
edit of a published post) is a 422 naming the kind of each match and where it is; ``confirm_no_phi`` is the
page's "I checked" box, which publishes weaker matches (and puts the post in the moderation queue) but never
strong ones: a new post with them is accepted and held for a moderator (``held``), as on the page. The 422
names kinds and character positions, not the matched text, so a client's log does not keep the identifiers.
"""

from __future__ import annotations

from functools import wraps

import marshmallow as ma
from flask import abort, url_for
from flask_login import current_user
from werkzeug.exceptions import UnprocessableEntity

from network import permissions
from network.api.auth import scope
from network.api.resources.discussions import (
    ID,
    PostSchema,
    ThreadDetailSchema,
    blp,
    body_field,
    category_or_404,
    confirm_field,
    post_item,
    post_or_404,
    thread_item,
    thread_or_404,
    title_field,
)
from network.discussions import limits
from network.discussions.models import Category, Post
from network.discussions.services import editing, posting
from network.discussions.services.errors import EditConflict, IdentifiersRefused, ThreadLocked
from network.discussions.services.review import check_draft
from network.extensions import db


class NewThreadSchema(ma.Schema):
    title = title_field(required=True)
    body = body_field(required=True)
    confirm_no_phi = confirm_field()


class ReplySchema(ma.Schema):
    body = body_field(required=True)
    confirm_no_phi = confirm_field()


class PostEditSchema(ma.Schema):
    version = ma.fields.Integer(required=True, strict=True, metadata={
        "description": "The post's version you edited (as the page's form sends it): another is a 409."}, **ID)
    body = body_field("The new text (Markdown); the current one when left out.")
    title = title_field("The thread's new title: for its opening post only.")
    confirm_no_phi = confirm_field()


def _unprocessable(detail: str, errors: dict[str, list[str]]):
    """A 422 problem whose ``errors`` name the body's fields, as webargs names invalid ones."""
    error = UnprocessableEntity(detail)
    error.data = {"messages": {"json": errors}}
    raise error


def _guard(fields: dict[str, str], category: Category, confirmed: bool, can_hold: bool = True) -> None:
    """The page's patient-identifier check of ``fields`` (title, then body, read as the page joins them): a
    422 when it stops the draft, naming each match's kind and where it is in which field."""
    check = check_draft("\n".join(fields.values()), category, can_hold)
    if check is None or not check.stops(confirmed):
        return
    errors: dict[str, list[str]] = {}
    start = 0
    for name, value in fields.items():
        found = [f"{match.label} at characters {match.start - start + 1}–{match.end - start}"
                 for match in check.matches if start <= match.start < start + len(value) + 1]
        if found:
            errors[name] = ["Likely patient identifiers: " + "; ".join(found) + "."]
        start += len(value) + 1
    if check.refused:
        _unprocessable("This text holds patient identifiers that cannot be published in a published post: "
                       "remove them to save your changes (see errors for what and where).", errors)
    _unprocessable("This text looks like it may identify a patient (see errors for what and where). Remove the "
                   "identifiers, or send \"confirm_no_phi\": true to confirm they are not patient information.",
                   errors)


@blp.route("/categories/<int:category_id>/threads", methods=["POST"])
@scope("write")
@limits.new_threads
@blp.arguments(NewThreadSchema)
@blp.response(201, ThreadDetailSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def start_thread(data, category_id: int):
    """Start a thread in a category you see, as its page does.

    The title and text pass the page's patient-identifier check (a 422 names what it found); one that must
    wait for a moderator is created held (`held`), seen only by you and the moderators until approved."""
    category = category_or_404(category_id)
    _guard({"title": data["title"], "body": data["body"]}, category, data["confirm_no_phi"])
    thread, _ = posting.start_thread(current_user, category, data["title"], data["body"])
    db.session.commit()
    return (thread_item(thread, can_reply=permissions.can_reply(current_user, thread)), 201,
            {"Location": url_for("api_discussions.thread", thread_id=thread.id)})


@blp.route("/threads/<int:thread_id>/posts", methods=["POST"])
@scope("write")
@limits.replies
@blp.arguments(ReplySchema)
@blp.response(201, PostSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def reply(data, thread_id: int):
    """Reply to a thread, as its page does: watchers and mentioned members are notified, and you watch it.

    A locked thread takes replies from its moderators only (403). The text passes the page's
    patient-identifier check (a 422 names what it found); a reply that must wait for a moderator is
    created held (`held`)."""
    found = thread_or_404(thread_id)
    if not permissions.can_reply(current_user, found):
        abort(403, "This thread takes no more replies: it is locked, or was removed.")
    _guard({"body": data["body"]}, found.category, data["confirm_no_phi"])
    try:
        post = posting.reply(current_user, found, data["body"])
    except ThreadLocked as exc:
        db.session.rollback()
        abort(409, str(exc))
    db.session.commit()
    return post_item(post), 201, {"Location": url_for("api_discussions.post", post_id=post.id)}


def _editable_post(view):
    """Load the post of the URL (404 when the caller may not see it) and refuse who may not edit it (403)
    before the ETag precondition is read: the answers a page gives first, then 428 or 412."""
    @wraps(view)
    def wrapped(*args, post_id: int, **kwargs):
        post = post_or_404(post_id)
        if not permissions.can_edit_post(current_user, post):
            abort(403, "You may not edit this post: it is another member's, its thread is locked, or it was removed.")
        return view(*args, post=post, **kwargs)

    return wrapped


@blp.route("/posts/<int:post_id>", methods=["PATCH"])
@scope("write")
@_editable_post
@blp.etag
@blp.arguments(PostEditSchema)
@blp.response(200, PostSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def edit_post(data, post: Post):
    """Edit a post (yours, or any in a category you moderate), as its page does; the old text is kept.

    Send the post's `ETag` in `If-Match` (412 when it changed since, 428 without one) and its `version` in
    the body (409 when someone saved in between). The opening post also takes the thread's `title`. Strong
    patient identifiers cannot enter a published post, and weaker ones need `confirm_no_phi` (422)."""
    blp.check_etag(post_item(post), PostSchema)
    thread = post.thread
    opening = post.id == thread.first_post_id
    if "title" in data and not opening:
        _unprocessable("Only a thread's opening post has a title.", {"title": ["Leave it out for a reply."]})
    body = data.get("body", post.body)
    title = data.get("title", thread.title) if opening else None
    fields = {"title": title, "body": body} if opening else {"body": body}
    _guard(fields, thread.category, data["confirm_no_phi"], can_hold=post.held)
    try:
        editing.edit_post(current_user, post, body, data["version"], title)
    except IdentifiersRefused as exc:  # (the guard said so already; the service decides)
        db.session.rollback()
        _unprocessable(str(exc), {"body": [str(exc)]})
    except EditConflict as exc:
        db.session.rollback()
        abort(409, str(exc))
    db.session.commit()
    return post_item(post)
