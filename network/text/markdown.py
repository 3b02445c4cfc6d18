"""Markdown for member-written text: markdown-it-py to HTML, then nh3 (ammonia) to keep it safe.

Pure functions, no Flask import. Raw HTML in the source is escaped, not rendered;
links may only be http, https or mailto and always get ``rel="nofollow ugc noopener"``;
images are dropped (no images from outside the site).
"""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table").enable(
    "strikethrough"
)
_PARSER.disable("image")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> str:
    """Keep only the tags, attributes and URL schemes above."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )


def render_markdown(source: str | None) -> Markup:
    """Safe HTML for a member's markdown, ready to put in a template."""
    if not source:
        return Markup("")
    return Markup(sanitize_html(_PARSER.render(source)))


def markdown_to_text(source: str | None) -> str:
    """The words of a markdown text without markup (for search indexes and previews)."""
    if not source:
        return ""
    return html.unescape(nh3.clean(_PARSER.render(source), tags=set())).strip()
