"""Discussion pages. Each route: load (404 for what the member may not see), check (403), validate,
call a service, commit once, flash, redirect."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from network import permissions
from network.access import permission_required
from network.confirmation import UNDO_WINDOW, confirmation_page, confirmed, flash_undo
from network.discussions import services
from network.discussions.forms import (
    CategoryForm,
    EditPostForm,
    FlagForm,
    MoveForm,
    PostForm,
    RemovePostForm,
    SearchForm,
    ThreadForm,
)
from network.discussions.models import Category, CategoryVisibility, Flag, SubscriptionLevel, Thread
from network.discussions.phi import any_strong, find_phi, highlight
from network.discussions.search import search_posts
from network.extensions import configured_limit, db, limiter, member_key
from network.integers import bounded_int, int_arg
from network.programs.models import Cohort, Program

bp = Blueprint("discussions", __name__)
log = logging.getLogger(__name__)

#: Posting (threads, replies) is limited per member, not per address: colleagues share hospital networks.
#: Previews are free. The message goes into the designed 429 page ("Too many attempts (…)").
posting_limit = limiter.limit(
    configured_limit("POST_RATE_LIMIT"), key_func=member_key, methods=["POST"], exempt_when=lambda: "preview" in request.form,
    error_message="you are posting faster than the network allows, a few posts a minute; nothing was posted: "
                  "go back, your text is still in the form")


# -- loading: 404 for anything the member may not see ------------------------------

def _category_or_404(slug: str) -> Category:
    category = db.first_or_404(select(Category).options(joinedload(Category.cohort)).where(Category.slug == slug))
    if not permissions.can_view_category(current_user, category):
        abort(404)
    return category


def _thread_or_404(thread_id: int):
    thread = services.load_thread(thread_id)
    if thread is None or not permissions.can_view_thread(current_user, thread):
        abort(404)
    return thread


def _post_or_404(post_id: int):
    post = services.load_post(post_id)
    if post is None or not permissions.can_view_post(current_user, post):
        abort(404)
    return post


def _moderator_or_403(category: Category) -> None:
    if not permissions.can_moderate(current_user, category):
        abort(403)


@dataclass(frozen=True)
class PhiNotice:
    """What the post form says about the draft's likely patient identifiers."""

    html: Markup  # the draft with the matches highlighted
    holding: bool  # the post will wait for a moderator: no confirmation asked
    refused: bool  # strong identifiers in an edit of a published post: they must go


def _phi_problem(form, text: str, category: Category, can_hold: bool = True) -> PhiNotice | None:
    """The highlighted matches when the draft looks like it holds patient identifiers.

    Strong identifiers (a cued name, MRN, SSN, date of birth, street address) are never waved through:
    a new post with them waits for a moderator in any category, as does any match in a case-discussion
    category; an edit of a published post cannot be held without hiding it, so it must lose them.
    Weaker matches elsewhere need the author's confirmation (and the post then enters the queue)."""
    matches = find_phi(text)
    if not matches:
        return None
    highlighted = Markup(highlight(text, matches))
    if can_hold and services.must_hold(category, matches):
        return PhiNotice(highlighted, holding=True, refused=False)
    if any_strong(matches):
        form.body.errors = list(form.body.errors) + [
            "This text holds patient identifiers that cannot be published (highlighted above): remove them."]
        return PhiNotice(highlighted, holding=False, refused=True)
    if not form.confirm_no_phi.data:
        form.confirm_no_phi.errors = list(form.confirm_no_phi.errors) + [
            ("This text looks like it may identify a patient (highlighted above). Remove the identifiers, "
            "or tick this box to confirm they are not patient information.")]
    return PhiNotice(highlighted, holding=False, refused=False)


def _needs_changes(form, phi: PhiNotice | None) -> bool:
    return bool(form.confirm_no_phi.errors or (phi is not None and phi.refused))


# -- reading ------------------------------------------------------------------------

@bp.route("/")
def index():
    """The categories the member can see, with unread threads."""
    if services.ensure_cohort_categories():
        db.session.commit()  # a cohort created elsewhere gets its private category on first visit
    return render_template("discussions/index.html", summaries=services.category_summaries(current_user))


@bp.route("/c/<slug>")
def category(slug: str):
    """A category's threads: pinned first, then latest activity; keyset pages."""
    category = _category_or_404(slug)
    before = None
    if request.args.get("before"):
        # "<last activity>_<thread id>"; a cursor that is not one (hand-edited) is ignored: the first page.
        at, _, thread_id = request.args["before"].rpartition("_")
        cursor_id = bounded_int(thread_id)
        try:
            before = (datetime.fromisoformat(at), cursor_id) if cursor_id is not None else None
        except ValueError:
            before = None
    rows, cursor = services.thread_rows(current_user, category, before)
    next_url = url_for(".category", slug=slug, before=f"{cursor[0].isoformat()}_{cursor[1]}") if cursor else None
    return render_template("discussions/category.html", category=category, rows=rows, next_url=next_url,
                           first_page=before is None)


@bp.route("/t/<int:thread_id>")
def thread(thread_id: int):
    """A page of a thread's posts; reading moves the member's read mark forward."""
    thread = _thread_or_404(thread_id)
    after = int_arg("after")
    before = int_arg("before")
    page = services.post_page(current_user, thread, after=after, before=before)
    if not page.posts and (after is not None or before is not None):
        return redirect(url_for(".thread", thread_id=thread.id))
    mark, level = services.reader_state(current_user.id, thread.id)
    form = PostForm() if permissions.can_reply(current_user, thread) and page.newer is None else None
    html = render_template("discussions/thread.html", thread=thread, page=page, last_read=mark, level=level,
                           form=form,
                           moderator=permissions.can_moderate(current_user, thread.category))
    # The read mark moves after the page is built: a commit expires every loaded post and author,
    # and reading them again would cost a query each.
    if page.posts and services.mark_read(current_user.id, thread.id, page.posts[-1].id, mark):
        db.session.commit()
    return html


@bp.route("/t/<int:thread_id>/unread")
def first_unread(thread_id: int):
    """Jump to the first post the member has not read yet."""
    thread = _thread_or_404(thread_id)
    mark = services.read_mark(current_user.id, thread.id)
    if mark is None:
        return redirect(url_for(".thread", thread_id=thread.id))
    if thread.last_post_id and mark >= thread.last_post_id:
        return redirect(url_for(".thread", thread_id=thread.id, before=thread.last_post_id + 1,
                                _anchor=f"post-{thread.last_post_id}"))
    return redirect(url_for(".thread", thread_id=thread.id, after=mark, _anchor="first-unread"))


@bp.route("/p/<int:post_id>")
def show_post(post_id: int):
    """A link to one post: the thread page that starts with it."""
    post = _post_or_404(post_id)
    previous = services.previous_post_id(post.thread, post.id)
    args = {"after": previous} if previous is not None else {}
    return redirect(url_for(".thread", thread_id=post.thread_id, _anchor=f"post-{post.id}", **args))


# -- writing ------------------------------------------------------------------------

@bp.route("/c/<slug>/new", methods=["GET", "POST"])
@posting_limit
def new_thread(slug: str):
    """Start a thread: preview, a check for patient identifiers, then post."""
    category = _category_or_404(slug)
    form = ThreadForm()
    preview = phi = None
    if form.is_submitted():
        if not form.validate():
            return render_template("discussions/new_thread.html", category=category, form=form), 400
        phi = _phi_problem(form, form.title.data + "\n" + form.body.data, category)
        if form.preview.data:
            preview = services.render_body(form.body.data)[0]
        elif _needs_changes(form, phi):
            return render_template("discussions/new_thread.html", category=category, form=form, phi=phi), 400
        else:
            try:
                thread, _post = services.start_thread(current_user, category, form.title.data, form.body.data,
                                                      form.submission_key.data)
                db.session.commit()
            except IntegrityError as error:
                earlier = _sent_before(form, error)
                flash("That thread was already started (the form was sent twice); here it is.", "info")
                return redirect(url_for(".thread", thread_id=earlier.thread_id))
            log.info("thread %s started by %s", thread.id, current_user.id)
            if thread.held:
                flash("Your thread looks like it contains patient identifiers, so it is held: a moderator will review it "
                      "before others can see it (only you and the moderators see it meanwhile), and you will be told.",
                      "warning")
            else:
                flash("Your thread is posted.", "success")
            return redirect(url_for(".thread", thread_id=thread.id))
    return render_template("discussions/new_thread.html", category=category, form=form, preview=preview, phi=phi)


def _sent_before(form, error: IntegrityError):
    """The post an earlier send of this same form made. A form sent twice meets the unique submission
    key with its post's first write, so nothing of the second request was written; any other integrity
    error is raised again."""
    db.session.rollback()
    earlier = services.sent_before(current_user.id, form.submission_key.data)
    if earlier is None:
        raise error
    return earlier


@bp.route("/t/<int:thread_id>/reply", methods=["GET", "POST"])
@posting_limit
def reply(thread_id: int):
    """Reply to a thread (optionally quoting a post), with preview and the patient-identifier check."""
    thread = _thread_or_404(thread_id)
    if not permissions.can_reply(current_user, thread):
        abort(403)
    form = PostForm()
    preview = phi = None
    if not form.is_submitted():
        quoted_id = int_arg("quote")
        if quoted_id is not None:
            quoted = services.load_post(quoted_id)
            if quoted is None or quoted.thread_id != thread.id or quoted.is_removed \
                    or not permissions.can_view_post(current_user, quoted):
                abort(404)
            form.body.data = services.quote(quoted)
        return render_template("discussions/reply.html", thread=thread, form=form)
    if not form.validate():
        return render_template("discussions/reply.html", thread=thread, form=form), 400
    phi = _phi_problem(form, form.body.data, thread.category)
    if form.preview.data:
        preview = services.render_body(form.body.data)[0]
        return render_template("discussions/reply.html", thread=thread, form=form, preview=preview, phi=phi)
    if _needs_changes(form, phi):
        return render_template("discussions/reply.html", thread=thread, form=form, phi=phi), 400
    try:
        post = services.reply(current_user, thread, form.body.data, form.submission_key.data)
        post_id, held = post.id, post.held  # read before the commit expires them
        db.session.commit()
    except services.ThreadLocked as exc:
        flash(str(exc), "warning")
        return redirect(url_for(".thread", thread_id=thread.id))
    except IntegrityError as error:
        earlier = _sent_before(form, error)
        flash("That reply was already posted (the form was sent twice); here it is.", "info")
        return redirect(url_for(".show_post", post_id=earlier.id))
    if held:
        flash("Your reply looks like it contains patient identifiers, so it is held: a moderator will review it "
              "before others can see it (only you and the moderators see it meanwhile), and you will be told.",
              "warning")
    else:
        flash("Your reply is posted.", "success")
    return redirect(url_for(".show_post", post_id=post_id))


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int):
    """Edit a post; the previous text is kept as a revision. A concurrent save gets 409, not an overwrite."""
    post = _post_or_404(post_id)
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
                               preview=services.render_body(form.body.data)[0])
    if _needs_changes(form, phi):
        return render_template("discussions/edit.html", post=post, form=form, opening=opening, phi=phi), 400
    try:
        expected = int(form.version.data)
    except ValueError:
        abort(400)
    try:
        services.edit_post(current_user, post, form.body.data, expected, form.title.data if opening else None)
    except services.IdentifiersRefused as exc:  # (the form's check said so already; the service decides)
        db.session.rollback()
        form.body.errors = list(form.body.errors) + [str(exc)]
        return render_template("discussions/edit.html", post=post, form=form, opening=opening, phi=phi), 400
    except services.EditConflict as exc:
        db.session.rollback()
        post = services.load_post(post_id)
        form.version.data = str(post.version)
        form.form_errors.append(str(exc))
        return render_template("discussions/edit.html", post=post, form=form, opening=opening,
                               conflict=True), 409
    db.session.commit()
    flash("Your changes are saved.", "success")
    return redirect(url_for(".show_post", post_id=post.id))


@bp.route("/p/<int:post_id>/history")
def history(post_id: int):
    """Earlier versions of a post: for its author and moderators."""
    post = _post_or_404(post_id)
    if not permissions.can_see_history(current_user, post):
        abort(403)
    revisions = services.revisions(post)
    marked = {}  # version (0: the current text) -> the text with likely identifiers highlighted
    for key, text in [(0, post.body)] + [(revision.id, revision.body) for revision in revisions]:
        matches = find_phi(text)
        if matches:
            marked[key] = Markup(highlight(text, matches))
    return render_template("discussions/history.html", post=post, revisions=revisions, marked=marked)


@bp.route("/p/<int:post_id>/remove", methods=["POST"])
def remove_post(post_id: int):
    """The author deletes, or a moderator removes, a post: it stays in place as "removed"."""
    post = _post_or_404(post_id)
    if not permissions.can_remove_post(current_user, post):
        abort(403)
    form = RemovePostForm()
    if not form.validate_on_submit():
        if set(form.errors) != {"reason"}:
            abort(400)
        flash(form.reason.errors[0], "danger")
        return redirect(_back_from_removal(post))
    if not confirmed():
        return _confirm_removal(post, bool(form.reason.data), cancel=_back_from_removal(post))
    # A moderator's reason reaches the author; one's own deletion needs none.
    reason = (form.reason.data or "") if current_user.id != post.author_id else ""
    services.remove_post(current_user, post, reason=reason)
    db.session.commit()
    _flash_removed(post)
    return redirect(_back_from_removal(post))


def _confirm_removal(post, with_reason: bool, cancel: str):
    """The confirmation step before a post is deleted by its author or removed by a moderator."""
    own = current_user.id == post.author_id
    told = "" if own else f" {post.author.name} is told{' why' if with_reason else ''}."
    return confirmation_page(
        title="Delete your post?" if own else f"Remove {post.author.name}'s post?",
        consequences=f"Its text is hidden from everyone and leaves search; the thread shows “This post was "
                     f"removed” in its place.{told} You can undo this for {UNDO_WINDOW.seconds // 60} minutes.",
        button="Delete the post" if own else "Remove the post", cancel=cancel)


def _flash_removed(post) -> None:
    told = "" if current_user.id == post.author_id else " and its author is told"
    flash_undo(f"The post is removed{told}. You can undo this for {UNDO_WINDOW.seconds // 60} minutes.",
               url_for(".restore_post", post_id=post.id))


@bp.route("/p/<int:post_id>/restore", methods=["POST"])
def restore_post(post_id: int):
    """Undo a removal, for the member who removed the post, within the undo window."""
    post = _post_or_404(post_id)
    if not permissions.can_restore_post(current_user, post):
        abort(403)
    try:
        services.restore_post(current_user, post)
    except services.DiscussionError as exc:
        flash(str(exc), "warning")
        return redirect(url_for(".show_post", post_id=post.id)), 409
    db.session.commit()
    flash("The post is back.", "success")
    return redirect(url_for(".show_post", post_id=post.id))


def _back_from_removal(post) -> str:
    """Back to the queue when the moderator came from it, else to the post."""
    if request.form.get("back") == "queue" and permissions.can_moderate(current_user, post.thread.category):
        return url_for(".moderation")
    return url_for(".show_post", post_id=post.id)


@bp.route("/p/<int:post_id>/flag", methods=["GET", "POST"])
def flag_post(post_id: int):
    """Ask the moderators to look at a post."""
    post = _post_or_404(post_id)
    if post.is_removed:
        abort(404)
    form = FlagForm()
    if form.is_submitted():
        if not form.validate():
            return render_template("discussions/flag.html", post=post, form=form), 400
        try:
            services.flag_post(current_user, post, form.reason.data)
        except services.AlreadyDone as exc:
            flash(str(exc), "info")
        else:
            db.session.commit()
            flash("Thank you: the moderators will look at this post.", "success")
        return redirect(url_for(".show_post", post_id=post.id))
    return render_template("discussions/flag.html", post=post, form=form)


@bp.route("/t/<int:thread_id>/subscription", methods=["POST"])
def subscription(thread_id: int):
    """Watch a thread (notify me of every reply), mute it, or go back to the default."""
    thread = _thread_or_404(thread_id)
    level = request.form.get("level")
    if level not in ("watch", "mute", "default"):
        abort(400)
    services.set_subscription(current_user, thread, None if level == "default" else SubscriptionLevel(level))
    db.session.commit()
    flash({"watch": "You are watching this thread: every reply notifies you.",
           "mute": "You muted this thread: it will not notify you.",
           "default": "You will be notified when you are mentioned."}[level], "success")
    return redirect(url_for(".thread", thread_id=thread.id))


# -- moderation ---------------------------------------------------------------------

def _moderate_toggle(thread_id: int, apply, on_message: str, off_message: str):
    thread = _thread_or_404(thread_id)
    _moderator_or_403(thread.category)
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
    return _moderate_toggle(thread_id, services.set_pinned, "The thread is pinned.", "The thread is unpinned.")


@bp.route("/t/<int:thread_id>/lock", methods=["POST"])
def lock(thread_id: int):
    """Lock a thread (no more replies) or reopen it."""
    return _moderate_toggle(thread_id, services.set_locked, "The thread is locked.", "The thread is open again.")


@bp.route("/t/<int:thread_id>/move", methods=["GET", "POST"])
def move(thread_id: int):
    """Move a thread to another category the moderator moderates."""
    thread = _thread_or_404(thread_id)
    _moderator_or_403(thread.category)
    targets = db.session.scalars(select(Category).options(joinedload(Category.cohort))
                                 .where(permissions.moderated_categories(current_user, Category))
                                 .order_by(Category.position, Category.id)).all()
    form = MoveForm()
    form.category_id.choices = [SelectChoice(c.id, c.name) for c in targets]
    if form.is_submitted():
        if not form.validate():
            return render_template("discussions/move.html", thread=thread, form=form), 400
        target = next(c for c in targets if c.id == form.category_id.data)
        services.move_thread(current_user, thread, target)
        db.session.commit()
        flash(f"The thread is now in {target.name}.", "success")
        return redirect(url_for(".thread", thread_id=thread.id))
    form.category_id.data = thread.category_id
    return render_template("discussions/move.html", thread=thread, form=form)


@bp.route("/p/<int:post_id>/approve", methods=["POST"])
def approve(post_id: int):
    """Release a post held for a patient-identifier review."""
    post = _post_or_404(post_id)
    _moderator_or_403(post.thread.category)
    try:
        services.approve_post(current_user, post)
    except services.AlreadyDone as exc:
        flash(str(exc), "info")
    else:
        db.session.commit()
        flash("The post is published.", "success")
    return redirect(url_for(".moderation"))


@bp.route("/p/<int:post_id>/redact", methods=["POST"])
def redact(post_id: int):
    """Replace a post's patient identifiers by "[removed]" everywhere its text is kept (author or moderator)."""
    post = _post_or_404(post_id)
    if not permissions.can_redact_post(current_user, post):
        abort(403)
    moderator = permissions.can_moderate(current_user, post.thread.category)
    try:
        services.redact_post(current_user, post)
    except services.AlreadyDone as exc:
        flash(str(exc), "info")
    else:
        db.session.commit()
        flash("The patient identifiers are removed from the post and its history.", "success")
    if moderator and request.form.get("back") == "queue":
        return redirect(url_for(".moderation"))
    return redirect(url_for(".show_post", post_id=post_id))


@bp.route("/moderation")
@permission_required(permissions.can_moderate_anything)
def moderation():
    """Open flags and held posts in the categories the member moderates, identifiers highlighted."""
    flags, held = services.moderation_queue(current_user)
    marked = {}
    for post in [flag.post for flag in flags] + held:
        text = (post.thread.title + "\n" if post.id == post.thread.first_post_id else "") + post.body
        matches = find_phi(text)
        if matches:
            marked[post.id] = Markup(highlight(text, matches))
    return render_template("discussions/moderation.html", flags=flags, held=held, marked=marked)


@bp.route("/moderation/flags/<int:flag_id>", methods=["POST"])
@permission_required(permissions.can_moderate_anything)
def resolve_flag(flag_id: int):
    """Dismiss a flag, or remove the flagged post."""
    flag = db.get_or_404(Flag, flag_id)
    post = _post_or_404(flag.post_id)
    _moderator_or_403(post.thread.category)
    action = request.form.get("action")
    form = RemovePostForm()
    if action not in ("dismiss", "remove") or not form.validate_on_submit():
        if action in ("dismiss", "remove") and set(form.errors) == {"reason"}:
            flash(form.reason.errors[0], "danger")
            return redirect(url_for(".moderation"))
        abort(400)
    remove = action == "remove" and not post.is_removed
    if remove and not confirmed():
        return _confirm_removal(post, bool(form.reason.data), cancel=url_for(".moderation"))
    try:
        services.resolve_flag(current_user, flag, remove=action == "remove", reason=form.reason.data or "")
    except services.AlreadyDone as exc:
        flash(str(exc), "info")
    else:
        db.session.commit()
        if remove:
            _flash_removed(post)
        else:
            flash("The post is removed." if action == "remove" else "The flag is dismissed.", "success")
    return redirect(url_for(".moderation"))


# -- search -------------------------------------------------------------------------

@bp.route("/search")
def search():
    """Full-text search over the threads and posts the member can see."""
    categories = db.session.scalars(select(Category).where(permissions.visible_categories(current_user, Category))
                                    .order_by(Category.position, Category.id)).all()
    form = SearchForm(request.args)
    form.category.choices = [SelectChoice(0, "All categories")] + [SelectChoice(c.id, c.name) for c in categories]
    hits = None
    status = 200
    if form.q.data:
        if form.validate():
            hits = search_posts(permissions.visible_threads(current_user, Thread, Category), form.q.data,
                                category_id=form.category.data or None, author=form.author.data or None,
                                since=form.since.data, until=form.until.data, newest=form.sort.data == "newest")
        else:
            status = 400
    return render_template("discussions/search.html", form=form, hits=hits), status


# -- categories (administrators) -------------------------------------------------------

@bp.route("/categories")
@permission_required(permissions.can_manage_categories)
def categories():
    """All categories in order, with ordering buttons."""
    if services.ensure_cohort_categories():
        db.session.commit()
    rows = db.session.scalars(select(Category).options(joinedload(Category.cohort).joinedload(Cohort.program))
                              .order_by(Category.position, Category.id)).all()
    return render_template("discussions/categories.html", categories=rows)


def _category_form(category: Category | None):
    form = CategoryForm(obj=category)
    cohorts = db.session.execute(select(Cohort.id, Cohort.name, Program.name).join(Cohort.program)
                                 .order_by(Program.name, Cohort.start_date)).all()
    form.cohort_id.choices = [SelectChoice(0, "No cohort")] + [SelectChoice(id_, f"{program}: {name}")
                                                     for id_, name, program in cohorts]
    if category is not None and not form.is_submitted():
        form.visibility.data = str(category.visibility)
        form.cohort_id.data = category.cohort_id or 0
    if form.is_submitted():
        if not form.validate():
            return render_template("discussions/category_form.html", form=form, category=category), 400
        try:
            saved = services.save_category(
                current_user, category, name=form.name.data, description=form.description.data or "",
                visibility=CategoryVisibility(form.visibility.data), cohort_id=form.cohort_id.data or None,
                holds_phi_matches=form.holds_phi_matches.data)
        except services.DiscussionError as exc:
            form.cohort_id.errors = list(form.cohort_id.errors) + [str(exc)]
            return render_template("discussions/category_form.html", form=form, category=category), 400
        db.session.commit()
        flash(f"The category {saved.name} is saved.", "success")
        return redirect(url_for(".categories"))
    return render_template("discussions/category_form.html", form=form, category=category)


@bp.route("/categories/new", methods=["GET", "POST"])
@permission_required(permissions.can_manage_categories)
def new_category():
    """Create a category."""
    return _category_form(None)


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
@permission_required(permissions.can_manage_categories)
def edit_category(category_id: int):
    """Rename a category or change who sees it."""
    category = db.get_or_404(Category, category_id)
    return _category_form(category)


@bp.route("/categories/<int:category_id>/move", methods=["POST"])
@permission_required(permissions.can_manage_categories)
def move_category(category_id: int):
    """Move a category up or down the list."""
    category = db.get_or_404(Category, category_id)
    direction = {"up": -1, "down": 1}.get(request.form.get("direction"))
    if direction is None:
        abort(400)
    services.move_category(current_user, category, direction)
    db.session.commit()
    return redirect(url_for(".categories"))


@bp.route("/categories/<int:category_id>/delete", methods=["POST"])
@permission_required(permissions.can_manage_categories)
def delete_category(category_id: int):
    """Delete an empty category."""
    category = db.get_or_404(Category, category_id)
    if not confirmed():
        return confirmation_page(
            title=f"Delete the category “{category.name}”?",
            consequences="It leaves the forum for good; only an empty category can be deleted. You can create "
                         "a category with the same name again later.",
            button="Delete the category", cancel=url_for(".categories"))
    try:
        services.delete_category(current_user, category)
    except services.DiscussionError as exc:
        flash(str(exc), "warning")
        return redirect(url_for(".categories"))
    db.session.commit()
    flash("The category is deleted.", "success")
    return redirect(url_for(".categories"))
