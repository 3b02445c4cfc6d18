"""Quotes, tables and code in posts are set apart from the replier's own words: the rendered post keeps
them as ``<blockquote>``, ``<table>`` and ``<pre>`` inside ``.post-body``, and the stylesheet styles each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.discussions.conftest import page_text

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"


def rule(selector: str) -> str:
    """The declarations of the stylesheet's rule for exactly ``selector`` (empty when there is none)."""
    css = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(), flags=re.DOTALL)
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        if selector in (s.strip() for s in selectors.split(",")):
            return body
    return ""


@pytest.mark.parametrize(("selector", "declarations"), [
    (".post-body blockquote", ("border-left", "background", "padding")),
    (".post-body table", ("border-collapse",)),
    (".post-body td", ("border", "padding")),
    (".post-body th", ("border", "padding")),
    (".post-body pre", ("background", "padding", "overflow-x")),
    (".post-body code", ("background",)),
])
def test_the_stylesheet_styles_quotes_tables_and_code_in_posts(selector, declarations):
    body = rule(selector)
    assert all(f"{name}:" in body for name in declarations), (selector, body)


def test_a_quoted_reply_renders_its_quote_inside_the_post_body(app, make_user, login, make_category, make_thread):
    category_id, _ = make_category()
    body = ("> **Dr. Sofia Martins** wrote:\n> Start at 80 °C.\n\nI would start lower.\n\n"
            "| Setting | Value |\n| --- | --- |\n| Probe | 18 G |\n\n```\nrf 80 90s\n```")
    thread_id, _ = make_thread(category_id, make_user().id, body=body)
    html = page_text(login(app.test_client(), make_user()).get(f"/discussions/t/{thread_id}"))
    post = html[html.index('class="post-body'):]
    post = post[:post.index("</div>")]
    assert "<blockquote>" in post and "Start at 80 °C." in post[post.index("<blockquote>"):post.index("</blockquote>")]
    assert "I would start lower." in post[post.index("</blockquote>"):]
    # Both scroll sideways in their own box on a phone, and a keyboard can scroll them (tabindex).
    assert "<table tabindex=\"0\">" in post and "<pre tabindex=\"0\">" in post
