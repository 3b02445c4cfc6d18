"""The one Content-Disposition builder: ASCII-only headers, RFC 6266 ``filename*`` for any other name, and no
way for a name to add parameters, break the quoting or climb directories."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from network.downloads import content_disposition


@pytest.mark.parametrize(("name", "fallback", "full"), [
    ("roster.csv", "roster.csv", None),
    ("Research track 2025–26.csv", "Research track 2025-26.csv", "Research track 2025–26.csv"),
    ("Zoë.json", "Zoe.json", "Zoë.json"),
    ("Ψ.csv", "download.csv", "Ψ.csv"),
    ("../../etc/passwd", "etc-passwd", None),
    ('a"; filename=evil.exe\r\n.csv', None, None),
    ("", "download", None),
])
def test_any_name_gives_an_ascii_header(name, fallback, full):
    header = content_disposition(name)
    header.encode("ascii")
    assert header.startswith("attachment; filename=\"")
    assert "\r" not in header and "\n" not in header and header.count('"') == 2 and header.count(";") <= 2
    quoted = header.split('"')[1]
    assert "/" not in quoted and "\\" not in quoted
    if fallback is not None:
        assert quoted == fallback
    if full is not None:
        assert unquote(header.split("filename*=UTF-8''")[1]) == full
