"""Every page with a navigation bar opens with a "Skip to main content" link, its first Tab stop, and the
link's target can take focus (the browser test tests/e2e/test_keyboard.py presses it)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from sqlalchemy.exc import OperationalError

from network.errors import handle_database_unavailable

FOCUSABLE = frozenset({"a", "button", "input", "select", "textarea", "summary"})


class TabStops(HTMLParser):
    """The focusable elements in document order, as (tag, attributes), and the element with id="content"."""

    def __init__(self):
        super().__init__()
        self.stops: list[tuple[str, dict]] = []
        self.content: tuple[str, dict] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id") == "content":
            self.content = (tag, attributes)
        hidden = attributes.get("type") == "hidden" or "hidden" in attributes or attributes.get("tabindex") == "-1"
        if not hidden and ((tag in FOCUSABLE and (tag != "a" or "href" in attributes))
                           or attributes.get("tabindex") == "0"):
            self.stops.append((tag, attributes))


def tab_stops(html: str) -> TabStops:
    parser = TabStops()
    parser.feed(html)
    return parser


def _page_503(app, client) -> str:
    with app.test_request_context("/members/"):
        lost = OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
        return handle_database_unavailable(lost).get_data(as_text=True)


PAGES = {
    "landing page (base.html, visitor)": lambda app, client: client.get("/").get_data(as_text=True),
    "sign-in page": lambda app, client: client.get("/auth/login").get_data(as_text=True),
    "database unavailable (503.html)": _page_503,
}


@pytest.mark.parametrize("page", PAGES)
def test_the_first_tab_stop_skips_to_main_content(app, client, page):
    found = tab_stops(PAGES[page](app, client))
    tag, attributes = found.stops[0]
    assert (tag, attributes.get("href")) == ("a", "#content"), found.stops[:3]
    assert found.content is not None and found.content[0] == "main"
    # tabindex=-1: the link moves focus to main itself, so the next Tab goes on from there.
    assert found.content[1].get("tabindex") == "-1"


def test_a_signed_in_page_starts_with_the_skip_link_too(app, client, make_user, login):
    login(client, make_user("fellow"))
    found = tab_stops(client.get("/discussions/").get_data(as_text=True))
    assert found.stops[0][1].get("href") == "#content"
    assert len(found.stops) > 10  # the menu it skips
