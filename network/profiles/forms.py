"""Profile, photo, directory and account-deletion forms. They validate; they never save."""

from __future__ import annotations

import zoneinfo
from datetime import date
from functools import cache

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from iso3166 import countries
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from network.forms import CheckboxListField, ConfirmedByPassword, PhiGuarded, optional_int, strip, strip_text
from network.profiles.directory import SORTS
from network.profiles.models import AcademicRank, CareerGoal, Visibility
from network.profiles.photos import ACCEPTED_MEDIA_TYPES, MAX_UPLOAD_BYTES, TOO_LARGE

_strip = strip


def _text(value):
    """A profile text, trimmed; a field the browser left out counts as empty (the columns are NOT NULL)."""
    return "" if value is None else strip(value)


def _long_text(value):
    """A multi-line profile text (the bio): line breaks kept; left out counts as empty, like ``_text``."""
    return "" if value is None else strip_text(value)


@cache
def country_choices() -> list[SelectChoice]:
    return [SelectChoice("", "—")] + [SelectChoice(c.alpha2, c.apolitical_name)
                                     for c in sorted(countries, key=lambda c: c.apolitical_name)]


@cache
def time_zone_choices() -> list[SelectChoice]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [SelectChoice("", "—")] + [SelectChoice(z, z.replace("_", " ")) for z in zones]


def visibility_choices() -> list[SelectChoice]:
    return [SelectChoice(v.value, v.label) for v in Visibility]


def enum_choices(enum_cls, blank="—") -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(m.value, m.label) for m in enum_cls]


PHOTO_HINT = "JPEG, PNG, GIF or WebP, at most 2 MB. We crop it to a square."


def _photo_input(form_id: str | None = None) -> dict:
    """The photo input's attributes: what the server reads, and its limit for the size check in app.js."""
    attributes = {"accept": ACCEPTED_MEDIA_TYPES, "data-max-bytes": MAX_UPLOAD_BYTES,
                  "data-too-large": "This photo is {size}. " + TOO_LARGE}
    if form_id:
        attributes["form"] = form_id
    return attributes


def https_link(form, field):
    if field.data and not field.data.lower().startswith(("https://", "http://")):
        raise ValidationError("Links must start with https:// or http://.")


class ProfileForm(PhiGuarded, FlaskForm):
    # The free text a member writes about themselves (the route keeps those of the member's role).
    phi_fields = ("headline", "bio", "current_position", "title")
    # The profile's version when the form was opened: a save over someone else's newer one is refused (409).
    version = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$", message="Reload the page and try again.")])
    name = StringField("Full name", filters=[_text],
                       validators=[DataRequired("Enter your name."), Length(max=120)])
    headline = StringField("Headline", filters=[_text], validators=[Length(max=160)],
                           description='One line others see first, '
                                       'e.g. "Interventional pain, neuromodulation, Boston".')
    bio = TextAreaField("About you", filters=[_long_text],
                        validators=[Length(max=5000, message="Use at most 5,000 characters.")],
                        description="Markdown works: **bold**, *italic*, lists and links.")
    primary_specialty_id = SelectField("Primary specialty", coerce=optional_int, validate_choice=True)
    training_background_id = SelectField("Training background (specialty before fellowship)", coerce=optional_int)
    interests = CheckboxListField("Interests", coerce=int)
    certifications = CheckboxListField("Board certifications", coerce=int)
    institution = StringField("Institution", filters=[_text], validators=[Length(max=160)])
    city = StringField("City", filters=[_text], validators=[Length(max=120)])
    region = StringField("State or region", filters=[_text], validators=[Length(max=120)])
    country = SelectField("Country", choices=country_choices)
    time_zone = SelectField("Time zone", choices=time_zone_choices)
    languages = StringField("Languages", filters=[_text], validators=[Length(max=200)],
                            description="Separate them with commas, e.g. English, Spanish.")
    link1 = URLField("Link", filters=[_text], validators=[Length(max=300), https_link])
    link2 = URLField("Another link", filters=[_text], validators=[Length(max=300), https_link])
    link3 = URLField("A third link", filters=[_text], validators=[Length(max=300), https_link])
    # Fellows
    career_goal = SelectField("Career goal", choices=enum_choices(CareerGoal))
    # Alumni
    graduation_year = IntegerField("Fellowship graduation year", validators=[
        Optional(), NumberRange(min=1970, max=date.today().year + 6, message="Enter a year between 1970 and %(max)s.")])
    current_position = StringField("Current position", filters=[_text], validators=[Length(max=160)])
    practice_setting_id = SelectField("Practice setting", coerce=optional_int)
    # Faculty
    title = StringField("Title", filters=[_text], validators=[Length(max=120)],
                        description='e.g. "Program director, pain medicine fellowship".')
    academic_rank = SelectField("Academic rank", choices=enum_choices(AcademicRank))
    # Privacy
    email_visibility = SelectField("Who sees your email address", choices=visibility_choices)
    links_visibility = SelectField("Who sees your links", choices=visibility_choices)
    location_visibility = SelectField(
        "Who sees your city, region, country and time zone", choices=visibility_choices,
        description="Mentor suggestions and matching rounds count a shared region or time zone only for them.")
    # The photo card sits beside the form; its input and button belong to the form (their ``form``
    # attribute), so a photo chosen and then "Save profile" is saved with everything else, in one go.
    photo = FileField("New photo", description=PHOTO_HINT, render_kw=_photo_input("profile-form"))
    upload = SubmitField("Upload photo", render_kw={"form": "profile-form"})
    submit = SubmitField("Save profile")

    def validate_interests(self, field):
        if len(field.data or []) > 15:
            raise ValidationError("Choose at most 15 interests.")


class PhotoForm(FlaskForm):
    """The photo alone (a page opened before the photo joined the profile form still posts here)."""

    photo = FileField("New photo", description=PHOTO_HINT, render_kw=_photo_input())
    upload = SubmitField("Upload photo")


class DirectoryForm(FlaskForm):
    """The directory's search form: GET, so the URL carries the whole query."""

    class Meta:
        csrf = False

    q = SearchField("Search words", filters=[_strip], validators=[Length(max=200)],
                    description="Name, headline, bio, institution or interests.")
    role = SelectField("Role", choices=[SelectChoice("", "Any role"), SelectChoice("fellow", "Fellows"),
                                        SelectChoice("alumni", "Alumni"), SelectChoice("faculty", "Faculty")],
                       default="")
    specialty = SelectField("Primary specialty", coerce=optional_int)
    background = SelectField("Training background", coerce=optional_int)
    interests = CheckboxListField("Interests (all of)", coerce=int)
    country = SelectField("Country", choices=lambda: [SelectChoice("", "Any country")] + country_choices()[1:],
                          default="")
    region = StringField("State or region", filters=[_strip], validators=[Length(max=120)])
    setting = SelectField("Practice setting", coerce=optional_int)
    program = SelectField("Program", coerce=optional_int)
    cohort = SelectField("Cohort", coerce=optional_int)
    graduated_from = IntegerField("Graduated from", validators=[Optional(), NumberRange(min=1900, max=2200)])
    graduated_to = IntegerField("Graduated until", validators=[Optional(), NumberRange(min=1900, max=2200)])
    accepting = BooleanField("Open to mentoring")
    sort = SelectField("Sort by", choices=[SelectChoice(k, v) for k, v in SORTS.items()], default="relevance")
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1, max=10_000)])


class DeleteAccountForm(ConfirmedByPassword, FlaskForm):
    """The password confirms (a recent sign-in, for a member without one: ``ConfirmedByPassword``)."""

    password = PasswordField("Your password", validators=[InputRequired("Enter your password to confirm."),
                                                          Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Delete my account")
