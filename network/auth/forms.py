"""Account forms. They validate; they never save."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from network.auth.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from network.forms import strip as _strip
from network.members.models import SELF_SERVICE_ROLES, Role


def new_password_check(form, field):
    """The password policy, with the member's name and address: the form's own ``name`` and ``email``
    fields, and ``form.member_words`` that a route sets for a member it knows (reset, change, invitation)."""
    words = [*getattr(form, "member_words", ())]
    words += [form[name].data or "" for name in ("name", "email") if name in form]
    problem = password_problem(field.data or "", words)
    if problem:
        raise ValidationError(problem)


EMAIL_VALIDATORS = [
    DataRequired("Enter your email address."),
    Length(max=254, message="An email address has at most 254 characters."),
    Email("Enter an email address like name@hospital.org.", granular_message=False),
]

ROLE_CHOICES = {
    Role.FELLOW: "A current fellow",
    Role.ALUMNI: "A graduate of a fellowship program (alumni)",
    Role.FACULTY: "Program faculty",
}

PASSWORD_HINT = f"At least {MIN_LENGTH} characters. A few unrelated words work well."


class RegisterForm(FlaskForm):
    name = StringField("Full name", filters=[_strip],
                       validators=[DataRequired("Enter your name."), Length(max=120, message="Use at most 120 characters.")],
                       render_kw={"autocomplete": "name"})
    email = EmailField("Email", filters=[_strip], validators=EMAIL_VALIDATORS,
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Password", validators=[InputRequired("Choose a password."), new_password_check],
                             description=PASSWORD_HINT,
                             render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH, "maxlength": MAX_LENGTH})
    role = RadioField("I am", choices=[SelectChoice(r.value, ROLE_CHOICES[r]) for r in SELF_SERVICE_ROLES],
                      validators=[InputRequired("Choose the role that describes you.")])
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[_strip],
                       validators=[DataRequired("Enter your email address."), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[InputRequired("Enter your password."), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", filters=[_strip], validators=EMAIL_VALIDATORS,
                       render_kw={"autocomplete": "email"})
    submit = SubmitField("Email me a reset link")


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[InputRequired("Choose a password."), new_password_check],
                             description=PASSWORD_HINT,
                             render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH, "maxlength": MAX_LENGTH})
    submit = SubmitField("Set new password")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password",
                                     validators=[InputRequired("Enter your current password."), Length(max=1024)],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField("New password", validators=[InputRequired("Choose a password."), new_password_check],
                             description=PASSWORD_HINT,
                             render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH, "maxlength": MAX_LENGTH})
    submit = SubmitField("Change password")


class ActionForm(FlaskForm):
    """A bare form for state-changing buttons: it carries the CSRF token."""

    submit = SubmitField("Confirm")


class CodeForm(FlaskForm):
    """The sign-in's second step: a code from the app, or a recovery code."""

    code = StringField("Code", filters=[_strip],
                       validators=[DataRequired("Enter the code from your authenticator app."),
                                   Length(max=32, message="A code has at most 32 characters.")],
                       description="Six digits from your authenticator app, or one of your recovery codes.",
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off",
                                  "spellcheck": "false"})
    submit = SubmitField("Continue")


class EnableTwoFactorForm(FlaskForm):
    code = StringField("Code from the app", filters=[_strip],
                       validators=[DataRequired("Enter the six digits your app shows."),
                                   Length(max=16, message="The code has six digits.")],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    submit = SubmitField("Turn on two-step sign-in")


class ConfirmWithCodeForm(FlaskForm):
    """Password and a current code: needed to turn two-step sign-in off or to replace recovery codes."""

    password = PasswordField("Password", validators=[InputRequired("Enter your password."), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    code = StringField("Code from the app or a recovery code", filters=[_strip],
                       validators=[DataRequired("Enter a code."), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code"})
    submit = SubmitField("Confirm")
