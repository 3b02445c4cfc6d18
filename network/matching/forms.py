"""Matching round forms. They validate; they never save.

The fellow's ranking and the mentor's review have one field per person, so their pages read the
posted values themselves (with a bare form for the CSRF token); the rest are ordinary forms.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from network.forms import CheckboxListField
from network.forms import strip as _strip
from network.matching.models import Algorithm, OverrideKind
from network.mentorship.models import MentoringType


class OpenRoundForm(FlaskForm):
    title = StringField("Title", filters=[_strip],
                        validators=[DataRequired("Give the round a title."), Length(max=160)],
                        description='e.g. "Research mentors, Class of 2027".')
    cohorts = CheckboxListField("Participating cohorts", coerce=int,
                                description="Their current fellows take part.")
    type = SelectField("Kind of mentoring", choices=[SelectChoice(t.value, t.label) for t in MentoringType])
    algorithm = RadioField("Algorithm", default=Algorithm.STABLE.value,
                           choices=[SelectChoice(a.value, a.label) for a in Algorithm])
    deadline = DateTimeLocalField("Ranking deadline (UTC)", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                  validators=[InputRequired("Choose a deadline.")])
    max_choices = IntegerField("Mentors each fellow may rank", default=10,
                               validators=[InputRequired("Say how many mentors a fellow may rank."),
                                           NumberRange(min=1, max=20, message="Choose between 1 and 20.")])
    no_answer = RadioField("When a mentor has not answered for a fellow who listed them", default="acceptable",
                           choices=[
                               SelectChoice("acceptable", "Count it as acceptable (a silent mentor blocks nobody)"),
                               SelectChoice("not_acceptable", "Count it as not acceptable")])
    submit = SubmitField("Open the round")

    def validate_cohorts(self, field):
        if not field.data:
            raise ValidationError("Choose at least one cohort.")

    def validate_deadline(self, field):
        if field.data and field.data.replace(tzinfo=UTC) <= datetime.now(UTC):
            raise ValidationError("The deadline must be in the future.")

    def deadline_utc(self) -> datetime:
        return self.deadline.data.replace(tzinfo=UTC)

    @staticmethod
    def default_deadline() -> datetime:
        return (datetime.now(UTC) + timedelta(days=14)).replace(hour=17, minute=0, second=0, microsecond=0,
                                                                 tzinfo=None)


class PoolForm(FlaskForm):
    capacity = IntegerField("Fellows I can mentor in this round", default=2,
                            validators=[InputRequired("Say how many fellows you can take."),
                                        NumberRange(min=0, max=10, message="Choose between 0 and 10.")],
                            description="0 leaves the pool.")
    accept_any = BooleanField("Accept any fellow who lists me (ordered by fit)")
    submit = SubmitField("Save my place in the pool")


class OverrideForm(FlaskForm):
    fellow = SelectField("Fellow", coerce=int)
    mentor = SelectField("Mentor", coerce=int)
    kind = RadioField("Override", default=OverrideKind.PIN.value,
                      choices=[SelectChoice("pin", "Pin (always match this pair)"),
                               SelectChoice("forbid", "Forbid (never match this pair)")])
    submit = SubmitField("Add override")
