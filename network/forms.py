"""Form pieces every area uses."""

from __future__ import annotations

import re

from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from network.text.lines import single_line


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
