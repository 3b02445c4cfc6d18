"""Links in member-written markdown go to an absolute http(s) or mailto address, or to a path on this site
that starts with a single "/": protocol-relative (``//host``) and backslash (``/\\host``) tricks, which a
browser sends to another site, are left without an address."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from network.text.markdown import render_markdown, sanitize_html

OFFSITE = [
    "[x](//evil.example)",
    "[x](<//evil.example>)",
    "[x](/\\evil.example)",
    "[x](\\\\evil.example)",
    "[x]: //evil.example\n\n[x]",
    "[x](///evil.example)",
    "[x](//evil.example/path?q=1#f)",
    "![i](//evil.example/a.png)",
    "![i](/\\evil.example/a.png)",
    "[x](evil.example)",
    "[x](javascript:alert(1))",
    "[x](data:text/html,hi)",
]
RAW_HTML = [
    '<a href="//evil.example">x</a>',
    '<a href="/\\evil.example">x</a>',
    '<a href=" //evil.example">x</a>',
    '<a href="/&#9;/evil.example">x</a>',
    '<a href="/&#10;/evil.example">x</a>',
    '<a href="&#47;&#47;evil.example">x</a>',
    '<img src="//evil.example/a.png">',
    '<a href="\\\\evil.example">x</a>',
]
KEPT = {
    "[x](https://ok.example/a)": "https://ok.example/a",
    "[x](HTTP://ok.example)": "HTTP://ok.example",
    "[x](mailto:someone@ok.example)": "mailto:someone@ok.example",
    "[x](/discussions/general)": "/discussions/general",
    "[x](/)": "/",
}


class _Addresses(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name in ("href", "src")]


def hrefs(html: str) -> list[str]:
    """The link and image addresses of real elements (escaped text that looks like a tag is not one)."""
    parser = _Addresses()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("source", OFFSITE)
def test_markdown_links_off_the_site_by_trickery_have_no_address(source):
    html = str(render_markdown(source))
    assert "evil.example" not in "".join(hrefs(html)), html
    assert not any(h.startswith(("//", "/\\", "\\", "javascript:", "data:")) for h in hrefs(html)), html


@pytest.mark.parametrize("fragment", RAW_HTML)
def test_raw_html_that_reaches_the_sanitiser_keeps_no_offsite_relative_address(fragment):
    assert hrefs(sanitize_html(fragment)) == []
    assert "evil.example" not in "".join(hrefs(str(render_markdown(fragment))))


@pytest.mark.parametrize(("source", "href"), sorted(KEPT.items()))
def test_absolute_and_site_paths_are_kept(source, href):
    html = str(render_markdown(source))
    assert hrefs(html) == [href] and 'rel="nofollow ugc noopener"' in html
