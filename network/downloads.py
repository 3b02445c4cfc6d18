"""Responses that hand a member's data out as a file: one way to name it and to keep caches away from it."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from flask import Response

#: Characters a file name must not carry into a header or a file system: controls, quotes, path separators.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')
#: RFC 5987 attr-char: what may stay unencoded in ``filename*``.
_ATTR_CHARS = "!#$&+-.^_`|~"


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''…`` (RFC 6266): any name fits, and a header never
    carries a character outside ASCII (a Latin-1-only server drops the connection on one)."""
    name = _UNSAFE.sub("-", unicodedata.normalize("NFC", filename)).strip(" .-") or "download"
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    fallback = _ascii(stem) or "download"
    if dot and _ascii(extension):
        fallback += "." + _ascii(extension)
    if fallback == name:
        return f'{disposition}; filename="{name}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"


def _ascii(text: str) -> str:
    """``text`` in plain ASCII for old clients: accents dropped (é → e), other letters and marks as "-"."""
    letters = "".join(c if c.isascii() else ("" if unicodedata.combining(c) else "-")
                      for c in unicodedata.normalize("NFKD", text))
    return re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9 ._()+,=@-]", "-", letters)).strip(" -.")


#: What a spreadsheet reads as the start of a formula when a cell begins with it.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value) -> str:
    """A cell of text that a spreadsheet will not run as a formula (CSV and workbook exports alike): a name
    such as "=HYPERLINK(...)" gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in _FORMULA_STARTS else text


def private_file(body: str | bytes, mimetype: str, filename: str | None = None) -> Response:
    """A response carrying a member's data: never stored by a browser or proxy cache, and offered as a
    download named ``filename`` (``None``: a feed read in place, such as a calendar subscription)."""
    response = Response(body, mimetype=mimetype)
    if filename is not None:
        response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def csv_file(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    """A private CSV download: ``header``, then ``rows`` with every cell made safe by ``spreadsheet_text``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_text(value) for value in row])
    return private_file(buffer.getvalue(), "text/csv", filename)
