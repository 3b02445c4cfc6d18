"""The admin's term form."""

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length


class TermForm(FlaskForm):
    name = StringField("Name", filters=[lambda v: v.strip() if isinstance(v, str) else v],
                       validators=[DataRequired("Enter a name."), Length(max=120, message="Use at most 120 characters.")])
    submit = SubmitField("Add")
