"""The new text of a reply by email: the message's plain-text part (or a text version of its HTML part),
without the quoted original, the "On … wrote:" line, the signature and "Sent from my iPhone".

Splitting a reply from what it quotes is ``mail-parser-reply``'s job (the headers Gmail, Outlook and Apple
Mail write, in several languages, and the usual signatures); this module only picks the part and trims
what the library leaves: a quoted block at the end. Plain functions, no Flask, no database."""

from __future__ import annotations

import html
import re
from email.message import EmailMessage

import nh3
from mailparser_reply import EmailReplyParser

_PARSER = EmailReplyParser(languages=["en", "de", "fr", "es", "it", "nl"])
# HTML mail: a line break for each block, and the quoted original (a blockquote, Gmail's and Outlook's
# quote containers) dropped with its content before the tags go.
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.IGNORECASE)
_QUOTE_CONTAINERS = re.compile(
    r"<div[^>]*(class=\"[^\"]*(gmail_quote|moz-cite-prefix)[^\"]*\"|id=\"(divRplyFwdMsg|appendonsend)\")"
    r".*\Z", re.IGNORECASE | re.DOTALL)
_DROPPED_WITH_CONTENT = {"blockquote", "style", "script", "head", "title"}
_BLANK_LINES = re.compile(r"\n{3,}")


def message_text(message: EmailMessage) -> str:
    """The text the member wrote in the message, quotes and all: its text/plain body, else its HTML body as
    text; "" when it has neither (an attachment only)."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken transfer encoding
        content = part.get_payload(decode=True).decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        return html_to_text(content)
    return content


def html_to_text(markup: str) -> str:
    """An HTML mail body as plain text, the quoted original left out."""
    markup = _QUOTE_CONTAINERS.sub("", markup)
    markup = _BREAKS.sub(lambda tag: tag.group(0) + "\n", markup)
    text = nh3.clean(markup, tags=set(), attributes={}, clean_content_tags=_DROPPED_WITH_CONTENT)
    lines = [line.strip() for line in html.unescape(text).replace("\xa0", " ").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def new_text(text: str) -> str:
    """Only what the member wrote: the quoted original, the line introducing it and the signature removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reply = _PARSER.read(text).replies
    body = reply[0].body if reply else ""
    lines = body.split("\n")
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(">")):
        lines.pop()  # a quoted block at the end, with no "wrote:" line before it
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def reply_text(message: EmailMessage) -> str:
    """The new text of a received reply (may be "")."""
    return new_text(message_text(message))
