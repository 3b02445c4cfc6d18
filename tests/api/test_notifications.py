"""``/api/v1/notifications`` lists and marks what the notification centre lists and marks: the caller's own
notifications, newest first, all or unread; one read, or all."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from network.extensions import db
from network.notifications.models import Notification
from tests.api.helpers import bearer, issue_token

API = "/api/v1/notifications"


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False, PUBLIC_URL="https://network.example.org")


def add_notifications(app, member, count: int, *, start: datetime | None = None, read: bool = False, **fields):
    """``count`` notifications of ``member``, one a minute from ``start`` on; their ids, oldest first."""
    start = start or datetime.now(UTC) - timedelta(days=1)
    with app.app_context():
        rows = [Notification(user_id=member.id, kind=fields.get("kind", "opportunity-interest"), title=f"Note {n}",
                             link=fields.get("link", f"/opportunities/{n}"), created_at=start + timedelta(minutes=n),
                             read_at=start + timedelta(hours=1) if read else None,
                             target_type=fields.get("target_type"), target_id=fields.get("target_id"))
                for n in range(count)]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def every_page(client, headers, query: str = "") -> list[dict]:
    items, url = [], f"{API}?{query}"
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_json()
        items += response.json
        found = re.match(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
        url = found.group(1) if found else None
    return items


def centre_unread(client) -> int:
    """How many notifications the centre's "Unread only" view lists."""
    body = client.get("/notifications/?unread=1").get_data(as_text=True)
    return body.count("(unread)")


def test_the_caller_s_own_newest_first_in_keyset_pages(app, make_user):
    member, other = make_user(), make_user()
    now = datetime.now(UTC)
    older = add_notifications(app, member, 3, start=now - timedelta(days=2), read=True)
    newer = add_notifications(app, member, 4, start=now - timedelta(days=1))
    # At the same time as the newest: the id breaks the tie, as in the centre.
    same_time = add_notifications(app, member, 1, start=now - timedelta(days=1) + timedelta(minutes=3))
    add_notifications(app, other, 5)
    client, headers = app.test_client(), bearer(issue_token(app, member, "read"))
    items = every_page(client, headers, "limit=2")
    expected = [same_time[0], newer[3], newer[2], newer[1], newer[0], *reversed(older)]
    assert [item["id"] for item in items] == expected
    assert [item["id"] for item in every_page(client, headers)] == expected
    assert [item["id"] for item in every_page(client, headers, "unread=true&limit=3")] == expected[:5]
    first = items[0]
    assert first["kind"] == "opportunity-interest" and first["group"] == "opportunity"
    assert first["url"] == "https://network.example.org/opportunities/0"
    assert first["read"] is False and "read_at" not in first and "target" not in first  # absent, not null
    assert items[-1]["read"] is True and items[-1]["read_at"].endswith("Z")


def test_a_link_off_the_site_points_to_the_centre(app, make_user):
    member = make_user()
    add_notifications(app, member, 1, link="//evil.example/x", target_type="thread", target_id=7)
    item = app.test_client().get(API, headers=bearer(issue_token(app, member))).json[0]
    assert item["url"] == "https://network.example.org/notifications/"
    assert item["target"] == {"type": "thread", "id": 7}


def test_marking_read_shows_in_the_centre(app, make_user, login):
    member, other = make_user(), make_user()
    mine = add_notifications(app, member, 3)
    theirs = add_notifications(app, other, 1)
    client, headers = app.test_client(), bearer(issue_token(app, member, "write", "read"))
    centre = login(app.test_client(), member)
    assert centre_unread(centre) == 3
    response = client.put(f"{API}/{mine[0]}/read", headers=headers)
    assert response.status_code == 200 and response.json["read"] is True and response.json["read_at"]
    assert client.put(f"{API}/{mine[0]}/read", headers=headers).json["read_at"] == response.json["read_at"]
    assert centre_unread(centre) == 2
    assert [item["id"] for item in client.get(f"{API}?unread=true", headers=headers).json] == [mine[2], mine[1]]
    # Another member's notification is not there for you: 404, and it stays unread.
    assert client.put(f"{API}/{theirs[0]}/read", headers=headers).status_code == 404
    assert client.put(f"{API}/999999/read", headers=headers).status_code == 404
    response = client.put(f"{API}/read", headers=headers)
    assert response.status_code == 200 and response.json == {"marked": 2}
    assert centre_unread(centre) == 0 and client.get(f"{API}?unread=true", headers=headers).json == []
    assert client.put(f"{API}/read", headers=headers).json == {"marked": 0}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.user_id == other.id, Notification.read_at.is_(None))) == 1


def test_an_unchanged_list_answers_304(app, make_user):
    member = make_user()
    add_notifications(app, member, 2)
    client, headers = app.test_client(), bearer(issue_token(app, member))
    first = client.get(API, headers=headers)
    assert client.get(API, headers={**headers, "If-None-Match": first.headers["ETag"]}).status_code == 304
    client.put(f"{API}/read", headers=headers)
    assert client.get(API, headers={**headers, "If-None-Match": first.headers["ETag"]}).status_code == 200


@pytest.mark.parametrize("query", ["unread=maybe", "limit=0", "limit=1000", "cursor="])
def test_arguments_out_of_range_are_a_422(app, make_user, query):
    response = app.test_client().get(f"{API}?{query}", headers=bearer(issue_token(app, make_user())))
    assert response.status_code == 422 and response.json["errors"]["query"]


def test_a_cursor_not_given_out_is_a_400(app, make_user):
    response = app.test_client().get(f"{API}?cursor=forged", headers=bearer(issue_token(app, make_user())))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("query", ["", "?unread=true&limit=100"])
def test_the_list_costs_the_same_queries_for_5_and_500(app, make_user, count_queries, query):
    member = make_user()
    client, headers = app.test_client(), bearer(issue_token(app, member, "read"))
    client.get(API, headers=headers)  # the token's first use writes its last-used time
    counts = []
    for total in (5, 500):
        add_notifications(app, member, total if not counts else total - 5)
        with count_queries() as queries:
            response = client.get(API + query, headers=headers)
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.json) == (100 if query else 25)
    assert counts[0] == counts[1] <= 8, counts
