"""The reminder form of the cockpit's lists: an optional note, and whom to remind (one item, or all)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from network.forms import PhiGuarded, strip, strip_text

#: The value of the "Remind all" button; the per-row buttons send the item's id.
ALL = "all"


class NudgeForm(PhiGuarded, FlaskForm):
    phi_fields = ("note",)
    note = TextAreaField("Note to add to the reminder (optional)", filters=[strip_text],
                         validators=[Length(max=1000, message="Use at most 1,000 characters.")],
                         description="Sent with the reminder, by notification and mail. Name no patient.")
    target = StringField("Whom", filters=[strip], validators=[Optional(), Regexp(r"^(all|[0-9]{1,12})$",
                                                                message="Choose whom to remind.")])
