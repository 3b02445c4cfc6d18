"""Starting a thread and replying. A draft with likely patient identifiers waits for a moderator where the
review says so (``review.must_hold``); otherwise it is published at once. The author watches the thread and
has read up to their post; the same form sent twice fails on the post's unique submission key."""

from __future__ import annotations

from datetime import datetime

from network import permissions
from network.audit.models import record
from network.discussions.models import Category, Post, Thread
from network.discussions.phi import find_phi
from network.discussions.rendering import render_body
from network.discussions.services.drafts import discard_draft
from network.discussions.services.errors import ThreadLocked
from network.discussions.services.publishing import notify_mentions, publish
from network.discussions.services.review import ask_for_a_look, identifier_kinds, must_hold
from network.discussions.services.subscriptions import follow
from network.extensions import db
from network.members.models import User
from network.text.quotes import quote_markup
from network.types import utcnow


def start_thread(author: User, category: Category, title: str, body: str,
                 submission_key: str | None = None) -> tuple[Thread, Post]:
    """Open a thread; in a case-discussion category a draft with likely identifiers waits for a moderator.
    The same form sent twice fails on its opening post's unique submission key (IntegrityError)."""
    matches = find_phi(title + "\n" + body)
    held = must_hold(category, matches)
    now = utcnow()
    thread = Thread(category=category, author_id=author.id, title=title, created_at=now, last_post_at=now,
                    post_count=0 if held else 1, held=held)
    db.session.add(thread)
    db.session.flush()
    post = _add_post(author, thread, body, held, now, submission_key)
    thread.first_post_id = post.id
    if not held:
        thread.last_post_id = post.id
    follow(author.id, thread.id, post.id)
    if held:
        record(author.id, "post.hold", "post", post.id, thread_id=thread.id, reason="possible patient identifiers",
               kinds=identifier_kinds(matches))
    else:
        notify_mentions(post, thread, author, mentioned=post._mentioned)
        if matches:
            ask_for_a_look(author, post, matches)
    return thread, post


def _add_post(author: User, thread: Thread, body: str, held: bool, now: datetime,
              submission_key: str | None = None) -> Post:
    """Add the post and flush it, so it has its id. A second post with the same submission key (the form
    sent twice) fails here, on the unique key."""
    html, mentioned = render_body(body, thread.id)
    post = Post(thread_id=thread.id, author_id=author.id, body=body, body_html=html, created_at=now, held=held,
                submission_key=submission_key or None)
    db.session.add(post)
    db.session.flush()
    post._mentioned = mentioned
    return post


def reply(author: User, thread: Thread, body: str, submission_key: str | None = None) -> Post:
    """Add a reply; subscribers and mentioned members are notified (unless it waits for a moderator). The
    author's draft in the thread is done with."""
    if thread.removed_at is not None:
        raise ThreadLocked("This thread was removed: it takes no more replies.")
    if thread.locked and not permissions.can_moderate(author, thread.category):
        raise ThreadLocked("This thread is locked: it takes no more replies.")
    matches = find_phi(body)
    held = must_hold(thread.category, matches)
    now = utcnow()
    post = _add_post(author, thread, body, held, now, submission_key)
    follow(author.id, thread.id, post.id)
    discard_draft(author.id, thread.id)
    if held:
        record(author.id, "post.hold", "post", post.id, thread_id=thread.id, reason="possible patient identifiers",
               kinds=identifier_kinds(matches))
        return post
    publish(post, thread, now)
    if matches:
        ask_for_a_look(author, post, matches)
    return post


def quote(post: Post) -> str:
    """Markdown that quotes ``post`` at the start of a reply (rendered naming its author, linked to it)."""
    return quote_markup(post.author.name, post.id, post.body.replace("\r\n", "\n"))


