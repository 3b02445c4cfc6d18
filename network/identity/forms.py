"""Institutional sign-in forms. They validate; they never save."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectChoice, SubmitField
from wtforms.validators import InputRequired, Length

from network.auth.forms import ROLE_CHOICES
from network.identity.linking import CLAIMABLE_ROLES


class ProveWithPasswordForm(FlaskForm):
    """The existing account's password: the proof that links the provider's identity to it."""

    password = PasswordField("Your Fellowship Network password",
                             validators=[InputRequired("Enter your password."), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Link and sign in")


class RoleForm(FlaskForm):
    """Asked once, of a new member whose institution's answer names no role we map."""

    role = RadioField("I am", choices=[SelectChoice(r.value, ROLE_CHOICES[r]) for r in CLAIMABLE_ROLES],
                      validators=[InputRequired("Choose the role that describes you.")])
    submit = SubmitField("Continue")
