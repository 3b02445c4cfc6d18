"""Integers from URLs and query strings, bounded to what the database's integer columns hold.

Every id column is a 32-bit ``INTEGER`` on PostgreSQL (SQLite holds 64 bits); a larger number in a URL
or a query string cannot name a row, so it must end as a 404 or an absent filter, never as a database
error (a 500).
"""

from __future__ import annotations

import re

from flask import request
from werkzeug.routing import IntegerConverter, ValidationError

#: The largest value of a PostgreSQL ``integer`` column (ids are all ``integer``, none ``bigint``).
DB_INT_MAX = 2**31 - 1
#: Plain ASCII digits only (``int()`` would also take "1_000", " 12" and other scripts' digits).
_INTEGER = re.compile(r"-?[0-9]{1,10}")


def digits_up_to(limit: int) -> str:
    """A regular expression matching the decimal numbers 0 … ``limit`` (leading zeros allowed): shorter numbers,
    then for each digit of ``limit`` the same digits before it and a smaller one there, then ``limit`` itself."""
    text = str(limit)
    alternatives = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for position, digit in enumerate(text):
        if digit != "0":
            alternatives.append(f"{text[:position]}[0-{int(digit) - 1}][0-9]{{{len(text) - position - 1}}}")
    alternatives.append(text)
    return "(?:" + "|".join(alternatives) + ")"


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` that matches only 0 … ``DB_INT_MAX`` (registered as the app's ``int``): a larger
    number matches no route, so it is a 404.

    The bound is in the converter's pattern, not only in ``to_python``: the router matches a path's pattern,
    then the method, then converts, so a number refused only by ``to_python`` on a path that another rule
    serves for another method (``GET`` and ``POST`` of ``/threads/<int:id>/posts``) was a 405."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = DB_INT_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=DB_INT_MAX if max is None else max,
                         signed=signed)
        if not fixed_digits:
            self.regex = ("-?" if signed else "") + digits_up_to(self.max)

    def to_python(self, value: str) -> int:
        if len(value) > 12:  # longer than any bound: no int() of thousands of digits
            raise ValidationError()
        return super().to_python(value)


def int_arg(name: str, default: int | None = None, *, minimum: int = -DB_INT_MAX,
            maximum: int = DB_INT_MAX) -> int | None:
    """The query parameter ``name`` as an int; ``default`` when it is absent, not a number or outside
    ``minimum`` … ``maximum`` (so a page, cursor or id filter from a hand-edited URL is simply ignored)."""
    return bounded_int(request.args.get(name, ""), default, minimum=minimum, maximum=maximum)


def int_form(name: str, default: int | None = None) -> int | None:
    """The posted field ``name`` as an int, as ``int_arg`` reads a query parameter."""
    return bounded_int(request.form.get(name, ""), default)


def bounded_int(raw: str, default: int | None = None, *, minimum: int = -DB_INT_MAX,
                maximum: int = DB_INT_MAX) -> int | None:
    """``raw`` (ASCII digits, an optional minus) as an int within bounds, else ``default``."""
    if not _INTEGER.fullmatch(raw):
        return default
    value = int(raw)
    return value if minimum <= value <= maximum else default
