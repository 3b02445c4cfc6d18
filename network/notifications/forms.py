"""Notification forms: a delivery choice per group of notifications."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, SubmitField

from network.notifications.kinds import GROUPS, Delivery


def field_name(group_key: str) -> str:
    return "group_" + group_key.replace("-", "_")


class PreferencesForm(FlaskForm):
    # The older single setting, still accepted: it sets every group at once.
    email_mode = SelectField("Set every kind at once", default="",
                             choices=[SelectChoice("", "Keep each choice as set below")]
                             + [SelectChoice(d.value, d.label) for d in Delivery])
    submit = SubmitField("Save preferences")

    def group_fields(self):
        return [(group, self[field_name(group.key)]) for group in GROUPS]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for _, field in self.group_fields():
            if field.data not in (None, "") and field.data not in {d.value for d in Delivery}:
                field.errors = [*field.errors, "Choose one of the options."]
                valid = False
        if valid and not self.choices():
            self.form_errors.append("Choose how you want to hear about each kind of notification.")
            valid = False
        return valid

    def choices(self) -> dict[str, Delivery]:
        """The deliveries the member chose, by group key (groups left out keep their setting)."""
        if self.email_mode.data:
            return {group.key: Delivery(self.email_mode.data) for group in GROUPS}
        return {group.key: Delivery(field.data) for group, field in self.group_fields() if field.data}


for _group in GROUPS:
    setattr(PreferencesForm, field_name(_group.key),
            RadioField(_group.label, description=_group.hint, validate_choice=False,
                       choices=[SelectChoice(d.value, d.label) for d in Delivery]))

#: The name the settings page used before preferences were per group.
SettingsForm = PreferencesForm

