"""Moderating discussions: a member flags a post; a moderator works the queue of open flags and held posts
(likely patient identifiers highlighted), approves a held post, redacts identifiers (its author may too),
resolves flags, and pins, locks or moves threads."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from network import permissions
from network.access import permission_required
from network.confirmation import confirmed
from network.discussions import queries
from network.discussions.forms import FlagForm, MoveForm, RemovePostForm
from network.discussions.models import Flag
from network.discussions.phi import marked_identifiers
from network.discussions.routes.blueprint import bp
from network.discussions.routes.loading import moderator_or_403, post_or_404, thread_or_404
from network.discussions.routes.removal import confirm_removal, flash_removed
from network.discussions.services import flags
from network.discussions.services.errors import AlreadyDone
from network.discussions.services.moderation import move_thread, set_locked, set_pinned
from network.discussions.services.review import approve_post, redact_post
from network.extensions import db


def _apply_once(change, *args, done: str) -> None:
    """Make a change that someone (another moderator, the member in another tab) may have made first: commit
    it and say ``done``, or say what they did."""
    try:
        change(current_user, *args)
    except AlreadyDone as exc:
        flash(str(exc), "info")
    else:
        db.session.commit()
        flash(done, "success")


@bp.route("/p/<int:post_id>/flag", methods=["GET", "POST"])
def flag_post(post_id: int):
    """Ask the moderators to look at a post."""
    post = post_or_404(post_id)
    if post.is_removed:
        abort(404)
    form = FlagForm()
    if form.is_submitted():
        if not form.validate():
            return render_template("discussions/flag.html", post=post, form=form), 400
        _apply_once(flags.flag_post, post, form.reason.data, done="Thank you: the moderators will look at this post.")
        return redirect(url_for(".show_post", post_id=post.id))
    return render_template("discussions/flag.html", post=post, form=form)


def _moderate_toggle(thread_id: int, apply, on_message: str, off_message: str):
    """Turn a thread's setting (pinned, locked) on or off, as the form's ``value`` says."""
    thread = thread_or_404(thread_id)
    moderator_or_403(thread.category)
    value = request.form.get("value")
    if value not in ("on", "off"):
        abort(400)
    apply(current_user, thread, value == "on")
    db.session.commit()
    flash(on_message if value == "on" else off_message, "success")
    return redirect(url_for(".thread", thread_id=thread.id))


@bp.route("/t/<int:thread_id>/pin", methods=["POST"])
def pin(thread_id: int):
    """Pin a thread to the top of its category, or unpin it."""
    return _moderate_toggle(thread_id, set_pinned, "The thread is pinned.", "The thread is unpinned.")


@bp.route("/t/<int:thread_id>/lock", methods=["POST"])
def lock(thread_id: int):
    """Lock a thread (no more replies) or reopen it."""
    return _moderate_toggle(thread_id, set_locked, "The thread is locked.", "The thread is open again.")


@bp.route("/t/<int:thread_id>/move", methods=["GET", "POST"])
def move(thread_id: int):
    """Move a thread to another category the moderator moderates."""
    thread = thread_or_404(thread_id)
    moderator_or_403(thread.category)
    targets = queries.moderated_categories(current_user)
    form = MoveForm()
    form.category_id.choices = [SelectChoice(c.id, c.name) for c in targets]
    if form.is_submitted():
        if not form.validate():
            return render_template("discussions/move.html", thread=thread, form=form), 400
        target = next(c for c in targets if c.id == form.category_id.data)
        move_thread(current_user, thread, target)
        db.session.commit()
        flash(f"The thread is now in {target.name}.", "success")
        return redirect(url_for(".thread", thread_id=thread.id))
    form.category_id.data = thread.category_id
    return render_template("discussions/move.html", thread=thread, form=form)


@bp.route("/p/<int:post_id>/approve", methods=["POST"])
def approve(post_id: int):
    """Release a post held for a patient-identifier review."""
    post = post_or_404(post_id)
    moderator_or_403(post.thread.category)
    _apply_once(approve_post, post, done="The post is published.")
    return redirect(url_for(".moderation"))


@bp.route("/p/<int:post_id>/redact", methods=["POST"])
def redact(post_id: int):
    """Replace a post's patient identifiers by "[removed]" everywhere its text is kept (author or moderator)."""
    post = post_or_404(post_id)
    if not permissions.can_redact_post(current_user, post):
        abort(403)
    moderator = permissions.can_moderate(current_user, post.thread.category)
    _apply_once(redact_post, post, done="The patient identifiers are removed from the post and its history.")
    if moderator and request.form.get("back") == "queue":
        return redirect(url_for(".moderation"))
    return redirect(url_for(".show_post", post_id=post_id))


@bp.route("/moderation")
@permission_required(permissions.can_moderate_anything)
def moderation():
    """Open flags and held posts in the categories the member moderates, identifiers highlighted."""
    open_flags, held = queries.moderation_queue(current_user)
    marked = marked_identifiers({
        post.id: (post.thread.title + "\n" if post.id == post.thread.first_post_id else "") + post.body
        for post in [flag.post for flag in open_flags] + held})
    return render_template("discussions/moderation.html", flags=open_flags, held=held, marked=marked)


@bp.route("/moderation/flags/<int:flag_id>", methods=["POST"])
@permission_required(permissions.can_moderate_anything)
def resolve_flag(flag_id: int):
    """Dismiss a flag, or remove the flagged post."""
    flag = db.get_or_404(Flag, flag_id)
    post = post_or_404(flag.post_id)
    moderator_or_403(post.thread.category)
    action = request.form.get("action")
    form = RemovePostForm()
    if action not in ("dismiss", "remove") or not form.validate_on_submit():
        if action in ("dismiss", "remove") and set(form.errors) == {"reason"}:
            flash(form.reason.errors[0], "danger")
            return redirect(url_for(".moderation"))
        abort(400)
    remove = action == "remove" and not post.is_removed
    if remove and not confirmed():
        return confirm_removal(post, bool(form.reason.data), cancel=url_for(".moderation"))
    try:
        flags.resolve_flag(current_user, flag, remove=action == "remove", reason=form.reason.data or "")
    except AlreadyDone as exc:
        flash(str(exc), "info")
    else:
        db.session.commit()
        if remove:
            flash_removed(post)
        else:
            flash("The post is removed." if action == "remove" else "The flag is dismissed.", "success")
    return redirect(url_for(".moderation"))
