"""Message forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length

from network.forms import strip, strip_text
from network.messages.models import WhoMayWrite
from network.messages.services import MAX_BODY


class MessageForm(FlaskForm):
    body = TextAreaField("Message", filters=[strip_text],
                         validators=[DataRequired("Write a message first."),
                                     Length(max=MAX_BODY, message=f"At most {MAX_BODY} characters.")],
                         description="Never include patient identifiers.")
    confirm_no_phi = BooleanField("I checked: the highlighted text identifies no patient")
    submit = SubmitField("Send")


class ReportForm(FlaskForm):
    reason = StringField("What is wrong with this message?", filters=[strip],
                         validators=[DataRequired("Say briefly what is wrong."), Length(max=500)])
    submit = SubmitField("Report to the moderators")


class MessagingSettingsForm(FlaskForm):
    who_may_write = RadioField("Who may start a conversation with you",
                               choices=[SelectChoice(w.value, w.label) for w in WhoMayWrite],
                               validators=[InputRequired("Choose who may write to you.")],
                               description="People you already talk with can always answer, unless one of you "
                                           "blocks the other.")
    submit = SubmitField("Save")


class ResolveForm(FlaskForm):
    action = HiddenField(validators=[AnyOf(["dismiss", "remove"], message="Choose dismiss or remove.")])
