"""Survey forms: staff define and send a survey, an alumnus answers it. They validate; they never save."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from network.forms import PhiGuarded, optional_int, strip_text
from network.forms import strip as _strip
from network.profiles.forms import enum_choices
from network.profiles.models import AcademicRank
from network.surveys.models import CertificationStatus, Position

#: The most publications or presentations one answer may count (a typo beyond it, not a career).
MAX_OUTPUT = 500


class SurveyForm(PhiGuarded, FlaskForm):
    phi_fields = ("intro",)
    title = StringField("Title", filters=[_strip], default="Alumni outcome survey",
                        validators=[DataRequired("Give the survey a title."), Length(max=160)])
    intro = TextAreaField("A word to your alumni", filters=[strip_text], validators=[Length(max=2000)],
                          description="Shown above the questions and in the mail. Optional.")
    at_one_year = BooleanField("Send it to each class 1 year after graduation", default=True)
    at_three_years = BooleanField("Send it to each class 3 years after graduation", default=True)
    create = SubmitField("Start the survey")

    def validate_at_three_years(self, field):
        if not field.data and not self.at_one_year.data:
            raise ValidationError("Choose at least one anniversary (you can also send the survey on demand).")


class SendForm(FlaskForm):
    cohort_id = SelectField("Graduated class", coerce=optional_int,
                            validators=[InputRequired("Choose the class to send the survey to.")])
    send = SubmitField("Send the survey now")


def _year_not_ahead(form, field):
    if field.data is not None and field.data > date.today().year:
        raise ValidationError("The year of certification cannot be in the future.")


class AnswerForm(PhiGuarded, FlaskForm):
    phi_fields = ("comments",)
    practice_setting_id = SelectField("Practice setting", coerce=optional_int)
    position = SelectField("Position", choices=enum_choices(Position, blank="Choose…"),
                           validators=[DataRequired("Choose your position.")])
    certification_status = RadioField("Board certification",
                                      choices=[SelectChoice(s.value, s.label) for s in CertificationStatus],
                                      validators=[InputRequired("Say whether you are board certified.")])
    certification_id = SelectField("Board", coerce=optional_int, description="If you are certified.")
    certification_year = IntegerField("Year certified", validators=[Optional(), NumberRange(min=1950, max=2100),
                                                                    _year_not_ahead])
    academic_rank = SelectField("Academic rank", choices=enum_choices(AcademicRank, blank="No academic appointment"))
    publications = IntegerField("Peer-reviewed publications since graduation", default=0,
                                validators=[InputRequired("Give a number (0 if none)."),
                                            NumberRange(min=0, max=MAX_OUTPUT)])
    presentations = IntegerField("Presentations at meetings since graduation", default=0,
                                 validators=[InputRequired("Give a number (0 if none)."),
                                             NumberRange(min=0, max=MAX_OUTPUT)])
    satisfaction = RadioField("How satisfied are you with the training you received?", coerce=int,
                              choices=[SelectChoice(1, "1 (not at all)"), SelectChoice(2, "2"), SelectChoice(3, "3"),
                                       SelectChoice(4, "4"), SelectChoice(5, "5 (very)")],
                              validators=[InputRequired("Choose a number from 1 to 5.")])
    comments = TextAreaField("Anything else you would tell the program?", filters=[strip_text],
                             validators=[Length(max=4000)],
                             description="Only the program director reads this. Name no patient.")
    save = SubmitField("Save my answers")

    def validate_certification_year(self, field):
        if field.data is not None and self.certification_status.data != CertificationStatus.CERTIFIED:
            raise ValidationError("Give a year only if you are board certified.")
