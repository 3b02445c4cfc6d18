"""Things every template can use."""

from datetime import UTC, date, datetime
from functools import lru_cache

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
    """A select field's ``<option>`` elements.

    The same markup a Jinja loop over ``iter_choices()`` writes, at a fraction of the cost: a list
    of choices is escaped once per process and only the selected option changes per request (the
    directory's country list alone has 250 options).
    """
    pairs = _plain_pairs(field.choices)
    if pairs is None:
        return Markup("".join(
            f'<option value="{escape("" if choice.value is None else choice.value)}"'
            f'{" selected" if choice.selected else ""}>{escape(choice.label)}</option>'
            for choice in field.iter_choices()))
    markup, ends = _options_markup(pairs)
    return _mark(markup, ends, _selected_keys(field.data), " selected")


def checkbox_items(field) -> Markup:
    """A multiple-choice field as ``<li>`` items, each a checkbox with its own label."""
    pairs = _plain_pairs(field.choices)
    if pairs is None:
        pairs = tuple((choice.value, choice.label) for choice in field.iter_choices())
    markup, ends = _checkbox_markup(field.id, field.name, pairs, bool(field.errors))
    return _mark(markup, ends, _selected_keys(field.data), " checked")


def _plain_pairs(choices) -> tuple | None:
    """(value, label) pairs when every choice is a plain ``SelectChoice``, else None."""
    if not isinstance(choices, (list, tuple)) or not all(
            isinstance(c, SelectChoice) and c.optgroup is None and not c.render_kw for c in choices):
        return None
    return tuple((c.value, str(c.label)) for c in choices)


def _key(value) -> str:
    return "" if value is None else str(value)


def _selected_keys(data) -> set[str]:
    if isinstance(data, (list, tuple, set, frozenset)):
        return {_key(item) for item in data}
    return {_key(data)}


def _mark(markup: str, ends: dict[str, int], keys: set[str], attribute: str) -> Markup:
    """Insert ``attribute`` into the opening tag of each option whose value is selected."""
    offsets = sorted(ends[key] for key in keys if key in ends)
    if not offsets:
        return Markup(markup)
    pieces, previous = [], 0
    for offset in offsets:
        pieces += [markup[previous:offset], attribute]
        previous = offset
    pieces.append(markup[previous:])
    return Markup("".join(pieces))


@lru_cache(maxsize=512)
def _options_markup(pairs: tuple) -> tuple[str, dict[str, int]]:
    parts, ends, length = [], {}, 0
    for value, label in pairs:
        opening = f'<option value="{escape(_key(value))}"'
        ends.setdefault(_key(value), length + len(opening))
        part = f"{opening}>{escape(label)}</option>"
        parts.append(part)
        length += len(part)
    return "".join(parts), ends


@lru_cache(maxsize=512)
def _checkbox_markup(field_id: str, name: str, pairs: tuple, invalid: bool) -> tuple[str, dict[str, int]]:
    parts, ends, length = [], {}, 0
    invalid_attribute = ' aria-invalid="true"' if invalid else ""
    for index, (value, label) in enumerate(pairs):
        item_id = escape(f"{field_id}-{index}")
        opening = (f'<li><input class="form-check-input" type="checkbox" id="{item_id}" name="{escape(name)}"'
                   f' value="{escape(_key(value))}"')
        ends.setdefault(_key(value), length + len(opening))
        part = (f'{opening}{invalid_attribute}> '
                f'<label class="form-check-label" for="{item_id}">{escape(label)}</label></li>')
        parts.append(part)
        length += len(part)
    return "".join(parts), ends


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
