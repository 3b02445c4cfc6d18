"""Markdown for member-written text: markdown-it-py to HTML, then nh3 (ammonia) to keep it safe.

Pure functions, no Flask import. Raw HTML in the source is escaped, not rendered;
links may only be absolute http, https or mailto addresses, paths on this site starting with a single
"/", or "#fragments", and always get ``rel="nofollow ugc noopener"``; any other address (protocol-relative
``//host``, ``/\\host``, relative ``host.example``) is removed, leaving inert text. Images are dropped
(no images from outside the site).
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from network.text.quotes import quote_plugin


def _keyboard_scrollable(md: MarkdownIt) -> None:
    """Tables and code blocks scroll sideways in their own box on a phone: ``tabindex="0"`` lets a keyboard
    scroll them too (WCAG 2.1.1; axe's scrollable-region-focusable)."""
    def table_open(renderer, tokens, index, options, env):
        tokens[index].attrSet("tabindex", "0")
        return renderer.renderToken(tokens, index, options, env)

    def focusable(rule):
        default = md.renderer.rules[rule]

        def render(tokens, index, options, env):
            return default(tokens, index, options, env).replace("<pre>", '<pre tabindex="0">', 1)
        return render

    md.add_render_rule("table_open", table_open)
    for rule in ("fence", "code_block"):
        md.renderer.rules[rule] = focusable(rule)


_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table").enable(
    "strikethrough"
).use(quote_plugin).use(_keyboard_scrollable)
_PARSER.disable("image")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
#: Only a quote the app resolved carries these (``network.text.quotes``); Markdown cannot write a class.
ALLOWED_CLASSES = {"blockquote": {"post-quote"}, "p": {"post-quote-by"}}
#: Attributes allowed with one value only.
ALLOWED_VALUES = {"table": {"tabindex": {"0"}}, "pre": {"tabindex": {"0"}}}
URL_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {("a", "href"), ("img", "src")}
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
#: What browsers drop from a URL before reading it: tab, line feed and carriage return anywhere,
#: C0 controls and spaces at either end.
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_TRIMMED = "".join(chr(c) for c in range(0x21))


def is_safe_link(url: str) -> bool:
    """An absolute http(s)/mailto address, a path on this site starting with one "/", or a "#fragment".

    A path starting "//" or "/\\" (plain or percent-encoded) leaves the site in a browser, or after a server
    decodes it, so it is refused; so is a relative address, which a reader cannot tell from a host name.
    """
    for form in (url, unquote(url)):
        cleaned = _URL_IGNORED.sub("", form).strip(_URL_TRIMMED)
        scheme = _SCHEME.match(cleaned)
        if scheme:
            if scheme.group(1).lower() not in URL_SCHEMES:
                return False
        elif cleaned.startswith("#"):
            continue
        elif not cleaned.startswith("/") or cleaned[1:2] in ("/", "\\"):
            return False
    return True


def _keep_safe_links(tag: str, attribute: str, value: str) -> str | None:
    if (tag, attribute) in URL_ATTRIBUTES and not is_safe_link(value):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Keep only the tags, attributes and URL schemes above, and only safe link addresses."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_safe_links,
        allowed_classes=ALLOWED_CLASSES,
        tag_attribute_values=ALLOWED_VALUES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )


def render_markdown(source: str | None, quotes: dict[int, tuple[str, str]] | None = None) -> Markup:
    """Safe HTML for a member's markdown, ready to put in a template. ``quotes``: ``{post id: (author's name,
    link)}``, the quoted posts the caller resolved and the reader may see (``network.text.quotes``)."""
    if not source:
        return Markup("")
    return Markup(sanitize_html(_PARSER.render(source, {"quotes": quotes or {}})))  # noqa: S704 (sanitized by nh3)


def markdown_to_text(source: str | None) -> str:
    """The words of a markdown text without markup (for search indexes and previews)."""
    if not source:
        return ""
    return html.unescape(nh3.clean(_PARSER.render(source), tags=set())).strip()
