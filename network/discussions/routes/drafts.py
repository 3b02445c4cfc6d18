"""Drafts of replies: the reply form saves its text as the member's draft in the thread (the script every
few seconds as the member types, as JSON; without JavaScript the "Save draft" button, Post/Redirect/Get),
and the member may discard it. The thread page and the reply page put it back into the form on any device;
posting the reply deletes it. A draft is the member's alone: the URLs name the thread, never a draft, so
nobody reaches another member's, and a member who may not see the thread gets 404."""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from network import permissions
from network.discussions import queries
from network.discussions.forms import MAX_POST_LENGTH, PostForm
from network.discussions.models import Draft, Thread
from network.discussions.routes.blueprint import bp
from network.discussions.routes.loading import thread_or_404
from network.discussions.services.drafts import discard_draft, save_draft
from network.extensions import db
from network.forms import strip_text

TOO_LONG = ("A draft can have at most {limit:,} characters, like a post; this one has {length:,}. "
            "Shorten it or split it into two posts: the draft was not saved.")


def draft_controls(thread: Thread, form, draft: str | None, saved_at: datetime | None,
                   back: str | None = None) -> dict | None:
    """The reply form's draft buttons and status, with the member's ``draft`` (saved at ``saved_at``) put back
    into a form just opened (before a quote the reply page adds). ``back="reply"``: the reply page's form."""
    if form is None:
        return None
    if draft is not None and not form.is_submitted():
        form.body.data = f"{draft}\n\n{form.body.data}" if form.body.data else draft
    return {"save_url": url_for("discussions.save_thread_draft", thread_id=thread.id, back=back),
            "discard_url": url_for("discussions.discard_thread_draft", thread_id=thread.id, back=back),
            "saved_at": saved_at if draft is not None else None}


def reply_page(thread: Thread, form, status: int = 200, **shown):
    """The reply page, with the member's draft (put back into a form just opened) and its buttons."""
    saved = db.session.get(Draft, (current_user.id, thread.id))
    controls = draft_controls(thread, form, saved.body if saved else None, saved.updated_at if saved else None,
                              back="reply")
    return render_template("discussions/reply.html", thread=thread, form=form, draft=controls, **shown), status


def _thread_for_draft(thread_id: int) -> Thread:
    """The thread (404 if the member may not see it), if the member may reply to it (403)."""
    thread = thread_or_404(thread_id)
    if not permissions.can_reply(current_user, thread):
        abort(403)
    return thread


def _wants_json() -> bool:
    """The autosaving script asks for JSON; a form sent without it gets a page."""
    return request.accept_mimetypes.best == "application/json"


def _back(thread: Thread):
    """Back to the form the member came from: the reply page, or the thread page's last page (the whole
    thread when it fits on one, else from its last post), where the reply form is."""
    if request.args.get("back") == "reply":
        return redirect(url_for(".reply", thread_id=thread.id))
    args = {}
    if thread.last_post_id and thread.post_count > queries.POSTS_PER_PAGE:
        args["after"] = thread.last_post_id - 1
    return redirect(url_for(".thread", thread_id=thread.id, _anchor="reply-heading", **args))


@bp.route("/t/<int:thread_id>/draft", methods=["POST"])
def save_thread_draft(thread_id: int):
    """Keep the reply form's text as the member's draft in the thread (an empty text discards it)."""
    thread = _thread_for_draft(thread_id)
    body = strip_text(request.form.get("body", ""))
    if len(body) > MAX_POST_LENGTH:
        message = TOO_LONG.format(limit=MAX_POST_LENGTH, length=len(body))
        if _wants_json():
            return jsonify(error=message), 413
        form = PostForm()
        form.body.errors = [message]
        return reply_page(thread, form, 413)
    try:
        draft = save_draft(current_user.id, thread.id, body)
        db.session.commit()
    except IntegrityError:  # the same member's other tab saved first: overwrite its draft
        db.session.rollback()
        draft = save_draft(current_user.id, thread.id, body)
        db.session.commit()
    if _wants_json():
        response = jsonify(saved=draft is not None,
                           saved_at=draft.updated_at.isoformat() if draft is not None else None,
                           status="Draft saved." if draft is not None else "The reply is empty: no draft kept.")
        response.headers["Cache-Control"] = "no-store"
        return response
    flash("Your draft is saved: it is in this reply form when you open the thread again, on any device."
          if draft is not None else "The reply is empty: no draft is kept.", "success")
    return _back(thread)


@bp.route("/t/<int:thread_id>/draft/discard", methods=["POST"])
def discard_thread_draft(thread_id: int):
    """Throw away the member's draft in the thread."""
    thread = thread_or_404(thread_id)
    discard_draft(current_user.id, thread.id)
    db.session.commit()
    if _wants_json():
        return jsonify(saved=False, status="Draft discarded.")
    flash("Your draft is discarded.", "success")
    return _back(thread)
