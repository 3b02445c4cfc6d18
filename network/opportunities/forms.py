"""Opportunity forms, one class per group of kinds. They validate and hand back plain values; they never save."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, time
from decimal import Decimal
from functools import cache
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from network.extensions import db
from network.forms import CheckboxListField, PhiGuarded, optional_int, strip_text
from network.forms import strip as _strip
from network.opportunities.models import EmploymentType, IrbStatus, OpportunityKind, ProjectStage, RsvpStatus, WorkMode
from network.opportunities.queries.board import SORTS
from network.opportunities.services.engagement import MAX_NOTE_LENGTH
from network.taxonomy.models import Interest, PracticeSetting, Specialty, active_terms

MAX_DESCRIPTION = 20_000
MAX_TAGS = 10

@cache
def time_zone_choices() -> list[SelectChoice]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [SelectChoice("UTC", "UTC")] + [SelectChoice(z, z.replace("_", " ")) for z in zones]


def enum_choices(enum_cls, blank: str | None = "—") -> list[SelectChoice]:
    blank_choice = [SelectChoice("", blank)] if blank is not None else []
    return blank_choice + [SelectChoice(m.value, m.label) for m in enum_cls]


def web_address(value: str) -> bool:
    """An absolute http or https URL with a host (no javascript:, data:, ftp: ...)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and " " not in value


def _web_link(form, field):
    if field.data and not web_address(field.data):
        raise ValidationError("Enter a full web address starting with https:// or http://.")


def _known_terms(form, field):
    known = {choice.value if hasattr(choice, "value") else choice[0] for choice in field.choices or []}
    unknown = [value for value in field.data or [] if value not in known]
    if unknown:
        raise ValidationError("Choose tags from the list; some of those are not in our vocabulary.")
    if len(field.data or []) > MAX_TAGS:
        raise ValidationError(f"Choose at most {MAX_TAGS} tags.")


def _description_length(form, field):
    text = field.data or ""
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(f"The description can have at most {MAX_DESCRIPTION:,} characters; this one has "
                              f"{len(text):,}.")


def _int_list(values):
    """Checkbox values as ints; anything that is not a number becomes -1 (and fails as an unknown tag)."""
    result = []
    for value in values or []:
        try:
            result.append(int(value))
        except (TypeError, ValueError):
            result.append(-1)
    return result


class TagField(CheckboxListField):
    """Taxonomy tags as checkboxes; unknown values fail with our message, not WTForms' default."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        self.data = _int_list(valuelist)


class OpportunityForm(PhiGuarded, FlaskForm):
    """Fields every kind has."""

    phi_fields = ("title", "description")

    title = StringField("Title", filters=[_strip], validators=[DataRequired("Give it a title."),
                                                              Length(max=160, message="Use at most 160 characters.")])
    organisation = StringField("Organisation", filters=[_strip],
                               validators=[Length(max=160, message="Use at most 160 characters.")],
                               description="The practice, hospital, university or society offering it.")
    location = StringField("Location", filters=[_strip],
                           validators=[Length(max=160, message="Use at most 160 characters.")],
                           description='City and state or country, e.g. "Austin, TX". Leave empty if fully remote.')
    work_mode = SelectField("On site or remote", choices=enum_choices(WorkMode, None), default="onsite")
    description = TextAreaField("Description", filters=[strip_text],
                                validators=[DataRequired("Describe the opportunity."), _description_length],
                                description="Markdown: **bold**, *italic*, lists and links. "
                                            "Never include patient identifiers.",
                                render_kw={"rows": 10})
    how_to_apply = StringField("How to apply", filters=[_strip],
                               validators=[Length(max=500, message="Use at most 500 characters.")],
                               description="A web address (https://…) or an email address.")
    time_zone = SelectField("Time zone", choices=time_zone_choices, default="UTC",
                            description="Dates and times on this page are in this time zone.")
    deadline = DateField("Application deadline", validators=[Optional()],
                         description="Closes at the end of this day in the time zone above. Optional.")
    interests = TagField("Interest tags")
    specialties = TagField("Specialty tags")
    submit = SubmitField("Post opportunity")

    #: Set by the route: only a new opportunity's deadline must lie ahead (an old one may be edited after it).
    creating = True
    apply_required = True

    def validate_time_zone(self, field):
        if field.data not in zoneinfo.available_timezones():
            raise ValidationError("Choose a time zone from the list.")

    def validate_interests(self, field):
        _known_terms(self, field)

    def validate_specialties(self, field):
        _known_terms(self, field)

    def validate_how_to_apply(self, field):
        value = field.data or ""
        if not value:
            if self.apply_required:
                raise ValidationError("Say how to apply: a web address or an email address.")
            return
        if "://" in value or ":" in value.split("@")[0]:
            if not web_address(value):
                raise ValidationError("Enter a web address starting with https:// or http://, "
                                      "or an email address.")
            return
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError("Enter a web address starting with https:// or http://, "
                                  "or a valid email address.") from exc

    def zone(self):
        try:
            return zoneinfo.ZoneInfo(self.time_zone.data or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return UTC

    def deadline_utc(self) -> datetime | None:
        if self.deadline.data is None:
            return None
        return datetime.combine(self.deadline.data, time(23, 59), self.zone()).astimezone(UTC)

    def validate_deadline(self, field):
        if (field.data is not None and self.creating and self.time_zone.data in zoneinfo.available_timezones()
                and self.deadline_utc() < datetime.now(UTC)):
            raise ValidationError("The deadline is in the past. Choose today or a later date.")

    def values(self) -> dict:
        """The validated values as the columns want them (UTC datetimes, apply URL or email)."""
        how = self.how_to_apply.data or ""
        is_url = bool(how) and web_address(how)
        return {
            "title": self.title.data, "organisation": self.organisation.data or "",
            "location": self.location.data or "", "work_mode": WorkMode(self.work_mode.data),
            "description": self.description.data or "",
            "apply_url": how if is_url else "", "apply_email": how.lower() if how and not is_url else "",
            "time_zone": self.time_zone.data, "deadline": self.deadline_utc(),
        }

    def fill(self, opportunity) -> None:
        """Put an opportunity's values into the form (local dates in its time zone)."""
        zone = zoneinfo.ZoneInfo(opportunity.time_zone or "UTC")
        for name in ("title", "organisation", "location", "description", "time_zone"):
            getattr(self, name).data = getattr(opportunity, name)
        self.work_mode.data = str(opportunity.work_mode)
        self.how_to_apply.data = opportunity.apply_url or opportunity.apply_email
        self.deadline.data = opportunity.deadline.astimezone(zone).date() if opportunity.deadline else None
        self.interests.data = [term.id for term in opportunity.interests]
        self.specialties.data = [term.id for term in opportunity.specialties]


class JobForm(OpportunityForm):
    """Jobs, locums and fellowship positions."""

    practice_setting_id = SelectField("Practice setting", coerce=optional_int)
    employment_type = SelectField("Employment type", choices=enum_choices(EmploymentType))
    salary_min = IntegerField("Salary from (USD a year)", validators=[
        Optional(), NumberRange(min=0, max=10_000_000, message="Enter a yearly amount up to 10,000,000.")])
    salary_max = IntegerField("Salary up to (USD a year)", validators=[
        Optional(), NumberRange(min=0, max=10_000_000, message="Enter a yearly amount up to 10,000,000.")])

    def validate_practice_setting_id(self, field):
        known = {choice[0] if isinstance(choice, tuple) else choice.value for choice in field.choices or []}
        if field.data is not None and field.data not in known:
            raise ValidationError("Choose a practice setting from the list.")

    def validate_salary_max(self, field):
        if field.data is not None and self.salary_min.data is not None and field.data < self.salary_min.data:
            raise ValidationError("The upper end of the salary range is below the lower end.")

    def values(self) -> dict:
        return {**super().values(), "practice_setting_id": self.practice_setting_id.data,
                "employment_type": EmploymentType(self.employment_type.data) if self.employment_type.data else None,
                "salary_min": self.salary_min.data, "salary_max": self.salary_max.data}

    def fill(self, opportunity) -> None:
        super().fill(opportunity)
        self.practice_setting_id.data = opportunity.practice_setting_id
        self.employment_type.data = str(opportunity.employment_type or "")
        self.salary_min.data = opportunity.salary_min
        self.salary_max.data = opportunity.salary_max


class ResearchForm(OpportunityForm):
    phi_fields = ("title", "description", "roles_sought", "authorship")
    project_stage = SelectField("Project stage", choices=enum_choices(ProjectStage))
    irb_status = SelectField("IRB status", choices=enum_choices(IrbStatus))
    roles_sought = StringField("Roles sought", filters=[_strip],
                               validators=[Length(max=300, message="Use at most 300 characters.")],
                               description="e.g. co-investigator, data collection site, statistician.")
    authorship = TextAreaField("Authorship expectations", filters=[strip_text],
                               validators=[Length(max=500, message="Use at most 500 characters.")],
                               render_kw={"rows": 3})

    def values(self) -> dict:
        return {**super().values(),
                "project_stage": ProjectStage(self.project_stage.data) if self.project_stage.data else None,
                "irb_status": IrbStatus(self.irb_status.data) if self.irb_status.data else None,
                "roles_sought": self.roles_sought.data or "", "authorship": self.authorship.data or ""}

    def fill(self, opportunity) -> None:
        super().fill(opportunity)
        self.project_stage.data = str(opportunity.project_stage or "")
        self.irb_status.data = str(opportunity.irb_status or "")
        self.roles_sought.data = opportunity.roles_sought
        self.authorship.data = opportunity.authorship


class EventForm(OpportunityForm):
    """Conferences, workshops and webinars."""

    apply_required = False
    how_to_apply = StringField("How to register", filters=[_strip],
                               validators=[Length(max=500, message="Use at most 500 characters.")],
                               description="A web address (https://…) or an email address. Optional: members "
                                           "can also RSVP here.")
    deadline = DateField("Registration deadline", validators=[Optional()],
                         description="Closes at the end of this day in the event's time zone. Optional.")
    starts_at = DateTimeLocalField("Starts", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                   validators=[InputRequired("Enter when the event starts.")])
    ends_at = DateTimeLocalField("Ends", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                 validators=[InputRequired("Enter when the event ends.")])
    venue = StringField("Venue", filters=[_strip], validators=[Length(max=200, message="Use at most 200 characters.")],
                        description="Building and address, for events in person.")
    online_url = StringField("Online link", filters=[_strip],
                             validators=[Length(max=500, message="Use at most 500 characters."), _web_link],
                             description="For webinars and hybrid events: https://…")
    capacity = IntegerField("Capacity", validators=[
        Optional(), NumberRange(min=1, max=100_000, message="Enter a number of seats from 1 to 100,000.")],
        description="Seats for members who RSVP; leave empty for no limit. A full event keeps a waitlist.")
    cme_credits = DecimalField("CME credits", places=2, validators=[
        Optional(), NumberRange(min=0, max=200, message="Enter between 0 and 200 credits.")])

    def _local(self, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=self.zone()).astimezone(UTC) if value is not None else None

    def validate_starts_at(self, field):
        if (field.data is not None and self.creating and self.time_zone.data in zoneinfo.available_timezones()
                and self._local(field.data) < datetime.now(UTC)):
            raise ValidationError("The event would start in the past. Choose a later start.")

    def validate_ends_at(self, field):
        if field.data is not None and self.starts_at.data is not None and field.data <= self.starts_at.data:
            raise ValidationError("The end must be after the start.")

    def validate_venue(self, field):
        if not field.data and not self.online_url.data:
            raise ValidationError("Give a venue, an online link, or both.")

    def validate_deadline(self, field):
        super().validate_deadline(field)
        if field.data is not None and self.ends_at.data is not None and field.data > self.ends_at.data.date():
            raise ValidationError("The registration deadline is after the event ends.")

    def values(self) -> dict:
        credits = self.cme_credits.data
        return {**super().values(), "starts_at": self._local(self.starts_at.data),
                "ends_at": self._local(self.ends_at.data), "venue": self.venue.data or "",
                "online_url": self.online_url.data or "", "capacity": self.capacity.data,
                "cme_credits": Decimal(credits) if credits is not None else None}

    def fill(self, opportunity) -> None:
        super().fill(opportunity)
        zone = zoneinfo.ZoneInfo(opportunity.time_zone or "UTC")
        self.starts_at.data = opportunity.starts_at.astimezone(zone).replace(tzinfo=None) \
            if opportunity.starts_at else None
        self.ends_at.data = opportunity.ends_at.astimezone(zone).replace(tzinfo=None) if opportunity.ends_at else None
        self.venue.data = opportunity.venue
        self.online_url.data = opportunity.online_url
        self.capacity.data = opportunity.capacity
        self.cme_credits.data = opportunity.cme_credits


def form_class(kind: OpportunityKind):
    kind = OpportunityKind(kind)
    if kind.is_event:
        return EventForm
    if kind == OpportunityKind.RESEARCH:
        return ResearchForm
    return JobForm


def offer_terms(form: OpportunityForm) -> None:
    """Offer a posting form the active taxonomy terms (the edit page adds the retired ones the opportunity
    already carries): the page and the API validate tags against the same lists."""
    interests = db.session.scalars(active_terms(Interest)).all()
    specialties = db.session.scalars(active_terms(Specialty)).all()
    form.interests.choices = [(term.id, term.name) for term in interests]
    form.specialties.choices = [(term.id, term.name) for term in specialties]
    if hasattr(form, "practice_setting_id"):
        settings = db.session.scalars(active_terms(PracticeSetting)).all()
        form.practice_setting_id.choices = [("", "—")] + [(term.id, term.name) for term in settings]


class InterestForm(PhiGuarded, FlaskForm):
    phi_fields = ("note",)
    note = TextAreaField("A note for the poster", filters=[strip_text],
                         validators=[Length(max=MAX_NOTE_LENGTH,
                                            message=f"Use at most {MAX_NOTE_LENGTH:,} characters.")],
                         description="Optional: who you are and why this fits you. The poster sees it.",
                         render_kw={"rows": 3})
    submit = SubmitField("I'm interested")


class RsvpForm(FlaskForm):
    status = SelectField("Your answer", choices=[SelectChoice(s.value, s.label) for s in RsvpStatus
                                                 if s != RsvpStatus.WAITLISTED],
                         validators=[InputRequired("Choose going, maybe or not going.")])
    submit = SubmitField("Send RSVP")


class RemoveForm(FlaskForm):
    reason = StringField("Reason for removing (kept in the audit log)", filters=[_strip],
                         validators=[DataRequired("Give a reason; it goes to the audit log."),
                                     Length(max=300, message="Use at most 300 characters.")])
    submit = SubmitField("Remove opportunity")



class BoardForm(FlaskForm):
    """The board's filters: GET, so the URL carries the whole query."""

    class Meta:
        csrf = False

    q = SearchField("Search words", filters=[_strip], validators=[Length(max=200)])
    kind = CheckboxListField("Kinds", choices=[SelectChoice(k.value, k.label) for k in OpportunityKind],
                             validate_choice=False)
    mine = BooleanField("Matches my interests")
    interests = TagField("Interests (any of)")
    specialty = SelectField("Specialty", coerce=optional_int)
    location = StringField("Location", filters=[_strip], validators=[Length(max=120)])
    work_mode = SelectField("On site or remote", choices=[
        SelectChoice("", "Any"), SelectChoice("remote", "Remote or hybrid"), SelectChoice("onsite", "On site only"),
        SelectChoice("remote_only", "Fully remote only")], default="")
    deadline_days = SelectField("Deadline within", coerce=optional_int, choices=[
        SelectChoice("", "Any time"), SelectChoice("7", "7 days"), SelectChoice("30", "30 days"),
        SelectChoice("90", "90 days")], default="")
    sort = SelectField("Sort by", choices=[SelectChoice(k, v) for k, v in SORTS.items()], default="newest")
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1, max=10_000)])
