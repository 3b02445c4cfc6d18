"""Things every template can use."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

from flask import url_for
from markupsafe import Markup, escape
from wtforms import SelectChoice

from network import permissions
from network.members.models import Role
from network.text.markdown import render_markdown
from network.text.phi import without_phi
from network.text.phi_guard import mark as mark_phi
from network.text.words import plural


def select_options(field) -> Markup:
    """A select field's ``<option>`` elements, the markup a Jinja loop over ``iter_choices()`` writes
    (a Python loop: the directory's country list alone has 250 options)."""
    chosen = _key(field.data)
    return Markup("".join(  # noqa: S704 (every value and label escaped)
        f'<option value="{value.translate(_ESCAPES)}"{" selected" if value == chosen else ""}>'
        f'{label.translate(_ESCAPES)}</option>' for value, label in _choices(field)))


def checkbox_items(field) -> Markup:
    """A multiple-choice field as ``<li>`` items, each a checkbox with its own label."""
    invalid = ' aria-invalid="true"' if field.errors else ""
    name = escape(field.name)
    prefix = escape(field.id)
    chosen = {_key(value) for value in field.data or ()}
    return Markup("".join(  # noqa: S704 (every value and label escaped)
        f'<li><input class="form-check-input" type="checkbox" id="{prefix}-{index}" name="{name}"'
        f' value="{value.translate(_ESCAPES)}"{" checked" if value in chosen else ""}{invalid}> '
        f'<label class="form-check-label" for="{prefix}-{index}">{label.translate(_ESCAPES)}</label></li>'
        for index, (value, label) in enumerate(_choices(field))))


#: What ``markupsafe.escape`` replaces, as one table: a choice's value and label are plain text (an option
#: holds no markup), so each is escaped in one call, not three (hundreds of options on a directory page).
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def _choices(field) -> Iterator[tuple[str, str]]:
    """(value, label) of each of a field's choices as text, the value as the form sends it back.

    A choice is chosen when its value, as text, is the field's data as text: what WTForms' ``coerce``
    comparison gives for the fields here (text, ``int``, ``optional_int``), without building two
    objects per option on every page (the board's interest tags are a few hundred)."""
    choices = field.choices
    if not isinstance(choices, list | tuple):  # grouped or computed choices: let WTForms read them
        choices = [SelectChoice(c.value, c.label) for c in field.iter_choices()]
    for choice in choices:
        if isinstance(choice, SelectChoice):
            value, label = choice.value, choice.label
        elif isinstance(choice, str):
            value = label = choice
        else:
            value, label = choice[0], choice[1]
        yield _key(value), str(label)


def _key(value) -> str:
    return "" if value is None else str(value)


class RowUrl:
    """One route's URL for every row of a list at the cost of a single ``url_for``: built with a marker
    in place of the argument ``name``, then called with each row's value. ``url_for`` on every row cost
    as much as the rest of a list (directory cards, recommendations, a thread's posts).

        profile = RowUrl("profiles.show", "user_id")   # in a template: row_url("profiles.show", "user_id")
        profile(42)                                    # "/members/42", what url_for would give
    """

    _MARKER = "9753186420"

    def __init__(self, endpoint: str, name: str, **values):
        url = url_for(endpoint, **values, **{name: int(self._MARKER)})
        self._before, _, self._after = url.partition(self._MARKER)

    def __call__(self, value) -> str:
        return f"{self._before}{value}{self._after}"


def initials(name: str) -> str:
    """Up to two initials for an avatar: "Dr. Priya Raman" gives "PR"."""
    return "".join(word[0] for word in name.replace("Dr. ", "").split()[:2]).upper()


def time_attribute(value: datetime | date) -> str:
    """The ``datetime`` attribute of a ``<time>`` element: ISO 8601 to the second, in UTC.

    HTML allows at most three digits of a second (``isoformat()`` writes six); a stored time without
    a zone (SQLite) is UTC, like every time the app writes.
    """
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def register_template_helpers(app) -> None:
    app.jinja_env.globals.update(permissions=permissions, Role=Role, select_options=select_options,
                                 checkbox_items=checkbox_items, row_url=RowUrl, plural=plural)
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["initials"] = initials
    # Excerpts and mail quotes of members' text never carry what the patient-identifier detector flags.
    app.jinja_env.filters["without_phi"] = without_phi
    app.jinja_env.filters["mark_phi"] = mark_phi
    app.jinja_env.filters["time_attribute"] = time_attribute
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
