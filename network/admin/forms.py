"""Admin forms. They validate; they never save."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from network.forms import strip_text

REJECTION_REASON_MAX = 2000


class VerifyForm(FlaskForm):
    """Verify a pending member, and place them in one of their program's current cohorts if the admin
    chooses one. The route offers the cohorts (``set_cohorts``)."""

    cohort = SelectField("Place them in a cohort", choices=[], default="", validate_choice=False)
    submit = SubmitField("Verify")

    def set_cohorts(self, cohorts, role_label: str) -> None:
        self.cohort.choices = [SelectChoice("", "No cohort for now")] + [SelectChoice(str(c.id), c.name)
                                                                          for c in cohorts]
        self.cohort.description = (f"Optional: they join it as {role_label}, are told by notification and mail, "
                                   "and the placement is written to the audit log.")

    def validate_cohort(self, field):
        if field.data not in {str(choice.value) for choice in field.choices}:
            raise ValidationError("Choose one of the program’s current cohorts, or “No cohort for now”.")

    def cohort_id(self) -> int | None:
        return int(self.cohort.data) if self.cohort.data else None


class RejectForm(FlaskForm):
    """Turning down a registration cannot be undone, so it asks why: the reason is mailed to the person."""

    reason = TextAreaField("Reason", filters=[strip_text],
                           validators=[DataRequired("Write why the registration is rejected: the person is "
                                                    "mailed your reason."),
                                       Length(max=REJECTION_REASON_MAX,
                                              message=f"Use at most {REJECTION_REASON_MAX} characters.")],
                           description="Mailed to them as you write it, and kept in the audit log. For example: "
                                       "“We could not find you on the roster of the program you named.”",
                           render_kw={"rows": 4, "maxlength": REJECTION_REASON_MAX})
    submit = SubmitField("Reject the registration")
