"""The in-app notification list, the unread badge and the mail preference."""

from __future__ import annotations

import re

from network.extensions import db
from tests.discussions.conftest import page_text
from tests.html_checks import check_page


def add_notifications(app, user_id, n):
    from network.notifications.services import notify

    with app.app_context():
        for i in range(n):
            notify(user_id, "test", f"Notification number {i}", "/discussions/")
        db.session.commit()


def test_badge_list_pages_and_mark_all_read(app, make_user, login):
    member, other = make_user(), make_user()
    add_notifications(app, member.id, 35)
    add_notifications(app, other.id, 1)
    client = login(app.test_client(), member)
    home = page_text(client.get("/"))
    assert re.search(r'badge[^>]*>35<span class="visually-hidden"> unread', home)
    first = client.get("/notifications/")
    assert check_page(first.data) == []
    text = page_text(first)
    assert "Notification number 34" in text and "Notification number 4" not in text
    older = re.search(r'href="(/notifications/\?before=\d+)"', text).group(1)
    assert "Notification number 4" in page_text(client.get(older))
    assert "Notification number 0" not in text  # another member's never show
    response = client.post("/notifications/read-all", follow_redirects=True)
    assert "35 notifications marked read." in page_text(response)
    assert "visually-hidden\"> unread" not in page_text(client.get("/"))
    assert re.search(r'badge[^>]*>1<', page_text(login(app.test_client(), other).get("/")))


def test_email_preference(app, make_user, login):
    client = login(app.test_client(), make_user())
    page = client.get("/notifications/settings")
    assert check_page(page.data) == []
    assert re.search(r'checked[^>]*value="immediate"|value="immediate"[^>]*checked', page_text(page))
    bad = client.post("/notifications/settings", data={"email_mode": "hourly"})
    assert bad.status_code == 400 and check_page(bad.data) == []
    assert client.post("/notifications/settings", data={"email_mode": "off"}).status_code == 302
    assert re.search(r'value="off"[^>]*checked|checked[^>]*value="off"',
                     page_text(client.get("/notifications/settings")))
