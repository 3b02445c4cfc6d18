"""Removing posts: the author deletes, or a moderator removes, a post after a confirmation step (a moderator's
reason reaches the author), and the one who removed it may undo that within the undo window."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from network import permissions
from network.confirmation import UNDO_WINDOW, confirmation_page, confirmed, flash_undo
from network.discussions.forms import RemovePostForm
from network.discussions.models import Post
from network.discussions.routes.blueprint import bp
from network.discussions.routes.loading import post_or_404
from network.discussions.services import removal
from network.discussions.services.errors import DiscussionError
from network.extensions import db


@bp.route("/p/<int:post_id>/remove", methods=["POST"])
def remove_post(post_id: int):
    """The author deletes, or a moderator removes, a post: it stays in place as "removed"."""
    post = post_or_404(post_id)
    if not permissions.can_remove_post(current_user, post):
        abort(403)
    form = RemovePostForm()
    if not form.validate_on_submit():
        if set(form.errors) != {"reason"}:
            abort(400)
        flash(form.reason.errors[0], "danger")
        return redirect(_back_from_removal(post))
    if not confirmed():
        return confirm_removal(post, bool(form.reason.data), cancel=_back_from_removal(post))
    # A moderator's reason reaches the author; one's own deletion needs none.
    reason = (form.reason.data or "") if current_user.id != post.author_id else ""
    removal.remove_post(current_user, post, reason=reason)
    db.session.commit()
    flash_removed(post)
    return redirect(_back_from_removal(post))


def confirm_removal(post: Post, with_reason: bool, cancel: str):
    """The confirmation step before a post is deleted by its author or removed by a moderator."""
    own = current_user.id == post.author_id
    told = "" if own else f" {post.author.name} is told{' why' if with_reason else ''}."
    return confirmation_page(
        title="Delete your post?" if own else f"Remove {post.author.name}'s post?",
        consequences=f"Its text is hidden from everyone and leaves search; the thread shows “This post was "
                     f"removed” in its place.{told} You can undo this for {UNDO_WINDOW.seconds // 60} minutes.",
        button="Delete the post" if own else "Remove the post", cancel=cancel)


def flash_removed(post: Post) -> None:
    told = "" if current_user.id == post.author_id else " and its author is told"
    flash_undo(f"The post is removed{told}. You can undo this for {UNDO_WINDOW.seconds // 60} minutes.",
               url_for(".restore_post", post_id=post.id))


@bp.route("/p/<int:post_id>/restore", methods=["POST"])
def restore_post(post_id: int):
    """Undo a removal, for the member who removed the post, within the undo window."""
    post = post_or_404(post_id)
    if not permissions.can_restore_post(current_user, post):
        abort(403)
    try:
        removal.restore_post(current_user, post)
    except DiscussionError as exc:
        flash(str(exc), "warning")
        return redirect(url_for(".show_post", post_id=post.id)), 409
    db.session.commit()
    flash("The post is back.", "success")
    return redirect(url_for(".show_post", post_id=post.id))


def _back_from_removal(post: Post) -> str:
    """Back to the queue when the moderator came from it, else to the post."""
    if request.form.get("back") == "queue" and permissions.can_moderate(current_user, post.thread.category):
        return url_for(".moderation")
    return url_for(".show_post", post_id=post.id)


