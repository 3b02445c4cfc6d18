"""Keyset pages (``network/api/pagination.py``): the ``Link`` to the next page keeps every parameter the client
sent, and a cursor that is not this list's is a 400, whatever it holds."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import jsonify, request
from sqlalchemy import select

from network.api.pagination import keyset_page
from network.extensions import db
from network.members.models import User


@pytest.fixture
def app(make_app):
    """Two lists of members under /api/v1 (so errors are problems): by name, and by when they joined."""
    app = make_app(RATELIMIT_ENABLED=False)

    def listing(order, key):
        args = {"limit": int(request.args.get("limit", 25)), "cursor": request.args.get("cursor")}
        page = keyset_page(db.session, select(User), order, key, args)
        return jsonify([user.id for user in page.items]), 200, page.headers

    app.add_url_rule("/api/v1/test-members/<int:group>/by-name", "by_name",
                     lambda group: listing([(User.name, False), (User.id, False)], lambda u: [u.name, u.id]))
    app.add_url_rule("/api/v1/test-members/<int:group>/by-joining", "by_joining",
                     lambda group: listing([(User.created_at, True), (User.id, True)], lambda u: [u.created_at, u.id]))
    return app


def next_link(response) -> str:
    return response.headers["Link"].split(">", 1)[0].lstrip("<")


def test_the_next_page_keeps_every_parameter_sent(client, make_user):
    ids = sorted(make_user().id for _ in range(3))
    first = client.get("/api/v1/test-members/7/by-name?limit=1&interest=3&interest=5&group=9&_external=1"
                       "&_scheme=javascript")
    assert first.status_code == 200, first.get_data(as_text=True)
    link = next_link(first)
    assert urlsplit(link).path == "/api/v1/test-members/7/by-name"
    query = parse_qs(urlsplit(link).query)
    assert query["interest"] == ["3", "5"] and query["group"] == ["9"] and query["_scheme"] == ["javascript"]
    assert query["limit"] == ["1"] and len(query["cursor"]) == 1
    second = client.get(link)
    third = client.get(next_link(second))
    assert first.get_json() + second.get_json() + third.get_json() == ids
    assert "Link" not in third.headers


def test_a_list_sorted_by_time_goes_on_to_its_next_page(client, make_user):
    ids = sorted((make_user().id for _ in range(3)), reverse=True)
    first = client.get("/api/v1/test-members/1/by-joining?limit=2")
    second = client.get(next_link(first))
    assert second.status_code == 200, second.get_data(as_text=True)
    assert first.get_json() + second.get_json() == ids


def test_a_cursor_of_another_list_is_a_bad_request(client, make_user):
    for _ in range(2):
        make_user()
    by_name = next_link(client.get("/api/v1/test-members/1/by-name?limit=1"))
    cursor = parse_qs(urlsplit(by_name).query)["cursor"][0]
    response = client.get(f"/api/v1/test-members/1/by-joining?limit=1&cursor={cursor}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "cursor" in response.get_json()["detail"]
