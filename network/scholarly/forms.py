"""The forms of a scholarly record: an item, its authors' links to members, an import, and the fields each kind uses."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from network.forms import CheckboxListField, PhiGuarded, optional_int, strip, strip_text
from network.profiles.forms import visibility_choices
from network.scholarly.citations import is_doi, is_pmid, normalize_doi
from network.scholarly.models import KIND_FIELDS, ItemKind, ItemStatus

#: A paste or file of citations: plenty for a year's record.
MAX_BYTES = 512 * 1024
TOO_LARGE = "Import at most 512 KB of citations at a time."
MAX_AUTHORS = 100

#: What the venue is for each kind.
VENUE_LABELS = {ItemKind.CHAPTER: "Book and publisher", ItemKind.ABSTRACT: "Meeting or journal",
                ItemKind.POSTER: "Meeting", ItemKind.PODIUM: "Meeting", ItemKind.GRAND_ROUNDS: "Department or hospital",
                ItemKind.WORKSHOP: "Course or meeting", ItemKind.QI_PROJECT: "Department or hospital",
                ItemKind.IRB_PROTOCOL: "Institution", ItemKind.GRANT: "Funder", ItemKind.ROLE: "Journal or committee"}


def kinds_using(name: str) -> str:
    """The kinds that use an optional field, space-separated (the form's ``data-kinds``, for app.js)."""
    return " ".join(kind.value for kind, names in KIND_FIELDS.items() if name in names)


def _doi(form, field):
    field.data = normalize_doi(field.data or "")
    if field.data and not is_doi(field.data):
        raise ValidationError("Enter a DOI such as 10.1097/j.pain.0000000000001234 (a doi.org link works too).")


def _pmid(form, field):
    field.data = (field.data or "").strip()
    if field.data and not is_pmid(field.data):
        raise ValidationError("A PubMed id (PMID) is 1 to 8 digits, such as 38912345.")


def author_lines(text: str | None) -> list[str]:
    """The author box as lines, in order, blanks dropped."""
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def _authors(form, field):
    lines = author_lines(field.data)
    if len(lines) > MAX_AUTHORS:
        raise ValidationError(f"List at most {MAX_AUTHORS} authors (use “et al.” for the rest).")
    if any(len(line) > 200 for line in lines):
        raise ValidationError("One author line is longer than 200 characters: put one author per line.")


def _with_none(pairs, blank: str = "None") -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(value, label) for value, label in pairs]


class ItemForm(PhiGuarded, FlaskForm):
    # The title, as a case report's could name a patient; the venue names a journal or meeting, which the name
    # check would only mistake for a person ("Research Day").
    phi_fields = ("title",)

    # Required in the request, but not marked "required" in the page: a choice is always selected there, and HTML
    # wants a blank first option in a required select.
    kind = SelectField("Kind", choices=[SelectChoice(kind.value, kind.label) for kind in ItemKind],
                       validators=[InputRequired("Choose what kind of item it is.")], render_kw={"required": False})
    status = SelectField("Status", choices=[SelectChoice(status.value, status.label) for status in ItemStatus],
                         validators=[InputRequired("Choose where it stands.")], render_kw={"required": False})
    title = StringField("Title", filters=[strip], validators=[DataRequired("Enter the title."), Length(max=500)])
    authors = TextAreaField("Authors, in order", filters=[strip_text], render_kw={"rows": 4},
                            description="One per line, as printed: “Okafor AN”. Include yourself; you can link "
                                        "co-authors who are members on the next page.", validators=[_authors])
    venue = StringField("Journal or venue", filters=[strip], validators=[Length(max=300)],
                        description="The journal, meeting, publisher, funder or committee.")
    published_on = DateField("Date", validators=[Optional()],
                             description="Publication, presentation or start date.")
    volume = StringField("Volume", filters=[strip], validators=[Length(max=40)])
    issue = StringField("Issue", filters=[strip], validators=[Length(max=40)])
    pages = StringField("Pages", filters=[strip], validators=[Length(max=40)])
    doi = StringField("DOI", filters=[strip], validators=[Length(max=200), _doi],
                      description="For example 10.1093/pm/pnae123.")
    pmid = StringField("PMID", filters=[strip], validators=[Length(max=12), _pmid],
                       description="The PubMed id, 1 to 8 digits.")
    visibility = SelectField("Who sees this item", choices=visibility_choices, default="members")
    mentorship = SelectField("Research mentorship it came from", coerce=optional_int, validate_choice=True,
                             description="Your mentor or mentee sees it in your shared workspace, unless you keep "
                                         "it to yourself (“Only me”).")
    collaboration = SelectField("Research collaboration it came from", coerce=optional_int, validate_choice=True,
                                description="A research collaboration from the opportunities board.")
    presented_at = SelectField("Presented at", coerce=optional_int, validate_choice=True,
                               description="A conference or workshop from the opportunities board.")
    submit = SubmitField("Save item")

    def set_choices(self, mentorships, collaborations, events) -> None:
        """The links it may make: the member's own research mentorships, and opportunities of the right kinds."""
        self.mentorship.choices = _with_none(mentorships)
        self.collaboration.choices = _with_none(collaborations)
        self.presented_at.choices = _with_none(events)

    def used(self) -> set[str]:
        """The optional fields the chosen kind uses."""
        return KIND_FIELDS.get(ItemKind(self.kind.data), set()) if self.kind.data in ItemKind else set()


class ImportForm(FlaskForm):
    text = TextAreaField("Paste citations", filters=[strip_text], render_kw={"rows": 10, "spellcheck": "false"},
                         description="RIS, BibTeX, or PubMed's MEDLINE format (“Send to: Citation manager”).")
    upload = FileField("Or upload a file", description="A .ris, .bib, .nbib or .txt file, at most 512 KB.",
                       render_kw={"accept": ".ris,.bib,.bibtex,.nbib,.txt,text/plain", "data-max-bytes": MAX_BYTES,
                                  "data-too-large": "This file is {size}. " + TOO_LARGE})
    submit = SubmitField("Read and preview")


class ImportSaveForm(FlaskForm):
    chosen = CheckboxListField("Items to save", coerce=int)
    submit = SubmitField("Save the chosen items")


def author_links_form(lines, choices):
    """A form with one select per author line (``member_<line id>``): the member it is, or none."""

    class AuthorLinksForm(FlaskForm):
        submit = SubmitField("Save links")

    for line in lines:
        setattr(AuthorLinksForm, f"member_{line.id}", SelectField(
            line.name, coerce=optional_int, choices=_with_none(choices, "Not a member, or not linked"),
            default=line.member_id))
    return AuthorLinksForm()
