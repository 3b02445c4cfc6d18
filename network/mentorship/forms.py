"""Mentorship forms. They validate; they never save."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from network.forms import CheckboxListField, PhiGuarded, strip_text
from network.forms import strip as _strip
from network.mentorship.models import DeclineReason, MeetingMode, MentoringType

TYPE_CHOICES = [SelectChoice(t.value, t.label) for t in MentoringType]


class MentorSettingsForm(FlaskForm):
    accepting = BooleanField("I am taking new mentees")
    capacity = IntegerField("How many mentees at once", default=3,
                            validators=[InputRequired("Say how many mentees you can take."),
                                        NumberRange(min=1, max=10, message="Choose between 1 and 10.")])
    types = CheckboxListField("Kinds of mentoring I offer", choices=TYPE_CHOICES)
    meeting_modes = CheckboxListField("How I like to meet",
                                      choices=[SelectChoice(m.value, m.label) for m in MeetingMode])
    topics = CheckboxListField("Topics I can help with", coerce=int)
    availability = StringField("Availability", filters=[_strip], validators=[Length(max=300)],
                               description='e.g. "Tuesday evenings, Central time".')
    submit = SubmitField("Save mentoring settings")

    def validate_types(self, field):
        if self.accepting.data and not field.data:
            raise ValidationError("Choose at least one kind of mentoring you offer.")


class RequestForm(PhiGuarded, FlaskForm):
    phi_fields = ("message",)
    type = SelectField("Kind of mentoring", choices=TYPE_CHOICES)
    message = TextAreaField("Message", filters=[strip_text],
                            validators=[DataRequired("Say briefly what you hope to get from this mentorship."),
                                        Length(max=2000, message="Use at most 2,000 characters.")],
                            description="What you hope to work on, and how often you would like to meet.")
    submit = SubmitField("Send request")


class DeclineForm(PhiGuarded, FlaskForm):
    phi_fields = ("note",)
    # No reason is chosen for the mentor: the first option asks for one.
    reason = SelectField("Reason", choices=[SelectChoice("", "Choose a reason…")]
                         + [SelectChoice(r.value, r.label) for r in DeclineReason],
                         validators=[DataRequired("Choose a reason for declining.")])
    note = TextAreaField("Note (optional)", filters=[strip_text], validators=[Length(max=1000)])
    decline = SubmitField("Decline")


class CompactForm(PhiGuarded, FlaskForm):
    phi_fields = ("expectations",)
    cadence_days = SelectField("We meet about every", coerce=int, choices=[
        SelectChoice(7, "week"), SelectChoice(14, "two weeks"), SelectChoice(30, "month"),
        SelectChoice(60, "two months"), SelectChoice(90, "three months")])
    length_months = IntegerField("For (months)", validators=[InputRequired(), NumberRange(min=1, max=36)])
    expectations = TextAreaField("What we expect of each other", filters=[strip_text],
                                 validators=[Length(max=3000, message="Use at most 3,000 characters.")])
    save_compact = SubmitField("Save the agreement")


class GoalForm(PhiGuarded, FlaskForm):
    phi_fields = ("title",)
    title = StringField("Goal", filters=[_strip], validators=[DataRequired("Name the goal."), Length(max=200)])
    due_on = DateField("Due", validators=[Optional()])
    add_goal = SubmitField("Add goal")


def not_in_future(form, field):
    if field.data and field.data > date.today():
        raise ValidationError("A meeting cannot be in the future.")


class MeetingForm(PhiGuarded, FlaskForm):
    phi_fields = ("topics", "notes")
    met_on = DateField("Date", default=date.today, validators=[InputRequired("Give the date."), not_in_future])
    minutes = IntegerField("Minutes", default=30, validators=[InputRequired(), NumberRange(min=5, max=600)])
    mode = SelectField("How", choices=[SelectChoice(m.value, m.label) for m in MeetingMode])
    topics = StringField("Topics", filters=[_strip], validators=[Length(max=300)])
    notes = TextAreaField("Notes", filters=[strip_text], validators=[Length(max=5000)])
    notes_private = BooleanField("Keep my notes private (only I see them)")
    log_meeting = SubmitField("Log meeting")


class MeetingEditForm(MeetingForm):
    """The meeting form for correcting a logged meeting."""

    log_meeting = None
    save_meeting = SubmitField("Save the meeting")


class EndForm(PhiGuarded, FlaskForm):
    phi_fields = ("comment",)
    # Nothing is chosen for the member: ending is deliberate, and "completed" is not everyone's story.
    outcome = RadioField("How did it end?", validators=[InputRequired("Choose how the mentorship ended.")], choices=[
        SelectChoice("completed", "Completed: we reached what we set out to do"),
        SelectChoice("ended", "Ended early")])
    rating = RadioField("Rating", coerce=int, validators=[InputRequired("Give a rating from 1 to 5.")],
                        choices=[SelectChoice(n, f"{n} of 5") for n in range(1, 6)])
    comment = TextAreaField("Comment", filters=[strip_text], validators=[Length(max=2000)])
    end = SubmitField("End the mentorship")
