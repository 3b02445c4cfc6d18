"""Editing a post: the new text is saved and the old one kept as a revision, unless someone saved in between
(optimistic concurrency on the post's version). Strong patient identifiers cannot enter a published post;
members newly mentioned are notified."""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from network.audit.models import record
from network.discussions.models import Post, PostRevision
from network.discussions.phi import any_strong, find_phi
from network.discussions.rendering import render_body
from network.discussions.services.errors import EditConflict, IdentifiersRefused
from network.discussions.services.publishing import notify_mentions
from network.discussions.services.review import ask_for_a_look
from network.extensions import db
from network.members.models import User
from network.text.phi import without_phi
from network.types import utcnow


def edit_post(editor: User, post: Post, body: str, expected_version: int, title: str | None = None) -> Post:
    """Save a new text, keeping the old one as a revision. Refuses if someone saved in between."""
    if post.version != expected_version:
        raise EditConflict("Someone else saved this post while you were editing it. "
                           "Your text is below: compare it with the current version and save again.")
    thread = post.thread
    if body == post.body and (title is None or title == thread.title):
        return post
    matches = find_phi((title + "\n" if title is not None else "") + body)
    if any_strong(matches) and not post.held:
        raise IdentifiersRefused("This text holds patient identifiers that cannot be published (highlighted). "
                                 "Remove them to save your changes.")
    db.session.add(PostRevision(post_id=post.id, editor_id=editor.id, body=post.body))
    html, mentioned = render_body(body, post.thread_id)
    old_mentions = {u.id for u in render_body(post.body)[1]}
    post.body, post.body_html, post.edited_at = body, html, utcnow()
    if title is not None and post.id == thread.first_post_id and title != thread.title:
        record(editor.id, "thread.retitle", "thread", thread.id, old=without_phi(thread.title), new=without_phi(title))
        thread.title = title
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise EditConflict("Someone else saved this post at the same moment. Reload it and try again.") from exc
    if not post.held and not post.is_removed:
        new = [u for u in mentioned if u.id not in old_mentions]
        if new:
            notify_mentions(post, thread, editor, new)
        if matches:
            ask_for_a_look(editor, post, matches)
    if editor.id != post.author_id:
        record(editor.id, "post.edit", "post", post.id, thread_id=thread.id, author_id=post.author_id)
    return post

