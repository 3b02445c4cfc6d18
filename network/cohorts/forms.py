"""Cohort forms. They validate; they never save."""

from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from network.auth.forms import PASSWORD_HINT, new_password_check
from network.auth.passwords import MAX_LENGTH, MIN_LENGTH
from network.cohorts import roster as roster_csv
from network.forms import strip, strip_text

ROLE_CHOICES = [SelectChoice("fellow", "Fellow"), SelectChoice("faculty", "Faculty advisor")]
MAX_INVITES = 50


def unique_addresses(parts) -> list[str]:
    """The addresses among ``parts``, trimmed and in lower case, each once, in their order."""
    seen, result = set(), []
    for part in parts:
        address = part.strip().lower()
        if address and address not in seen:
            seen.add(address)
            result.append(address)
    return result


def invitation_addresses_problem(addresses: list[str]) -> str | None:
    """What is wrong with a list of addresses to invite at once (too many, or not valid), or None: the rule
    of the roster page's invite form and of the API's invitations."""
    if len(addresses) > MAX_INVITES:
        return f"Invite at most {MAX_INVITES} at once, or import a CSV roster."
    bad = []
    for address in addresses:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            bad.append(address)
    if bad:
        return "Not valid email addresses: " + ", ".join(bad[:10])
    return None


class CohortForm(FlaskForm):
    name = StringField("Name", filters=[strip], description="For example “Class of 2028”.",
                       validators=[DataRequired("Give the class a name."), Length(max=80)])
    start_date = DateField("Starts", validators=[InputRequired("Enter the first day.")])
    end_date = DateField("Ends", validators=[InputRequired("Enter the last day.")])
    submit = SubmitField("Create cohort")

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data <= self.start_date.data:
            raise ValidationError("The class must end after it starts.")


class InviteForm(FlaskForm):
    emails = TextAreaField("Email addresses", filters=[strip_text],
                           description=f"One or more, separated by commas or new lines (at most {MAX_INVITES}).",
                           validators=[DataRequired("Enter at least one email address."), Length(max=20000)])
    role = SelectField("Role in the cohort", choices=ROLE_CHOICES, default="fellow")
    submit = SubmitField("Send invitations")

    def addresses(self) -> list[str]:
        return unique_addresses((self.emails.data or "").replace(";", ",").replace("\n", ",").split(","))

    def validate_emails(self, field):
        problem = invitation_addresses_problem(self.addresses())
        if problem:
            raise ValidationError(problem)


class PlaceMemberForm(FlaskForm):
    """Administrators only: put an existing member in the cohort without an invitation."""

    email = StringField("Member's email", filters=[strip],
                        validators=[DataRequired("Enter the member's email address."), Length(max=254)],
                        render_kw={"autocomplete": "off"})
    role = SelectField("Role in the cohort", choices=ROLE_CHOICES, default="fellow")
    submit = SubmitField("Place in the cohort")


class RosterUploadForm(FlaskForm):
    roster = FileField("Roster file (CSV)", description="Columns: name, email, role, training background; "
                       "more columns are kept as extras. UTF-8, at most 1 MB and 2,000 rows.",
                       # What the server reads, and its limit for the size check in app.js.
                       render_kw={"accept": ".csv,text/csv", "data-max-bytes": roster_csv.MAX_BYTES,
                                  "data-too-large": "This file is {size}. " + roster_csv.TOO_LARGE})
    submit = SubmitField("Upload and preview")


#: Graduating a class more than this many days before its end date needs an explicit confirmation.
EARLY_GRADUATION_DAYS = 30


class GraduateForm(FlaskForm):
    complete_mentorships = BooleanField("Complete the fellows' active mentorships (as mentees) at the same time")
    confirm_early = BooleanField("Graduate now, before the class's end date")
    submit = SubmitField("Graduate the class")

    def __init__(self, *args, end_date: date | None = None, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.end_date = end_date
        #: Days from ``today`` to the class's end date when that is more than ``EARLY_GRADUATION_DAYS``, else 0.
        left = (end_date - today).days if end_date and today else 0
        self.days_early = left if left > EARLY_GRADUATION_DAYS else 0
        self.confirm_early.label.text = f"Graduate now, {self.days_early} days before the class's end date"

    def validate_confirm_early(self, field):
        if self.days_early and not field.data:
            raise ValidationError(f"The class ends on {self.end_date:%d %b %Y}, {self.days_early} days from now. "
                                  "To graduate it already, tick “Graduate now”.")


class AcceptInvitationForm(FlaskForm):
    name = StringField("Full name", filters=[strip],
                       validators=[DataRequired("Enter your name."),
                                   Length(max=120, message="Use at most 120 characters.")],
                       render_kw={"autocomplete": "name"})
    password = PasswordField("Password", validators=[InputRequired("Choose a password."), new_password_check],
                             description=PASSWORD_HINT,
                             render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH,
                                        "maxlength": MAX_LENGTH})
    submit = SubmitField("Create my account and join")
