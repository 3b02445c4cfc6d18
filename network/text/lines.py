"""Single-line text: names, titles and subjects never carry a line break or another control character.

A CR or LF in a mail header splits it (header injection, or ``email`` refusing to build the mail), and the
other line separators (NEL, U+2028, U+2029, vertical tab, form feed) end lines in some readers and
parsers too. Each run of them becomes one space."""

from __future__ import annotations

import re

#: C0 and C1 control characters (tab, CR, LF, NEL, ...), DEL and the Unicode line and paragraph
#: separators, with the spaces around them.
_BREAKS = re.compile("[ ]*[\x00-\x1f\x7f-\x9f\u2028\u2029]+[ ]*")


def single_line(value: str) -> str:
    """``value`` with every run of control characters and line separators folded to one space, trimmed."""
    return _BREAKS.sub(" ", value).strip()


def has_line_break(value: str) -> bool:
    """True when ``value`` holds a control character or a line separator."""
    return _BREAKS.search(value) is not None
