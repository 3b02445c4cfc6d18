"""Reacting to posts: marking a post helpful (a button that works without JavaScript, Post/Redirect/Get back
to the post; a page's script asks for JSON and updates the button in place), and accepting a reply as the
thread's answer."""

from __future__ import annotations

import logging

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from network import permissions
from network.discussions import thread_page
from network.discussions.routes.blueprint import bp
from network.discussions.routes.loading import post_or_404
from network.discussions.services import answers, reactions
from network.discussions.services.errors import AlreadyDone, NotAnAnswer
from network.errors import wants_json
from network.extensions import db

log = logging.getLogger(__name__)


@bp.route("/p/<int:post_id>/helpful", methods=["POST"])
def helpful(post_id: int):
    """Mark a post helpful, or take the mark back."""
    post = post_or_404(post_id)
    if not permissions.can_react(current_user, post):
        abort(403)
    try:
        reactions.toggle_helpful(current_user, post)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same click twice at once: the first one counted
    if wants_json():
        marks = thread_page.helpful_marks(current_user.id, [post.id]).get(post.id) or thread_page.Helpful()
        return jsonify(given=marks.mine, count=marks.count, names=marks.names)
    return redirect(url_for(".show_post", post_id=post.id))


@bp.route("/p/<int:post_id>/answer", methods=["POST"])
def answer(post_id: int):
    """Accept a reply as the thread's answer (``value=on``), or unmark it (``value=off``)."""
    post = post_or_404(post_id)
    thread = post.thread
    if not permissions.can_mark_answer(current_user, thread):
        abort(403)
    value = request.form.get("value")
    if value not in ("on", "off"):
        abort(400)
    try:
        if value == "on":
            answers.mark_answer(current_user, thread, post)
        elif thread.answer_post_id != post.id:
            raise AlreadyDone("This reply is not the thread's answer.")
        else:
            answers.unmark_answer(current_user, thread)
    except NotAnAnswer as exc:
        abort(400, str(exc))
    except AlreadyDone as exc:
        flash(str(exc), "info")
    else:
        db.session.commit()
        log.info("thread %s answer %s by %s", thread.id, thread.answer_post_id, current_user.id)
        flash("The reply is marked as the answer." if value == "on" else "The reply is no longer the answer.",
              "success")
    return redirect(url_for(".show_post", post_id=post.id))
