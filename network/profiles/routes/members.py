"""Finding and seeing members: the directory, a member's profile page and photo, and the people a member
saved. Also the app-wide hook that keeps "recently active", which these pages show, true."""

from __future__ import annotations

from functools import lru_cache

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from network.cache import current_versions
from network.extensions import db
from network.members.models import User
from network.profiles import queries, services
from network.profiles.directory import (
    DIRECTORY,
    VOCABULARY,
    DirectoryQuery,
    filter_choices,
    find_members,
    load_cards,
    visible_members,
)
from network.profiles.forms import DirectoryForm
from network.profiles.routes.blueprint import bp
from network.text.markdown import render_markdown
from network.urls import safe_next


@bp.route("/")
def directory():
    """Find members by words and filters; the URL carries the whole query."""
    form = DirectoryForm(formdata=request.args)
    # The versions first, in one query: what is then read and kept belongs to them (network/cache.py).
    versions = current_versions(DIRECTORY, VOCABULARY)
    choices = filter_choices(version=versions[VOCABULARY.name])
    form.specialty.choices = [SelectChoice("", "Any specialty")] + choices["specialty"]
    form.background.choices = [SelectChoice("", "Any background")] + choices["specialty"]
    form.interests.choices = choices["interest"]
    form.setting.choices = [SelectChoice("", "Any setting")] + choices["practice_setting"]
    form.program.choices = [SelectChoice("", "Any program")] + choices["program"]
    form.cohort.choices = [SelectChoice("", "Any cohort")] + choices["cohort"]
    if request.args and not form.validate():
        return render_template("profiles/directory.html", form=form, result=None, query=None), 400
    query = DirectoryQuery(
        q=form.q.data or "", role=form.role.data or None, specialty_id=form.specialty.data,
        background_id=form.background.data, interest_ids=form.interests.data or [],
        country=form.country.data or None, region=form.region.data or None, setting_id=form.setting.data,
        program_id=form.program.data, cohort_id=form.cohort.data, graduated_from=form.graduated_from.data,
        graduated_to=form.graduated_to.data, accepting=bool(form.accepting.data),
        sort=form.sort.data or "relevance", page=form.page.data or 1)
    result = find_members(query, current_user.id, versions[DIRECTORY.name])
    return render_template("profiles/directory.html", form=form, result=result, query=query)


@bp.app_template_global()
def directory_page_url(page: int) -> str:
    """The directory's URL with this query and another page."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for("profiles.directory", **args)


@lru_cache(maxsize=512)
def bio_html(source: str):
    """A bio as safe HTML, kept per process under its own text (an edit is a new text, so a kept copy
    is never stale): rendering and sanitising a long bio costs more than the rest of the profile page."""
    return render_markdown(source)


@bp.route("/<int:user_id>")
def show(user_id: int):
    """A member's profile, as far as its owner lets the viewer see it."""
    view = queries.profile_view(user_id, current_user.id)
    if view is None:
        abort(404)
    member, card, shown = view
    completeness = None
    if member.id == current_user.id:
        completeness = services.completeness(current_user, current_user.profile)
    return render_template("profiles/show.html", member=member, card=card, shown=shown,
                           bio=bio_html(member.bio) if member.bio else "", completeness=completeness)


@bp.route("/<int:user_id>/photo")
def photo(user_id: int):
    """The member's thumbnail (re-encoded at upload; the original is never kept)."""
    data = queries.photo_of(user_id)
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Disposition"] = "inline"
    return response


# -- saved people ------------------------------------------------------------------------


def _member_or_404(user_id: int) -> User:
    """A verified, not deleted member (404 otherwise: pending and deleted members are not shown)."""
    return db.first_or_404(visible_members().where(User.id == user_id))


def _back_to(default: str) -> str:
    """The same-site page the form came from, else ``default``."""
    return safe_next(request.form.get("next")) or default


@bp.route("/<int:user_id>/save", methods=["POST"])
def save(user_id: int):
    """Bookmark a member."""
    member = _member_or_404(user_id)
    try:
        services.save_member(current_user, member)
    except services.CannotSaveSelf:
        flash("That is you: there is no need to save yourself.", "info")
        return redirect(url_for("profiles.show", user_id=user_id))
    db.session.commit()
    flash(f"{member.name} is in your saved people.", "success")
    return redirect(_back_to(url_for("profiles.show", user_id=user_id)))


@bp.route("/<int:user_id>/unsave", methods=["POST"])
def unsave(user_id: int):
    """Remove a member from my saved people."""
    member = _member_or_404(user_id)
    services.unsave_member(current_user, member)
    db.session.commit()
    flash(f"{member.name} is no longer in your saved people.", "info")
    return redirect(_back_to(url_for("profiles.show", user_id=user_id)))


@bp.route("/saved")
def saved():
    """The people I saved, most recent first."""
    cards = load_cards(queries.saved_member_rows(current_user.id), current_user.id)
    return render_template("profiles/saved.html", cards=cards)


@bp.before_app_request
def refresh_last_seen():
    """Keep "recently active" true without writing on every page view."""
    if request.endpoint and request.endpoint.endswith("static"):
        return
    if current_user.is_authenticated and current_user.is_verified and services.touch_last_seen(current_user):
        db.session.commit()
