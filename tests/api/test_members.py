"""``/api/v1/members``: the directory and profiles over the API, checked against the pages themselves: the same
members in the same order for the same query, every member once across the Link pages, ETags, the page's 404s,
and a query count that does not grow with the directory."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from markupsafe import escape
from sqlalchemy import select, update

from network.extensions import db
from network.members.models import User
from network.profiles import services
from network.programs.models import Cohort
from network.taxonomy.models import Interest, Specialty
from network.types import utcnow
from tests.api.helpers import bearer, issue_token
from tests.profiles_helpers import bulk_members
from tests.test_directory import add_profile, interest, names, people  # noqa: F401  (people: the fixture)
from tests.test_profiles import make_program_with


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


def walk(client, headers, path="/api/v1/members", **query) -> list[dict]:
    """Every item of a list, following the Link header's next page to the end."""
    url = f"{path}?{urlencode(query, doseq=True)}"
    items = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_json()
        assert response.mimetype == "application/json"
        items.extend(response.get_json())
        link = response.headers.get("Link")
        url = re.fullmatch(r'<([^>]+)>; rel="next"', link).group(1) if link else None
    return items


@pytest.fixture
def directory(app, make_user, people):  # noqa: F811  (the imported fixture)
    """The directory tests' people, with more to filter on: a specialty, a program, recent activity, a member
    whose location is private and in Texas, and a pending member nobody finds."""
    with app.app_context():
        pain = db.session.scalar(select(Specialty.id).where(Specialty.slug == "pain-medicine"))
    hidden = make_user(role="alumni", name="Dr. Hidden Texan")
    add_profile(app, hidden, headline="Neuromodulation, private location", city="Houston", region="TX",
                country="US", location_visibility="private", primary_specialty_id=pain, accepting_mentees=True)
    make_user(status="pending", name="Dr. Pending Neuromod")
    program_id = make_program_with(app, people["fellow"].id, people["viewer"].id, hidden.id)
    with app.app_context():
        cohort_id = db.session.scalar(select(Cohort.id).where(Cohort.program_id == program_id))
        now = utcnow()
        for minutes, member in ((5, people["boston"]), (30, hidden), (5, people["fellow"])):
            db.session.execute(update(User).where(User.id == member.id).values(last_seen_at=now - timedelta(
                minutes=minutes)))
        db.session.commit()
    return {**people, "hidden": hidden, "pain": pain, "program": program_id, "cohort": cohort_id}


def page_names(client, query) -> list[str]:
    response = client.get("/members/", query_string=query)
    assert response.status_code == 200
    return names(response)


def page_ids(client, query) -> list[int]:
    """The ids of the members the directory page lists for ``query``, every page of it, in its order."""
    ids, number = [], 1
    while True:
        response = client.get("/members/", query_string={**query, "page": number})
        assert response.status_code == 200
        found = [int(i) for i in re.findall(r'<h2 class="h6 mb-1"><a href="/members/(\d+)">', response.data.decode())]
        if not found:
            return ids
        ids.extend(found)
        number += 1


def test_every_filter_and_sort_finds_the_members_the_page_finds_in_its_order(app, login, directory):
    viewer = directory["viewer"]
    page = login(app.test_client(), viewer)
    api, headers = app.test_client(), bearer(issue_token(app, viewer, "read"))
    neuromod, research = (interest(app, "Neuromodulation / spinal cord stimulation"),
                          interest(app, "Research methods"))
    queries = [
        {}, {"q": "neuromod"}, {"q": "research cancer"}, {"q": "Bea"}, {"q": "zzzzzz"},
        {"role": "alumni"}, {"role": "fellow", "sort": "name"}, {"role": "faculty"},
        {"role": "alumni", "background": directory["pmr"], "setting": directory["private"], "region": "tx",
         "country": "US", "accepting": "y", "interests": [neuromod]},
        {"interests": [neuromod, research]}, {"interests": [research], "sort": "active"},
        {"graduated_from": 2016, "graduated_to": 2020}, {"graduated_to": 2016},
        {"program": directory["program"]}, {"cohort": directory["cohort"], "sort": "name"},
        {"specialty": directory["pain"]}, {"region": "TX"}, {"country": "US", "sort": "active"},
        {"accepting": "y"}, {"sort": "active"}, {"sort": "name"}, {"q": "neuromod", "role": "alumni"},
        {"q": "private", "sort": "name"},
    ]
    for query in queries:
        expected = page_names(page, query)
        got = [item["name"] for item in walk(api, headers, **query, limit=2)]
        assert got == expected, (query, got, expected)
    # What the page's filters found is not trivially everyone or no one.
    assert page_names(page, {"region": "TX"}) == ["Dr. Tex Neuromod"]
    assert "Dr. Hidden Texan" in page_names(page, {"accepting": "y"})
    # The viewer has just been seen; two seen at the same time come newest member first.
    assert page_names(page, {"sort": "active"})[:4] == ["Dr. Vic Viewer", "Dr. Fay Fellow", "Dr. Bea Boston",
                                                        "Dr. Hidden Texan"]


def test_the_owner_finds_their_own_private_location_as_on_the_page(app, login, directory):
    hidden = directory["hidden"]
    headers = bearer(issue_token(app, hidden, "read"))
    assert [m["name"] for m in walk(app.test_client(), headers, region="tx", sort="name")] == \
        page_names(login(app.test_client(), hidden), {"region": "tx", "sort": "name"}) == \
        ["Dr. Hidden Texan", "Dr. Tex Neuromod"]


@pytest.mark.parametrize("query", [{"sort": "name"}, {"sort": "active"}, {"sort": "relevance"}, {"q": "pain"},
                                   {"q": "pain", "sort": "active"}, {"role": "alumni", "country": "US"},
                                   {"interests": "the first two", "sort": "name"}])
def test_the_link_pages_give_every_member_once(app, make_user, login, query):
    """Ties everywhere: the same name twice, the same last visit, the same words (the same rank); the order is
    still the page's, member for member."""
    viewer = make_user()
    ids = bulk_members(app, 23, prefix="Dr. Same Rank")
    ids += bulk_members(app, 3, prefix="Dr. Twin")
    with app.app_context():
        for twin in db.session.scalars(select(User).where(User.id.in_(ids[-3:]))):
            twin.name = twin.name.replace("Twin", "Same Rank")  # the same names again, ids apart
        db.session.execute(update(User).where(User.id.in_(ids[::3])).values(last_seen_at=utcnow()))
        db.session.commit()
    if query.get("interests"):  # two of the three every bulk member has: the Link keeps both
        with app.app_context():
            first, second = db.session.execute(select(Interest.id, Interest.name).order_by(Interest.id).limit(2))
        add_profile(app, make_user(role="alumni", name="Dr. Same Rank 12"), interests=[first.name])  # one of two
        query = {**query, "interests": [first.id, second.id]}
    on_page = page_ids(login(app.test_client(), viewer), query)  # first: the page notes the viewer as active
    headers = bearer(issue_token(app, viewer, "read"))
    client = app.test_client()
    everyone = walk(client, headers, **query, limit=100)
    for limit in (1, 4, 7):
        walked = walk(client, headers, **query, limit=limit)
        assert [m["id"] for m in walked] == [m["id"] for m in everyone]
    assert len({m["id"] for m in everyone}) == len(everyone)
    assert set(ids) <= {m["id"] for m in everyone}
    assert [m["id"] for m in everyone] == on_page


def test_a_page_ends_without_a_link_and_a_forged_cursor_is_a_400(app, make_user):
    viewer = make_user()
    bulk_members(app, 3)
    client, headers = app.test_client(), bearer(issue_token(app, viewer, "read"))
    first = client.get("/api/v1/members?limit=2&sort=name", headers=headers)
    assert len(first.get_json()) == 2 and 'rel="next"' in first.headers["Link"]
    last = client.get("/api/v1/members?limit=100", headers=headers)
    assert "Link" not in last.headers
    forged = client.get("/api/v1/members?cursor=WzEsMl0.abc", headers=headers)
    assert forged.status_code == 400 and forged.mimetype == "application/problem+json"
    # A cursor of one sort does not start a page of another.
    cursor = re.search(r"cursor=([^&>]+)", first.headers["Link"]).group(1)
    assert client.get(f"/api/v1/members?sort=active&cursor={cursor}", headers=headers).status_code == 400
    # Nor does it start a page of a word search (a slice of the kept ranking), and a ranking's cursor no keyset page.
    assert client.get(f"/api/v1/members?q=pain&cursor={cursor}", headers=headers).status_code == 400
    bulk_members(app, 3, prefix="Dr. Pain")
    ranked = client.get("/api/v1/members?q=pain&limit=1", headers=headers)
    ranked_cursor = re.search(r"cursor=([^&>]+)", ranked.headers["Link"]).group(1)
    assert client.get(f"/api/v1/members?sort=name&cursor={ranked_cursor}", headers=headers).status_code == 400


@pytest.mark.parametrize("query", ["graduated_from=abc", "specialty=abc", "role=president", "sort=random",
                                   "country=XX", "limit=0", "limit=101", "q=" + "x" * 201, "region=" + "r" * 121,
                                   "graduated_to=1800", "interests=abc", "specialty=99999", "interests=99999",
                                   "program=99999", "cohort=2147483647", "setting=3000000000"])
def test_filters_the_page_refuses_are_a_422_naming_the_field(app, login, people, query):  # noqa: F811
    viewer = people["viewer"]
    name = query.split("=")[0]
    if name != "limit":
        assert login(app.test_client(), viewer).get(f"/members/?{query}").status_code == 400
    response = app.test_client().get(f"/api/v1/members?{query}", headers=bearer(issue_token(app, viewer, "read")))
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert name in response.get_json()["errors"]["query"]


def test_a_retired_term_is_no_longer_a_filter_as_on_the_page(app, make_user, login):
    admin = login(app.test_client(), make_user(role="admin"))
    viewer = make_user()
    term = interest(app, "Cancer pain")
    headers = bearer(issue_token(app, viewer, "read"))
    assert app.test_client().get(f"/api/v1/members?interests={term}", headers=headers).status_code == 200
    admin.post(f"/admin/taxonomy/interests/{term}/retire")
    assert login(app.test_client(), viewer).get(f"/members/?interests={term}").status_code == 400
    assert app.test_client().get(f"/api/v1/members?interests={term}", headers=headers).status_code == 422


def test_words_are_folded_like_the_page_form_folds_them(app, people):  # noqa: F811
    headers = bearer(issue_token(app, people["viewer"], "read"))
    found = walk(app.test_client(), headers, q="intrathecal\x00\n", region="\x01ma ")
    assert [m["name"] for m in found] == ["Dr. Bea Boston"]


def test_a_profile_shows_what_the_page_shows_and_its_role_fields_only(app, make_user, login):
    from tests.test_profiles import profile_form

    owner = make_user(role="alumni", email="lena@example.org", name="Dr. Lena Ortiz")
    login(app.test_client(), owner).post("/members/me/edit", data=profile_form(app))
    with app.app_context():  # a fellow's career goal, written before graduating: stored, not shown
        db.session.get(User, owner.id).profile.career_goal = "research"
        db.session.commit()
    viewer = make_user()
    response = app.test_client().get(f"/api/v1/members/{owner.id}", headers=bearer(issue_token(app, viewer, "read")))
    assert response.status_code == 200
    body = response.get_json()
    page = login(app.test_client(), viewer).get(f"/members/{owner.id}").data.decode()
    for value in (body["headline"], body["institution"], body["location"]["city"], body["languages"],
                  body["current_position"], str(body["graduation_year"]), body["background"], body["email"],
                  *body["interests"]):
        assert value and str(escape(value)) in page, value
    assert body["location"] == {"city": "Austin", "region": "TX", "country": "US", "time_zone": "America/Chicago"}
    assert body["links"] == ["https://lena.example.org"] and body["bio"] == "Hello **there**"
    assert body["role"] == "alumni" and body["graduation_year"] == 2021
    assert "career_goal" not in body and "title" not in body and "academic_rank" not in body
    assert "Career goal" not in page


def test_a_member_the_page_does_not_show_is_a_404(app, make_user, login):
    viewer = make_user()
    pending = make_user(status="pending", name="Dr. Not Yet")
    gone = make_user(name="Dr. Gone")
    with app.app_context(), app.test_request_context():
        services.delete_account(db.session.get(User, gone.id))
        db.session.commit()
    page = login(app.test_client(), viewer)
    client, headers = app.test_client(), bearer(issue_token(app, viewer, "read"))
    for member_id in (pending.id, gone.id, 999_999, 2**31 - 1, 2**31):
        assert page.get(f"/members/{member_id}").status_code == 404
        response = client.get(f"/api/v1/members/{member_id}", headers=headers)
        assert response.status_code == 404 and response.mimetype == "application/problem+json", member_id
    assert "Dr. Not Yet" not in [m["name"] for m in walk(client, headers, q="Yet")]
    assert client.get(f"/api/v1/members/{viewer.id}", headers=headers).status_code == 200


def test_etags_answer_304_until_the_profile_changes(app, make_user, login):
    owner, viewer = make_user(role="alumni", name="Dr. Etag Owner"), make_user()
    add_profile(app, owner, headline="Before")
    client, headers = app.test_client(), bearer(issue_token(app, viewer, "read"))
    for path in (f"/api/v1/members/{owner.id}", "/api/v1/members?q=etag"):
        first = client.get(path, headers=headers)
        etag = first.headers["ETag"]
        assert client.get(path, headers={**headers, "If-None-Match": etag}).status_code == 304
        add_profile(app, owner, headline=f"After {path}")
        changed = client.get(path, headers={**headers, "If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag
        assert "After" in str(changed.get_json())


def test_me_carries_my_whole_profile_and_my_privacy(app, make_user, login):
    from tests.test_profiles import profile_form

    member = make_user(role="fellow", email="me@example.org", name="Dr. Lena Ortiz")
    client, headers = app.test_client(), bearer(issue_token(app, member, "read"))
    before = client.get("/api/v1/me", headers=headers).get_json()
    assert "privacy" not in before and before["profile"]["id"] == member.id and "email" not in before["profile"]
    login(app.test_client(), member).post("/members/me/edit", data=profile_form(
        app, email_visibility="private", links_visibility="connected", location_visibility="private"))
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert {key: me[key] for key in ("id", "name", "email", "role")} == {
        "id": member.id, "name": "Dr. Lena Ortiz", "email": "me@example.org", "role": "fellow"}
    assert me["token"]["scopes"] == ["read"]
    assert me["privacy"] == {"email": "private", "links": "connected", "location": "private"}
    assert me["profile"]["email"] == "me@example.org" and me["profile"]["location"]["city"] == "Austin"
    assert me["profile"]["career_goal"] == "research" and "graduation_year" not in me["profile"]


@pytest.mark.parametrize("path", ["/api/v1/members", "/api/v1/members?q=pain", "/api/v1/members?q=pain&role=alumni",
                                  "/api/v1/members?country=US&region=austin", "/api/v1/members?sort=active",
                                  "/api/v1/members?sort=name&interests={interest}", "/api/v1/members/{id}",
                                  "/api/v1/me"])
def test_query_count_does_not_grow_with_the_number_of_members(app, make_user, count_queries, path):
    viewer = make_user()
    client, headers = app.test_client(), bearer(issue_token(app, viewer, "read"))
    target = bulk_members(app, 5, saved_by=viewer.id, prefix="Dr. Few")[0]
    with app.app_context():
        term = db.session.scalar(select(Interest.id).order_by(Interest.id))
    path = path.format(id=target, interest=term)
    client.get(path, headers=headers)  # the token's first use is written down; the filter choices are kept
    with count_queries() as few:
        response = client.get(path, headers=headers)
    assert response.status_code == 200
    bulk_members(app, 495, saved_by=viewer.id, prefix="Dr. Many")
    client.get(path, headers=headers)  # a word search's ranking is kept per version of the index, as for the page
    with count_queries() as many:
        response = client.get(path, headers=headers)
    assert response.status_code == 200
    if "/members?" in path and "region" not in path or path.endswith("/members"):
        assert len(response.get_json()) == 25 and 'rel="next"' in response.headers["Link"]
    assert len(few) == len(many) <= 8, many
