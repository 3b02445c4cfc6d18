"""Profiles, photos, saved people, the directory, and the member's own data."""

from __future__ import annotations

import logging
from functools import lru_cache

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import aliased, selectinload
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectChoice

from network.access import account_view
from network.auth.limits import reauth_limited
from network.auth.sessions import end_session
from network.cache import current_versions
from network.confirmation import confirmation_page, confirmed
from network.database import prebuilt
from network.downloads import private_file
from network.errors import handle_http_error
from network.export import services as export_services
from network.extensions import configured_limit, db, limiter, member_key
from network.members.models import Role, User
from network.permissions import can_see
from network.profiles import services
from network.profiles.directory import (
    DIRECTORY,
    VOCABULARY,
    DirectoryQuery,
    filter_choices,
    find_members,
    load_cards,
    read_rows,
    visible_members,
    with_card_columns,
)
from network.profiles.forms import DeleteAccountForm, DirectoryForm, PhotoForm, ProfileForm
from network.profiles.models import Profile, SavedMember
from network.profiles.photos import MAX_UPLOAD_BYTES, InvalidImage, make_thumbnail
from network.profiles.photos import TOO_LARGE as PHOTO_TOO_LARGE
from network.taxonomy.models import BoardCertification, Interest, PracticeSetting, Specialty
from network.text.markdown import render_markdown
from network.urls import safe_next

bp = Blueprint("profiles", __name__)
log = logging.getLogger(__name__)



def _photo_rate_limit(*, exempt_when=None):
    """Each upload is decoded and re-encoded (CPU and memory), so uploads are limited per member: one count
    for the photo alone and for a photo saved with the profile form."""
    return limiter.shared_limit(
        configured_limit("PHOTO_UPLOAD_RATE_LIMIT"),
        scope="photo-upload", key_func=member_key, methods=["POST"], exempt_when=exempt_when,
        error_message="you are changing your photo more often than the network allows; wait a while, then try again")


photo_upload_limit = _photo_rate_limit()
#: A profile save counts only when it carries a photo.
profile_photo_limit = _photo_rate_limit(exempt_when=lambda: not request.files.get("photo"))

LINK_FIELDS = ("link1", "link2", "link3")
ROLE_FIELDS = {
    Role.FELLOW: ("career_goal",),
    Role.ALUMNI: ("graduation_year", "current_position", "practice_setting_id"),
    Role.FACULTY: ("title", "academic_rank"),
    Role.ADMIN: (),
}
COMMON_FIELDS = ("headline", "bio", "primary_specialty_id", "institution", "city", "region", "country",
                 "time_zone", "languages", "email_visibility", "links_visibility",
                 "location_visibility")


def _member_or_404(user_id: int) -> User:
    """A verified, not deleted member (404 otherwise: pending and deleted members are not shown)."""
    user = db.first_or_404(visible_members().where(User.id == user_id))
    return user


#: What the profile page shows beyond a card, as columns of the same one-row query.
_practice_setting = aliased(PracticeSetting, name="practice_setting")
PROFILE_COLUMNS = (User.email, Profile.user_id.label("profile_id"), Profile.bio, Profile.career_goal,
                   Profile.graduation_year, Profile.current_position, _practice_setting.name.label("practice_setting"),
                   Profile.title, Profile.academic_rank, Profile.languages, Profile.links,
                   Profile.email_visibility, Profile.links_visibility)


@prebuilt
def _profile_statement():
    """A visible member's card and profile columns, in one row."""
    return (with_card_columns(visible_members(), *PROFILE_COLUMNS)
            .outerjoin(_practice_setting, _practice_setting.id == Profile.practice_setting_id)
            .where(User.id == bindparam("user_id", type_=Integer)))


@lru_cache(maxsize=512)
def bio_html(source: str):
    """A bio as safe HTML, kept per process under its own text (an edit is a new text, so a kept copy
    is never stale): rendering and sanitising a long bio costs more than the rest of the profile page."""
    return render_markdown(source)


def _term_choices(model, selected_ids, blank: str | None = "—"):
    """Active terms, plus retired ones the member already has (retiring keeps existing data)."""
    terms = db.session.scalars(select(model).where(
        (model.retired_at.is_(None)) | (model.id.in_([i for i in selected_ids if i])))
        .order_by(model.position, model.name)).all()
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(t.id, t.name + (" (retired)" if t.retired_at else "")) for t in terms]


@bp.route("/")
def directory():
    """Find members by words and filters; the URL carries the whole query."""
    form = DirectoryForm(formdata=request.args)
    # The versions first, in one query: what is then read and kept belongs to them (network/cache.py).
    versions = current_versions(DIRECTORY, VOCABULARY)
    choices = filter_choices(versions[VOCABULARY.name])
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


def _page_args(page: int) -> dict:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return args


@bp.app_template_global()
def directory_page_url(page: int) -> str:
    return url_for("profiles.directory", **_page_args(page))


@bp.route("/<int:user_id>")
def show(user_id: int):
    """A member's profile, as far as its owner lets the viewer see it."""
    member = read_rows(_profile_statement(), {"user_id": user_id}).first()
    if member is None:
        abort(404)
    # The card holds the location only where the member lets this viewer see it.
    card = load_cards([member], current_user.id, certifications=True)[0]

    def visible(level) -> bool:
        return level is not None and can_see(level, viewer_id=current_user.id, owner_id=member.id,
                                             connected=card.connected)

    shown = {"email": visible(member.email_visibility), "links": visible(member.links_visibility)}
    completeness = None
    if member.id == current_user.id:
        completeness = services.completeness(current_user, current_user.profile)
    return render_template("profiles/show.html", member=member, card=card, shown=shown,
                           bio=bio_html(member.bio) if member.bio else "", completeness=completeness)


@bp.route("/<int:user_id>/photo")
def photo(user_id: int):
    """The member's thumbnail (re-encoded at upload; the original is never kept)."""
    data = db.first_or_404(
        visible_members().with_only_columns(Profile.photo).where(User.id == user_id, Profile.photo.is_not(None)))
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Disposition"] = "inline"
    return response


def _fill_edit_form(form: ProfileForm, user: User, *, stored: bool) -> None:
    """Choices for the member's role, and with ``stored`` the saved values (else the form keeps what was sent)."""
    # Each role edits its own part: other roles' fields are not shown, so not validated either.
    for role, names in ROLE_FIELDS.items():
        if role != user.role:
            for name in names:
                if name in form:
                    del form[name]
    profile = user.profile
    interest_ids = [i.id for i in profile.interests] if profile else []
    certification_ids = [c.id for c in profile.certifications] if profile else []
    form.primary_specialty_id.choices = _term_choices(Specialty, [profile.primary_specialty_id if profile else None])
    form.training_background_id.choices = _term_choices(Specialty, [user.training_background_id])
    if "practice_setting_id" in form:
        form.practice_setting_id.choices = _term_choices(PracticeSetting,
                                                         [profile.practice_setting_id if profile else None])
    form.interests.choices = _term_choices(Interest, interest_ids, None)
    form.certifications.choices = _term_choices(BoardCertification, certification_ids, None)
    if stored:
        form.name.data = user.name
        form.training_background_id.data = user.training_background_id
        form.interests.data = interest_ids
        form.certifications.data = certification_ids
        form.version.data = str(profile.version) if profile is not None else "0"
        if profile is not None:
            for name in COMMON_FIELDS + ROLE_FIELDS[user.role]:
                value = getattr(profile, name)
                getattr(form, name).data = value.value if hasattr(value, "value") else value
            for name, url in zip(LINK_FIELDS, profile.links or []):
                getattr(form, name).data = url
        else:
            form.email_visibility.data = "connected"
            form.links_visibility.data = "members"
            form.location_visibility.data = "members"


def _edit_page(user: User, form: ProfileForm, status: int = 200, photo_note: str | None = None):
    return render_template("profiles/edit.html", form=form, user=user, role_fields=ROLE_FIELDS[user.role],
                           photo_note=photo_note, completeness=services.completeness(user, user.profile)), status


def _chosen_photo(field) -> bytes | None:
    """The chosen photo's bytes, None if none was chosen; one over 2 MB is an error on its field."""
    upload = field.data
    if not upload:
        return None
    try:
        data = upload.read(MAX_UPLOAD_BYTES + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file: release it now
    if len(data) > MAX_UPLOAD_BYTES:
        field.errors.append(PHOTO_TOO_LARGE)
        return None
    return data


#: Beside a good photo that was not saved because something else in the form was not right: a browser
#: cannot keep a chosen file across pages, so the member must choose it again.
PHOTO_NOT_SAVED = "Your photo was not saved either, as nothing was: after correcting the form, choose it again."


@bp.route("/me/edit", methods=["GET", "POST"])
@profile_photo_limit
def edit():
    """Edit my profile, and my photo with it: everything in the form is saved together, or nothing is."""
    user = db.session.scalars(
        select(User).where(User.id == current_user.id)
        .options(selectinload(User.profile).selectinload(Profile.interests),
                 selectinload(User.profile).selectinload(Profile.certifications))).one()
    form = ProfileForm()
    _fill_edit_form(form, user, stored=not form.is_submitted())
    form.phi_fields = tuple(name for name in form.phi_fields if name in COMMON_FIELDS + ROLE_FIELDS[user.role])
    if not form.is_submitted():
        return _edit_page(user, form)
    valid = form.validate() and not form.holds_patient_identifiers()
    photo = _chosen_photo(form.photo)
    if form.photo.errors:
        return _edit_page(user, form, 413)
    if photo is not None and not valid:
        # Nothing is saved, but say now whether this photo would be accepted, so one round trip shows it all.
        try:
            make_thumbnail(photo)
        except InvalidImage as exc:
            form.photo.errors.append(str(exc))
        return _edit_page(user, form, 400, None if form.photo.errors else PHOTO_NOT_SAVED)
    if valid and form.version.data and not Profile.claim_version(user.id, int(form.version.data)):
        # Someone (another tab, another device) saved since this form was opened: keep their save and
        # show this text again instead of overwriting theirs.
        db.session.rollback()
        current = db.session.get(Profile, user.id)
        form.version.data = str(current.version) if current is not None else "0"
        form.form_errors.append("Your profile was saved from somewhere else while you were editing it. "
                                "Your changes are below and are not saved yet: check them and save again.")
        return _edit_page(user, form, 409, PHOTO_NOT_SAVED if photo is not None else None)
    if not valid:
        return _edit_page(user, form, 400)
    if photo is not None:
        try:
            services.set_photo(user, photo)
        except InvalidImage as exc:
            db.session.rollback()  # the version claimed above: nothing of this save is kept
            form.photo.errors.append(str(exc))
            return _edit_page(user, form, 400)
    fields = {name: getattr(form, name).data for name in COMMON_FIELDS + ROLE_FIELDS[user.role]}
    for name in ("country", "time_zone"):
        fields[name] = fields[name] or ""
    for name in ("career_goal", "academic_rank"):
        if name in fields:
            fields[name] = fields[name] or None
    fields["links"] = [getattr(form, name).data for name in LINK_FIELDS if getattr(form, name).data]
    user.training_background_id = form.training_background_id.data
    terms = {t.id: t for t in db.session.scalars(select(Interest).where(Interest.id.in_(form.interests.data)))}
    certs = {c.id: c for c in db.session.scalars(
        select(BoardCertification).where(BoardCertification.id.in_(form.certifications.data)))}
    services.update_profile(user, name=form.name.data, interests=terms.values(),
                            certifications=certs.values(), **fields)
    db.session.commit()
    if photo is not None and form.upload.data:
        # "Upload photo": back to the form, where the new photo shows beside what is left to fill in.
        flash("Your photo is updated. Your profile is saved.", "success")
        return redirect(url_for("profiles.edit"))
    flash("Your profile is saved. Your photo is updated." if photo is not None else "Your profile is saved.",
          "success")
    return redirect(url_for("profiles.show", user_id=user.id))


@bp.route("/me/photo", methods=["POST"])
@photo_upload_limit
def upload_photo():
    """Replace my photo alone: checked, re-encoded and cropped to a square."""
    form = PhotoForm()
    error = None
    if form.validate_on_submit():
        data = _chosen_photo(form.photo)
        if form.photo.errors:
            error, status = form.photo.errors[0], 413
        else:
            try:
                services.set_photo(current_user, data or b"")
            except InvalidImage as exc:
                error, status = str(exc), 400
            else:
                db.session.commit()
                flash("Your photo is updated.", "success")
                return redirect(url_for("profiles.edit"))
    else:
        error, status = " ".join(form.photo.errors) or "Choose a photo to upload.", 400
    # The profile form as it is stored (this post carried only the photo), with the photo's error beside it.
    user = db.session.get(User, current_user.id)
    edit_form = ProfileForm(formdata=None)
    _fill_edit_form(edit_form, user, stored=True)
    edit_form.photo.errors = [error]
    return _edit_page(user, edit_form, status)


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """A request over MAX_CONTENT_LENGTH is refused while the form is read, before the view (and the access
    checks) run, so it cannot show the form itself: it goes back to it, with the photo limit."""
    if request.endpoint not in ("profiles.edit", "profiles.upload_photo"):
        return handle_http_error(error)
    flash(f"{PHOTO_TOO_LARGE} Nothing was saved.", "danger")
    return redirect(url_for("profiles.edit"), 303)


@bp.route("/me/photo/delete", methods=["POST"])
def delete_photo():
    """Remove my photo, once confirmed: the file is deleted, so only a new upload brings one back."""
    if not confirmed():
        return confirmation_page(
            title="Remove your photo?", consequences="Your photo is deleted from the network, and your "
            "initials show in its place. To have a photo again, upload one.",
            button="Remove photo", cancel=url_for("profiles.edit"))
    services.remove_photo(current_user)
    db.session.commit()
    flash("Your photo is removed.", "info")
    return redirect(url_for("profiles.edit"))


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


def _back_to(default: str) -> str:
    return safe_next(request.form.get("next")) or default


@bp.route("/saved")
def saved():
    """The people I saved, most recent first."""
    rows = read_rows(
        with_card_columns(visible_members())
        .join(SavedMember, SavedMember.member_id == User.id)
        .where(SavedMember.owner_id == current_user.id)
        .order_by(SavedMember.created_at.desc(), SavedMember.id.desc())
        .limit(200)
    ).all()
    cards = load_cards(rows, current_user.id)
    return render_template("profiles/saved.html", cards=cards)


@bp.route("/me/export")
@account_view
def export():
    """Download everything the network keeps about me: a ZIP of data.json and a readable index.html."""
    return private_file(export_services.archive(current_user), "application/zip", "fellowship-network-my-data.zip")


@bp.route("/me/delete", methods=["GET", "POST"])
@account_view
@reauth_limited
def delete_account():
    """Delete my account after confirming with my password."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append("That is not your password.")
        else:
            user = current_user._get_current_object()
            services.delete_account(user)
            end_session()
            db.session.commit()
            log.info("member %s deleted their account", user.id)
            flash("Your account and your personal data are deleted. Thank you for being part of the network.",
                  "info")
            return redirect(url_for("main.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("profiles/delete_account.html", form=form), status


@bp.before_app_request
def refresh_last_seen():
    """Keep "recently active" true without writing on every page view."""
    if request.endpoint and request.endpoint.endswith("static"):
        return
    if current_user.is_authenticated and current_user.is_verified and services.touch_last_seen(current_user):
        db.session.commit()
