"""The admin's term form."""

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from network.forms import strip


class TermForm(FlaskForm):
    name = StringField("Name", filters=[strip],
                       validators=[DataRequired("Enter a name."),
                                   Length(max=120, message="Use at most 120 characters.")])
    submit = SubmitField("Add")
