"""Quotes of other posts in member-written Markdown, written as forums do::

    [quote="Priya Raman, post:123"]
    The quoted words, any Markdown.
    [/quote]

A markdown-it-py block rule (``quote_plugin``) turns each into a ``<blockquote>`` (quotes may nest). Who is
quoted is never taken from the text: the caller resolves the post ids it finds (``quoted_post_ids``) and passes
``{post id: (author's name, link to the post)}`` as the render's ``env["quotes"]``; only a quote found there is
rendered as ``<blockquote class="post-quote">`` with "<name> wrote:" linked to the post. Any other quote (a
post that does not exist, or the reader may not see, a forged name) is a plain blockquote that names nobody.
Pure functions, no Flask import.
"""

from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

_OPEN = re.compile(r"\[quote(?:=([^\]\n]*))?\]\s*$", re.IGNORECASE)
_CLOSE = re.compile(r"\[/quote\]\s*$", re.IGNORECASE)
_POST = re.compile(r"\bpost:(\d{1,15})\b")
#: A quote's opening (the ids a caller resolves before rendering; one more found than rendered costs nothing).
_OPENINGS = re.compile(r"\[quote=[^\]\n]*\bpost:(\d{1,15})\b", re.IGNORECASE)


def quote_markup(name: str, post_id: int, text: str) -> str:
    """The Markdown that quotes ``text`` by ``name`` from post ``post_id`` (the reply form's "Quote")."""
    shown = re.sub(r'["\]\n]', "", name)
    return f'[quote="{shown}, post:{post_id}"]\n{text.strip()}\n[/quote]\n\n'


def quoted_post_ids(source: str) -> set[int]:
    """The ids of the posts ``source`` quotes."""
    return {int(found) for found in _OPENINGS.findall(source)}


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]


def _quote_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """``[quote…]`` up to its own ``[/quote]`` (nested pairs counted); an unclosed one stays text."""
    if state.is_code_block(start):
        return False
    opening = _OPEN.match(_line(state, start))
    if not opening:
        return False
    depth, line = 1, start + 1
    while line < end:
        text = _line(state, line)
        if _OPEN.match(text):
            depth += 1
        elif _CLOSE.match(text):
            depth -= 1
            if depth == 0:
                break
        line += 1
    if depth:
        return False
    if silent:
        return True
    post = _POST.search(opening.group(1) or "")
    old_parent, old_line_max = state.parentType, state.lineMax
    state.parentType = "blockquote"
    state.lineMax = line  # lazy continuations never pass the closing line
    token = state.push("post_quote_open", "blockquote", 1)
    token.block, token.map = True, [start, line + 1]
    token.meta = {"post": int(post.group(1)) if post else None}
    state.md.block.tokenize(state, start + 1, line)
    token = state.push("post_quote_close", "blockquote", -1)
    token.block = True
    state.parentType, state.lineMax = old_parent, old_line_max
    state.line = line + 1
    return True


def _render_open(renderer, tokens, index, options, env) -> str:
    known = ((env or {}).get("quotes") or {}).get(tokens[index].meta.get("post"))
    if known is None:
        return "<blockquote>\n"
    name, link = known
    return (f'<blockquote class="post-quote">\n<p class="post-quote-by"><a href="{escape(link)}">'
            f"{escape(name)} wrote</a>:</p>\n")


def _render_close(renderer, tokens, index, options, env) -> str:
    return "</blockquote>\n"


def quote_plugin(md: MarkdownIt) -> None:
    """Teach ``md`` the ``[quote]`` blocks."""
    md.block.ruler.before("fence", "post_quote", _quote_block,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.add_render_rule("post_quote_open", _render_open)
    md.add_render_rule("post_quote_close", _render_close)
