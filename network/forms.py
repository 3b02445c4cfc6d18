"""Form pieces every area uses."""

from __future__ import annotations

import re

from wtforms import BooleanField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from network.text import phi_guard
from network.text.lines import single_line


def read_upload(upload, limit: int) -> bytes:
    """An uploaded file's bytes, read up to one past ``limit`` (so "too large" shows as ``len(data) > limit``
    without reading the rest), and the upload closed: a large one is spooled to a temporary file."""
    try:
        return upload.read(limit + 1)
    finally:
        upload.close()

def optional_int(value):
    """Coerce a select's value: "" means none."""
    if value in (None, "", "None"):
        return None
    return int(value)


# Control characters other than tab and line breaks: none belongs in member text, and
# PostgreSQL refuses NUL outright (a query with one would fail, not just look odd).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip(value):
    """The filter for every single-line field (names, titles, subjects, search words): trimmed, each run of
    line breaks, line separators (U+2028, NEL, ...) and control characters folded to one space. These
    values reach mail subjects and headers, where a line break would split the header."""
    return single_line(value) if isinstance(value, str) else value


def strip_text(value):
    """The filter for multi-line fields (a ``TextAreaField``): trimmed, control characters other than tab
    and line breaks dropped."""
    return _CONTROL.sub("", value).strip() if isinstance(value, str) else value


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (easier on a phone than a multi-select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()



class ConfirmedByPassword:
    """A form mixin for a step the member confirms with the form's ``password`` field. A member without a
    password (they sign in through their institution) gets no such field: a recent sign-in confirms instead
    (``network.auth.sessions.confirm_step``). Pass ``member=`` to the form."""

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        if member is not None and not member.has_password:
            del self.password

class PhiGuarded:
    """A form mixin for surfaces without moderators: the free-text fields named in ``phi_fields`` are
    checked for patient identifiers before anything is saved. Strong ones are refused, weaker ones need
    the ``confirm_no_phi`` box. The route asks ``holds_patient_identifiers()`` after validation and, when
    it says yes, shows the form again (status 400) with ``phi_notice(form.phi, form.confirm_no_phi)``."""

    phi_fields: tuple[str, ...] = ()
    phi: phi_guard.PhiCheck | None = None
    confirm_no_phi = BooleanField("I checked: the highlighted text identifies no patient")

    def holds_patient_identifiers(self) -> bool:
        found = phi_guard.check(*(self[name].data for name in self.phi_fields))
        self.phi = found if phi_guard.blocks(found, self.confirm_no_phi.data) else None
        return self.phi is not None
