"""Writing in discussions: starting a thread, replying (optionally quoting a post) and editing a post, each
with a preview and the check for patient identifiers (held for a moderator, refused, or confirmed by the
author). Posting is rate-limited per member; a form sent twice shows the post it made the first time."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from network import permissions
from network.discussions import limits, queries
from network.discussions.forms import EditPostForm, PostForm, ThreadForm
from network.discussions.models import Category
from network.discussions.phi import highlight
from network.discussions.rendering import render_body
from network.discussions.routes.blueprint import bp
from network.discussions.routes.drafts import reply_page
from network.discussions.routes.loading import category_or_404, post_or_404, thread_or_404
from network.discussions.services import editing, posting
from network.discussions.services.errors import EditConflict, IdentifiersRefused, ThreadLocked
from network.discussions.services.review import check_draft
from network.extensions import db
from network.integers import int_arg

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhiNotice:
    """What the post form says about the draft's likely patient identifiers."""

    html: Markup  # the draft with the matches highlighted
    holding: bool  # the post will wait for a moderator: no confirmation asked
    refused: bool  # strong identifiers in an edit of a published post: they must go


def _phi_problem(form, text: str, category: Category, can_hold: bool = True) -> PhiNotice | None:
    """The highlighted matches when the draft looks like it holds patient identifiers (``review.check_draft``
    decides: held for a moderator, refused, or to be confirmed), with the form's error saying what to do."""
    check = check_draft(text, category, can_hold)
    if check is None:
        return None
    if check.refused:
        form.body.errors = list(form.body.errors) + [
            "This text holds patient identifiers that cannot be published (highlighted above): remove them."]
    elif check.stops(confirmed=bool(form.confirm_no_phi.data)):
        form.confirm_no_phi.errors = list(form.confirm_no_phi.errors) + [
            ("This text looks like it may identify a patient (highlighted above). Remove the identifiers, "
            "or tick this box to confirm they are not patient information.")]
    return PhiNotice(highlight(text, check.matches), holding=check.holding, refused=check.refused)


def _needs_changes(form, phi: PhiNotice | None) -> bool:
    """Whether the author must change the draft (or confirm it) before it can be posted."""
    return bool(form.confirm_no_phi.errors or (phi is not None and phi.refused))


def _flash_posted(what: str, held: bool) -> None:
    """Tell the author their thread or reply is posted, or held for a moderator's review."""
    if held:
        flash(f"Your {what} looks like it contains patient identifiers, so it is held: a moderator will review it "
              "before others can see it (only you and the moderators see it meanwhile), and you will be told.",
              "warning")
    else:
        flash(f"Your {what} is posted.", "success")


@bp.route("/c/<slug>/new", methods=["GET", "POST"])
@limits.new_threads
def new_thread(slug: str):
    """Start a thread: preview, a check for patient identifiers, then post."""
    category = category_or_404(slug)
    form = ThreadForm()
    preview = phi = None
    if form.is_submitted():
        if not form.validate():
            return render_template("discussions/new_thread.html", category=category, form=form), 400
        phi = _phi_problem(form, form.title.data + "\n" + form.body.data, category)
        if form.preview.data:
            preview = render_body(form.body.data)[0]
        elif _needs_changes(form, phi):
            return render_template("discussions/new_thread.html", category=category, form=form, phi=phi), 400
        else:
            try:
                thread, _post = posting.start_thread(current_user, category, form.title.data, form.body.data,
                                                      form.submission_key.data)
                db.session.commit()
            except IntegrityError as error:
                earlier = _sent_before(form, error)
                flash("That thread was already started (the form was sent twice); here it is.", "info")
                return redirect(url_for(".thread", thread_id=earlier.thread_id))
            log.info("thread %s started by %s", thread.id, current_user.id)
            _flash_posted("thread", thread.held)
            return redirect(url_for(".thread", thread_id=thread.id))
    return render_template("discussions/new_thread.html", category=category, form=form, preview=preview, phi=phi)


def _sent_before(form, error: IntegrityError):
    """The post an earlier send of this same form made. A form sent twice meets the unique submission
    key with its post's first write, so nothing of the second request was written; any other integrity
    error is raised again."""
    db.session.rollback()
    earlier = queries.sent_before(current_user.id, form.submission_key.data)
    if earlier is None:
        raise error
    return earlier


@bp.route("/t/<int:thread_id>/reply", methods=["GET", "POST"])
@limits.replies
def reply(thread_id: int):
    """Reply to a thread (optionally quoting a post), with preview and the patient-identifier check."""
    thread = thread_or_404(thread_id)
    if not permissions.can_reply(current_user, thread):
        abort(403)
    form = PostForm()
    preview = phi = None
    if not form.is_submitted():
        quoted_id = int_arg("quote")
        if quoted_id is not None:
            quoted = queries.load_post(quoted_id)
            if quoted is None or quoted.thread_id != thread.id or quoted.is_removed \
                    or not permissions.can_view_post(current_user, quoted):
                abort(404)
            form.body.data = posting.quote(quoted)
        return reply_page(thread, form)
    if not form.validate():
        return reply_page(thread, form, 400)
    phi = _phi_problem(form, form.body.data, thread.category)
    if form.preview.data:
        preview = render_body(form.body.data, thread.id)[0]
        return reply_page(thread, form, preview=preview, phi=phi)
    if _needs_changes(form, phi):
        return reply_page(thread, form, 400, phi=phi)
    try:
        post = posting.reply(current_user, thread, form.body.data, form.submission_key.data)
        post_id, held = post.id, post.held  # read before the commit expires them
        db.session.commit()
    except ThreadLocked as exc:
        flash(str(exc), "warning")
        return redirect(url_for(".thread", thread_id=thread.id))
    except IntegrityError as error:
        earlier = _sent_before(form, error)
        flash("That reply was already posted (the form was sent twice); here it is.", "info")
        return redirect(url_for(".show_post", post_id=earlier.id))
    _flash_posted("reply", held)
    return redirect(url_for(".show_post", post_id=post_id))


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    """Edit a post; the previous text is kept as a revision. A concurrent save gets 409, not an overwrite."""
    post = post_or_404(post_id)
    if not permissions.can_edit_post(current_user, post):
        abort(403)
    thread = post.thread
    opening = post.id == thread.first_post_id
    form = EditPostForm()
    if not form.is_submitted():
        form.body.data, form.version.data = post.body, str(post.version)
        if opening:
            form.title.data = thread.title
        return render_template("discussions/edit.html", post=post, form=form, opening=opening)
    if not form.validate() or (opening and not form.title.data):
        if opening and not form.title.data:
            form.title.errors = list(form.title.errors) + ["Give the thread a title."]
        return render_template("discussions/edit.html", post=post, form=form, opening=opening), 400
    text = (form.title.data + "\n" if opening else "") + form.body.data
    phi = _phi_problem(form, text, thread.category, can_hold=post.held)
    if form.preview.data:
        return render_template("discussions/edit.html", post=post, form=form, opening=opening, phi=phi,
                               preview=render_body(form.body.data, post.thread_id)[0])
    if _needs_changes(form, phi):
        return render_template("discussions/edit.html", post=post, form=form, opening=opening, phi=phi), 400
    try:
        expected = int(form.version.data)
    except ValueError:
        abort(400)
    try:
        editing.edit_post(current_user, post, form.body.data, expected, form.title.data if opening else None)
    except IdentifiersRefused as exc:  # (the form's check said so already; the service decides)
        db.session.rollback()
        form.body.errors = list(form.body.errors) + [str(exc)]
        return render_template("discussions/edit.html", post=post, form=form, opening=opening, phi=phi), 400
    except EditConflict as exc:
        db.session.rollback()
        post = queries.load_post(post_id)
        form.version.data = str(post.version)
        form.form_errors.append(str(exc))
        return render_template("discussions/edit.html", post=post, form=form, opening=opening,
                               conflict=True), 409
    db.session.commit()
    flash("Your changes are saved.", "success")
    return redirect(url_for(".show_post", post_id=post.id))


