"""Discussion forms. They validate; they never save."""

from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import DateField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from network.discussions.models import CategoryVisibility
from network.forms import strip as _strip
from network.forms import strip_text

MAX_POST_LENGTH = 20_000
MAX_TITLE_LENGTH = 200  # the thread title's column


def _length(form, field):
    text = field.data or ""
    if len(text) > MAX_POST_LENGTH:
        raise ValidationError(f"A post can have at most {MAX_POST_LENGTH:,} characters; this one has "
                              f"{len(text):,}. Shorten it or split it into two posts.")


MAX_REMOVAL_REASON = 200

BODY_HINT = ("Markdown: **bold**, *italic*, lists, `code`, > quotes, tables and links. Mention a member with "
             "@Their Name. Never post patient identifiers.")


class PostForm(FlaskForm):
    # A fresh key each time the form is shown; sending the same form twice makes one post.
    submission_key = HiddenField(default=lambda: secrets.token_urlsafe(24),
                                 validators=[Optional(), Length(max=43)])
    body = TextAreaField("Your post", filters=[strip_text], description=BODY_HINT,
                         validators=[DataRequired("Write something first."), _length],
                         render_kw={"rows": 8})
    confirm_no_phi = BooleanField("I checked: the highlighted text identifies no patient")
    preview = SubmitField("Preview")
    submit = SubmitField("Post reply")


class ThreadForm(PostForm):
    title = StringField("Title", filters=[_strip],
                        validators=[DataRequired("Give the thread a title."),
                                    Length(max=MAX_TITLE_LENGTH,
                                           message=f"Use at most {MAX_TITLE_LENGTH} characters.")])
    submit = SubmitField("Start thread")


class EditPostForm(PostForm):
    title = StringField("Title", filters=[_strip],
                        validators=[Optional(), Length(max=MAX_TITLE_LENGTH,
                                                       message=f"Use at most {MAX_TITLE_LENGTH} characters.")])
    version = HiddenField(validators=[InputRequired()])
    submit = SubmitField("Save changes")


class FlagForm(FlaskForm):
    reason = TextAreaField("Why should a moderator look at this post?", filters=[strip_text],
                           validators=[DataRequired("Tell the moderators what is wrong."),
                                       Length(max=500, message="Use at most 500 characters.")],
                           render_kw={"rows": 3})
    submit = SubmitField("Flag post")


class RemovePostForm(FlaskForm):
    """The remove button; a moderator may say why (the author is told, the audit log keeps it)."""
    reason = StringField("Reason (optional, the author is told)", filters=[_strip],
                         validators=[Optional(), Length(max=MAX_REMOVAL_REASON,
                                                        message=f"Give a reason of at most {MAX_REMOVAL_REASON} "
                                                                "characters.")])


class MoveForm(FlaskForm):
    category_id = SelectField("Move to category", coerce=int, validators=[InputRequired("Choose a category.")])
    submit = SubmitField("Move thread")


class CategoryForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[DataRequired("Name the category."),
                                                             Length(max=120, message="Use at most 120 characters.")])
    description = TextAreaField("Description", filters=[strip_text],
                                validators=[Length(max=2000, message="Use at most 2,000 characters.")],
                                render_kw={"rows": 3})
    visibility = RadioField("Who can see it", choices=[SelectChoice(v.value, v.label) for v in CategoryVisibility],
                            default=CategoryVisibility.MEMBERS.value,
                            validators=[InputRequired("Choose who can see the category.")])
    cohort_id = SelectField("Cohort (for a cohort category)", coerce=int, validators=[Optional()])
    holds_phi_matches = BooleanField("Case discussions: hold posts that look like they contain patient "
                                     "identifiers for a moderator")
    submit = SubmitField("Save category")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search for", filters=[_strip], validators=[Optional(), Length(max=200)])
    category = SelectField("Category", coerce=int, validators=[Optional()])
    author = StringField("Author", filters=[_strip], validators=[Optional(), Length(max=120)])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
    sort = SelectField("Order", choices=[SelectChoice("relevance", "Best match"), SelectChoice("newest", "Newest")],
                       default="relevance", validators=[Optional()])

