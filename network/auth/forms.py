"""Account forms. They validate; they never save."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from network.auth.api_tokens import DEFAULT_DAYS, EXPIRY_DAYS, SCOPE_LABELS
from network.auth.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from network.forms import CheckboxListField, ConfirmedByPassword
from network.forms import strip as _strip
from network.members.models import SELF_SERVICE_ROLES, TRAINING_YEARS, Role, User, training_year_label


def new_password_check(form, field):
    """The password policy, with the member's name and address: the form's own ``name`` and ``email``
    fields, and ``form.member_words`` for a member the route knows (reset and change set it from ``member``,
    the invitation from its address)."""
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

#: The program choice for a program that is not in the list; its name is typed in ``program_other``.
PROGRAM_OTHER = "other"
PROGRAM_NAME_MAX = 160

PASSWORD_HINT = f"At least {MIN_LENGTH} characters. A few unrelated words work well."


def _new_password(label: str) -> PasswordField:
    """A field for a new password: checked by the password rules, with the hint and the browser's length limits."""
    return PasswordField(label, validators=[InputRequired("Choose a password."), new_password_check],
                         description=PASSWORD_HINT,
                         render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH, "maxlength": MAX_LENGTH})


class RegisterForm(FlaskForm):
    name = StringField("Full name", filters=[_strip],
                       validators=[DataRequired("Enter your name."),
                                   Length(max=120, message="Use at most 120 characters.")],
                       render_kw={"autocomplete": "name"})
    email = EmailField("Email", filters=[_strip], validators=EMAIL_VALIDATORS,
                       render_kw={"autocomplete": "email"})
    password = _new_password("Password")
    role = RadioField("I am", choices=[SelectChoice(r.value, ROLE_CHOICES[r]) for r in SELF_SERVICE_ROLES],
                      validators=[InputRequired("Choose the role that describes you.")])
    # What the administrator who verifies the account goes on: all optional. The route sets the programs.
    program = SelectField("Program", choices=[], default="", validate_choice=False,
                          description="The fellowship program you are in, finished or teach in.")
    program_other = StringField("Program name, if it is not listed", filters=[_strip],
                                validators=[Length(max=PROGRAM_NAME_MAX,
                                                   message=f"Use at most {PROGRAM_NAME_MAX} characters.")],
                                description="With the institution, e.g. “Pain Medicine Fellowship, "
                                            "St. Mary’s Hospital”.",
                                render_kw={"autocomplete": "organization"})
    training_year = SelectField("Year of training (current fellows)", default="", validate_choice=False,
                                choices=[SelectChoice("", "—")] + [SelectChoice(str(year), training_year_label(year))
                                                                   for year in TRAINING_YEARS],
                                description="Your postgraduate year (PGY) this academic year.")
    graduation_year = StringField("Year you finished the fellowship (alumni)", filters=[_strip],
                                  description="Four digits, e.g. 2019.",
                                  render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 4})
    submit = SubmitField("Create account")

    def set_programs(self, rows) -> None:
        """Offer the network's programs (rows of id, name, institution), then “Other / not listed”."""
        self.program.choices = ([SelectChoice("", "Choose your program (optional)")]
                                + [SelectChoice(str(id_), f"{name}, {institution}") for id_, name, institution in rows]
                                + [SelectChoice(PROGRAM_OTHER, "Other / not listed")])

    def validate_program(self, field):
        if field.data not in {str(choice.value) for choice in field.choices}:
            raise ValidationError("Choose your program from the list, or “Other / not listed” and type its name.")

    def validate_program_other(self, field):
        if self.program.data == PROGRAM_OTHER and not field.data:
            raise ValidationError("Type your program’s name, or choose it from the list.")

    def validate_training_year(self, field):
        if not field.data:
            return
        if field.data not in {str(year) for year in TRAINING_YEARS}:
            raise ValidationError("Choose your year of training from the list.")
        if self.role.data != Role.FELLOW:
            raise ValidationError("The year of training is for current fellows: leave it empty, or choose "
                                  "“A current fellow” above.")

    def validate_graduation_year(self, field):
        if not field.data:
            return
        this_year = date.today().year
        if not (field.data.isascii() and field.data.isdigit() and 1960 <= int(field.data) <= this_year):
            raise ValidationError(f"Enter the year as four digits, between 1960 and {this_year}.")
        if self.role.data != Role.ALUMNI:
            raise ValidationError("The year you finished is for alumni: leave it empty, or choose "
                                  "“A graduate of a fellowship program” above.")

    def registration_details(self) -> dict:
        """The program and training stage as ``register_member`` takes them (after validation): a program
        of the list, or the name typed for one that is not listed."""
        listed = self.program.data not in ("", PROGRAM_OTHER)
        return {"program_id": int(self.program.data) if listed else None,
                "program_name": "" if listed else self.program_other.data or "",
                "training_year": int(self.training_year.data) if self.training_year.data else None,
                "graduation_year": int(self.graduation_year.data) if self.graduation_year.data else None}


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


class _MemberPasswordForm(FlaskForm):
    """A form that sets the password of a member the route knows: their name and address (``member``) may
    not make up the new password."""

    def __init__(self, *args, member: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.member_words = (member.name, member.email)


class ResetPasswordForm(_MemberPasswordForm):
    password = _new_password("New password")
    submit = SubmitField("Set new password")


class ChangePasswordForm(_MemberPasswordForm):
    current_password = PasswordField("Current password",
                                     validators=[InputRequired("Enter your current password."), Length(max=1024)],
                                     render_kw={"autocomplete": "current-password"})
    password = _new_password("New password")
    submit = SubmitField("Change password")


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


class ConfirmWithCodeForm(ConfirmedByPassword, FlaskForm):
    """Password and a current code: needed to turn two-step sign-in off or to replace recovery codes."""

    password = PasswordField("Password", validators=[InputRequired("Enter your password."), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    code = StringField("Code from the app or a recovery code", filters=[_strip],
                       validators=[DataRequired("Enter a code."), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code"})
    submit = SubmitField("Confirm")


def _whole_number(value) -> int | None:
    """A select's value as an integer, None for anything else (the field's own check then says what to do)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ApiTokenForm(FlaskForm):
    """A new personal access token: a name to know it by, its scopes (``scopes``: those the member may give,
    ``api_tokens.offered_scopes``) and how long it lasts. The service checks the rest (how many live tokens)."""

    name = StringField("Name", filters=[_strip],
                       validators=[DataRequired("Give the token a name, so you know later what uses it."),
                                   Length(max=80, message="A name has at most 80 characters.")],
                       description='What will use it, e.g. "Residency system sync" or "My laptop".',
                       render_kw={"maxlength": 80, "autocomplete": "off"})
    scopes = CheckboxListField("What it may do", validate_choice=False)
    days = SelectField("Expires after", coerce=_whole_number, default=DEFAULT_DAYS,
                       choices=[SelectChoice(days, f"{days} days") for days in EXPIRY_DAYS],
                       validate_choice=False)
    submit = SubmitField("Create the token")

    def __init__(self, *args, scopes: tuple[str, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scopes.choices = [SelectChoice(scope, f"{scope}: {SCOPE_LABELS[scope]}") for scope in scopes]

    def validate_scopes(self, field):
        offered = {choice.value for choice in field.choices}
        if not field.data:
            raise ValidationError("Choose at least one scope.")
        if not set(field.data) <= offered:
            raise ValidationError("Choose among the scopes listed.")

    def validate_days(self, field):
        if field.data not in EXPIRY_DAYS:
            raise ValidationError("Choose one of the expiries listed.")
