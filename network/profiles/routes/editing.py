"""Editing my profile and my photo: the profile form (saved whole, photo included, or not at all), the
photo alone, removing it, and the refusal of an upload too large to read."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from network.confirmation import confirmation_page, confirmed
from network.errors import handle_http_error
from network.extensions import configured_limit, db, limiter, member_key
from network.forms import read_upload
from network.members.models import User
from network.profiles import queries, services
from network.profiles.forms import PhotoForm, ProfileForm
from network.profiles.models import ROLE_FIELDS, Profile
from network.profiles.photos import MAX_UPLOAD_BYTES, InvalidImage, make_thumbnail
from network.profiles.photos import TOO_LARGE as PHOTO_TOO_LARGE
from network.profiles.routes.blueprint import bp
from network.taxonomy.models import BoardCertification, Interest, PracticeSetting, Specialty


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
COMMON_FIELDS = ("headline", "bio", "primary_specialty_id", "institution", "city", "region", "country",
                 "time_zone", "languages", "email_visibility", "links_visibility",
                 "location_visibility")


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
    form.primary_specialty_id.choices = queries.term_choices(Specialty,
                                                             [profile.primary_specialty_id if profile else None])
    form.training_background_id.choices = queries.term_choices(Specialty, [user.training_background_id])
    if "practice_setting_id" in form:
        form.practice_setting_id.choices = queries.term_choices(PracticeSetting,
                                                         [profile.practice_setting_id if profile else None])
    form.interests.choices = queries.term_choices(Interest, interest_ids, None)
    form.certifications.choices = queries.term_choices(BoardCertification, certification_ids, None)
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
            for name, url in zip(LINK_FIELDS, profile.links or [], strict=False):  # at most three links
                getattr(form, name).data = url
        else:
            form.email_visibility.data = "connected"
            form.links_visibility.data = "members"
            form.location_visibility.data = "members"


def _edit_page(user: User, form: ProfileForm, status: int = 200, photo_note: str | None = None):
    """The edit page with ``form`` as it stands, the photo's note, and how complete the profile is."""
    return render_template("profiles/edit.html", form=form, user=user, role_fields=ROLE_FIELDS[user.role],
                           photo_note=photo_note, completeness=services.completeness(user, user.profile)), status


def _chosen_photo(field) -> bytes | None:
    """The chosen photo's bytes, None if none was chosen; one over 2 MB is an error on its field."""
    upload = field.data
    if not upload:
        return None
    data = read_upload(upload, MAX_UPLOAD_BYTES)
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
    user = queries.member_to_edit(current_user.id)
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
    services.update_profile(user, name=form.name.data,
                            interests=queries.terms_by_ids(Interest, form.interests.data),
                            certifications=queries.terms_by_ids(BoardCertification, form.certifications.data),
                            **fields)
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
