"""Notification forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SubmitField
from wtforms.validators import InputRequired

from network.notifications.models import EmailMode


class SettingsForm(FlaskForm):
    email_mode = RadioField("Email me about replies and mentions",
                            choices=[SelectChoice(m.value, m.label) for m in EmailMode],
                            validators=[InputRequired("Choose how you want to be emailed.")])
    submit = SubmitField("Save settings")


class ActionForm(FlaskForm):
    """A bare form for buttons that change state: it carries the CSRF token."""
