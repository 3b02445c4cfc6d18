"""The patient-identifier review. Which posts wait for a moderator (strong identifiers anywhere, any likely
identifier in a case-discussion category), the queue entry a post gets when its author confirmed that
weaker matches identify no patient, a moderator approving a held post, and redaction: the identifiers
replaced by "[removed]" wherever the post's text is kept."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape as html_escape

from sqlalchemy import or_, select, update

from network import permissions
from network.audit.models import record
from network.discussions.models import Category, Flag, Post, PostRevision
from network.discussions.phi import Match, any_strong, find_phi
from network.discussions.queries import open_flag_id
from network.discussions.rendering import render_body
from network.discussions.services.errors import AlreadyDone
from network.discussions.services.publishing import publish, tell_author
from network.extensions import db
from network.mail.models import EmailOutbox
from network.members.models import User
from network.notifications.models import Notification
from network.text.phi import redact
from network.types import utcnow

#: The reason of the queue entry a post gets when its author confirmed its possible identifiers.
AUTHOR_CONFIRMED = "The author confirmed that the highlighted text identifies no patient"
#: What replaces a redacted identifier, everywhere the text is stored.
REMOVED = "[removed]"


def must_hold(category: Category, matches: list[Match]) -> bool:
    """Strong identifiers wait for a moderator in every category; in a case-discussion category, any match."""
    return any_strong(matches) or bool(category.holds_phi_matches and matches)


@dataclass(frozen=True)
class DraftCheck:
    """What the guard says of a draft with likely patient identifiers, before it is posted or saved: it waits
    for a moderator (``holding``), it cannot be saved until they go (``refused``: strong identifiers in an
    edit of a published post, which cannot be held without hiding it), or else the author must confirm that
    the weaker matches identify no patient (the post is then published and enters the moderation queue)."""

    matches: list[Match]
    holding: bool
    refused: bool

    def stops(self, confirmed: bool) -> bool:
        """Whether the draft must change (or, for weaker matches, be confirmed) before it can be saved."""
        return self.refused or (not self.holding and not confirmed)


def check_draft(text: str, category: Category, can_hold: bool = True) -> DraftCheck | None:
    """The guard's word on a draft (a new thread's title and body, a reply, an edit), ``None`` when nothing
    in it looks like a patient identifier. Strong identifiers are never waved through: a new post with them
    waits for a moderator in any category, as does any match in a case-discussion category; an edit of a
    published post (``can_hold`` false) must lose them. The pages and the API ask this same question."""
    matches = find_phi(text)
    if not matches:
        return None
    if can_hold and must_hold(category, matches):
        return DraftCheck(matches, holding=True, refused=False)
    return DraftCheck(matches, holding=False, refused=any_strong(matches))


def identifier_kinds(matches: list[Match]) -> list[str]:
    """The kinds of identifier matched (a name, an MRN...): what the audit log keeps, never the text."""
    return sorted({match.kind for match in matches})


def ask_for_a_look(author: User, post: Post, matches: list[Match]) -> None:
    """A published post with weaker identifiers its author confirmed: it enters the moderation queue
    (once while the entry is open) so a moderator looks at the highlighted text."""
    if open_flag_id(post, author.id) is None:
        db.session.add(Flag(post_id=post.id, reporter_id=author.id, reason=AUTHOR_CONFIRMED))
    record(author.id, "post.phi-confirm", "post", post.id, thread_id=post.thread_id, kinds=identifier_kinds(matches))


def approve_post(actor: User, post: Post) -> None:
    """A moderator releases a held post (and its thread, when it is the opening post)."""
    if not post.held:
        raise AlreadyDone("This post is not waiting for review.")
    record(actor.id, "post.approve", "post", post.id, thread_id=post.thread_id)
    _release(actor, post, "published")


def _release(actor: User, post: Post, told: str) -> None:
    """A held post (and its thread, when it opens it) becomes visible, and its author is told what the
    moderator did."""
    thread = post.thread
    post.held = False
    if post.id == thread.first_post_id:
        thread.held = False
    db.session.flush()
    publish(post, thread, utcnow())
    tell_author(actor, post, thread, told)


def redact_post(actor: User, post: Post) -> list[str]:
    """Replace the patient identifiers of a post by "[removed]" wherever its text is kept: the post, every
    earlier revision, the thread title (opening post), the search index, notification titles and stored
    mails. A moderator's redaction of a held post releases it. The audit entry names the kinds, never the
    text. Returns the kinds removed."""
    thread = post.thread
    opening = post.id == thread.first_post_id
    history = db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)).all()
    texts = [post.body, *(revision.body for revision in history)] + ([thread.title] if opening else [])
    found = [(text, find_phi(text)) for text in texts]
    matches = [match for _text, spans in found for match in spans]
    if not matches:
        raise AlreadyDone("Nothing in this post looks like a patient identifier.")
    # The exact strings go too wherever they were copied (a quote in a title, a mail, another revision).
    removed = sorted({match.text for match in matches if match.text.strip()}, key=len, reverse=True)

    def scrub(text: str, spans=None) -> str:
        text = redact(text, spans if spans is not None else find_phi(text), REMOVED)
        for value in removed:
            text = text.replace(value, REMOVED)
        return text

    body = scrub(post.body, found[0][1])
    post.body, post.body_html = body, render_body(body, post.thread_id)[0]
    for revision, (_text, spans) in zip(history, found[1:], strict=False):
        revision.body = scrub(revision.body, spans)
    if opening:
        thread.title = scrub(thread.title)
    db.session.flush()
    for notification in db.session.scalars(select(Notification).where(
            Notification.target_type == "thread", Notification.target_id == thread.id,
            or_(*(Notification.title.contains(value, autoescape=True) for value in removed)))):
        notification.title = scrub(notification.title)
    _scrub_mails(removed)
    db.session.execute(update(Flag).where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
                       .values(resolved_at=utcnow(), resolved_by_id=actor.id, resolution="redacted"))
    kinds = identifier_kinds(matches)
    record(actor.id, "post.redact", "post", post.id, thread_id=thread.id, author_id=post.author_id,
           kinds=kinds, spans=len(matches), revisions=len(history))
    if post.held and permissions.can_moderate(actor, thread.category):
        _release(actor, post, "removed patient identifiers from and published")
    else:
        tell_author(actor, post, thread, "removed patient identifiers from")
    return kinds


def _scrub_mails(removed: list[str]) -> None:
    """Stored mails (queued ones above all: they have not gone out yet) lose the removed strings."""
    variants = sorted({v for value in removed for v in (value, html_escape(value, quote=True),
                                                        html_escape(value, quote=False))}, key=len, reverse=True)
    mails = db.session.scalars(select(EmailOutbox).where(or_(*(
        column.contains(value, autoescape=True) for value in variants
        for column in (EmailOutbox.subject, EmailOutbox.text_body, EmailOutbox.html_body))))).all()
    for mail in mails:
        for value in variants:
            mail.subject = mail.subject.replace(value, REMOVED)
            mail.text_body = mail.text_body.replace(value, REMOVED)
            mail.html_body = mail.html_body.replace(value, REMOVED)
