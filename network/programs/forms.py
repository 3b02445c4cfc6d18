"""Program forms (the admin wing edits programs; faculty create cohorts). They validate; they never save."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from network.forms import strip, strip_text
from network.programs.models import ProgramRole


class ProgramForm(FlaskForm):
    name = StringField("Name", filters=[strip], validators=[DataRequired("Give the program a name."), Length(max=160)])
    institution = StringField("Institution", filters=[strip],
                              validators=[DataRequired("Enter the institution."), Length(max=160)])
    specialty_id = SelectField("Specialty", coerce=int)
    city = StringField("City", filters=[strip], validators=[Length(max=120)])
    description = TextAreaField("Description", filters=[strip_text], validators=[Length(max=4000)])
    submit = SubmitField("Save program")


class StaffForm(FlaskForm):
    email = EmailField("Faculty member's email", filters=[strip],
                       validators=[DataRequired("Enter the email of a faculty member."), Length(max=254),
                                   Email("Enter an email address like name@hospital.org.", granular_message=False)])
    role = SelectField("Program role", choices=[SelectChoice(r.value, r.label) for r in ProgramRole], default="faculty")
    submit = SubmitField("Add to staff")
