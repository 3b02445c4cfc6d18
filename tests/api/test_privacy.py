"""Privacy over the API: a field a member hides on their profile is absent from every API response that carries
that member, for every viewer who may not see it on the profile page, and present where the page shows it.

The profile page is the reference, read as HTML for the same viewer, so the page and the API cannot disagree:
each viewer (the owner, a program mate, a mentee, an outsider, an administrator) reads each owner's profile page,
which says which of the hideable fields this viewer sees; then every operation of ``CARRIERS`` is asked, and in
the JSON objects that stand for the owner a field the page hides has no key (never null), and its value appears
nowhere in the whole response.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import pytest
from sqlalchemy import inspect

from network.extensions import db
from network.mentorship.models import Mentorship
from network.profiles.models import Profile, Visibility
from tests.api.helpers import bearer, issue_token
from tests.discussions.conftest import make_category, make_thread  # noqa: F401  (fixtures)
from tests.test_directory import add_profile
from tests.test_profiles import make_program_with


@pytest.fixture
def app(make_app):
    return make_app(RATELIMIT_ENABLED=False)


@dataclass
class Owner:
    """A member whose fields each have their own privacy level, with values found nowhere else."""

    id: int
    word: str  # in their name only: a word search finds them
    email: str
    link: str
    city: str
    time_zone: str
    thread_id: int = 0  # a thread they started in a category every member reads


class Hideable(NamedTuple):
    key: str  # the JSON key that carries the field
    on_page: Callable[[Owner], str]  # what the profile page shows when it shows the field
    value: Callable[[Owner], str]  # a value of the field that must appear nowhere when it is hidden


#: Every field a member can hide on their profile (the profile's ``<field>_visibility`` settings), by setting.
HIDEABLE = {
    "email": Hideable("email", lambda owner: f'href="mailto:{owner.email}"', lambda owner: owner.email),
    "links": Hideable("links", lambda owner: f'href="{owner.link}"', lambda owner: owner.link.split("://")[1]),
    "location": Hideable("location", lambda owner: f"<dd>{owner.city}, ", lambda owner: owner.city),
}


class Carrier(NamedTuple):
    """An API operation that carries a member: how to ask it for a response holding ``owner``, and how to find
    the JSON objects standing for ``owner`` in that response."""

    name: str
    path: Callable[[Owner], str]
    find: Callable[[object, Owner], list[dict]]
    carries: frozenset[str]  # the hideable fields it gives when the viewer may see them


# Every API operation whose response carries a member, and where that member is in its JSON. This table is
# meant to grow: each family that puts a member in its JSON (post authors, mentors and mentees, opportunity
# posters, roster entries, ...) adds its operation here as a row (a ``path`` that brings ``owner`` into the
# response, and a ``find`` returning the objects that stand for them; ``carries`` empty when the operation only
# names them), and the tests below then hold it to the profile page too.
CARRIERS = [
    Carrier("GET /api/v1/members/{id}", lambda owner: f"/api/v1/members/{owner.id}",
            lambda body, owner: [body], frozenset(HIDEABLE)),
    Carrier("GET /api/v1/members", lambda owner: f"/api/v1/members?q={owner.word}&limit=100",
            lambda body, owner: [item for item in body if item["id"] == owner.id], frozenset({"location"})),
    # A post's author is named only (id and name): none of the hideable fields, for anyone.
    Carrier("GET /api/v1/discussions/threads/{id}/posts",
            lambda owner: f"/api/v1/discussions/threads/{owner.thread_id}/posts",
            lambda body, owner: [item["author"] for item in body if item["author"]["id"] == owner.id], frozenset()),
]

#: Each owner's level for each field: every field at every level, and no two fields of one owner alike (a field
#: answered by another's setting would show).
LEVELS = [
    {"email": "members", "links": "connected", "location": "private"},
    {"email": "connected", "links": "private", "location": "members"},
    {"email": "private", "links": "members", "location": "connected"},
]
WORDS = ("Alpha", "Bravo", "Charlie")


def test_the_table_names_every_field_a_member_can_hide():
    settings = {column.key.removesuffix("_visibility") for column in inspect(Profile).columns
                if column.key.endswith("_visibility")}
    assert settings == set(HIDEABLE)
    assert {level for levels in LEVELS for level in levels.values()} == {v.value for v in Visibility}
    assert all(set(levels) == set(HIDEABLE) for levels in LEVELS)


@pytest.fixture
def world(app, make_user, make_category, make_thread):  # noqa: F811
    """Three owners in one program, with a program mate, a mentee of all three, an outsider and an admin; each
    owner started a thread in a category every member reads."""
    category_id, _ = make_category()
    owners = []
    for n, (word, levels) in enumerate(zip(WORDS, LEVELS, strict=True)):
        member = make_user(role="alumni", name=f"Dr. Privacy {word}", email=f"owner.{word.lower()}@example.org")
        owner = Owner(member.id, word, member.email, f"https://site-{word.lower()}.example.org", f"Town{word}",
                      ("America/Chicago", "Europe/Paris", "Asia/Tokyo")[n])
        add_profile(app, member, headline="Owner", city=owner.city, region="Somewhere", country="US",
                    time_zone=owner.time_zone, links=[owner.link], email_visibility=levels["email"],
                    links_visibility=levels["links"], location_visibility=levels["location"])
        owner.thread_id, _ = make_thread(category_id, member.id)
        owners.append((owner, member, levels))
    mate, mentee, outsider = make_user(role="fellow"), make_user(role="fellow"), make_user(role="faculty")
    admin = make_user(role="admin")
    make_program_with(app, mate.id, *(member.id for _, member, _ in owners))
    with app.app_context():
        db.session.add_all([Mentorship(mentee_id=mentee.id, mentor_id=member.id, type=kind)  # one mentor a kind
                            for (_, member, _), kind in zip(owners, ("research", "clinical", "career"), strict=True)])
        db.session.commit()
    viewers = {"mate": mate, "mentee": mentee, "outsider": outsider, "admin": admin}
    return owners, viewers


def shown_on_page(client, owner: Owner) -> dict[str, bool]:
    """Which hideable fields of ``owner`` the profile page shows this viewer."""
    response = client.get(f"/members/{owner.id}")
    assert response.status_code == 200
    page = response.data.decode()
    shown = {field: hideable.on_page(owner) in page for field, hideable in HIDEABLE.items()}
    # The time zone goes with the location: shown to the same viewers.
    assert (owner.time_zone.replace("_", " ") in page) is shown["location"]
    return shown


def test_a_field_the_profile_page_hides_is_absent_from_every_response_carrying_the_member(app, login, world):
    owners, viewers = world
    seen = {field: set() for field in HIDEABLE}
    api = app.test_client()
    for owner, member, _levels in owners:
        for viewer_name, viewer in {**viewers, "owner": member}.items():
            shown = shown_on_page(login(app.test_client(), viewer), owner)
            headers = bearer(issue_token(app, viewer, "read"))
            for carrier in CARRIERS:
                response = api.get(carrier.path(owner), headers=headers)
                assert response.status_code == 200, (carrier.name, viewer_name)
                objects = carrier.find(response.get_json(), owner)
                assert objects, f"{carrier.name} did not carry the owner"
                where = (carrier.name, owner.word, viewer_name)
                for field, hideable in HIDEABLE.items():
                    seen[field].add(shown[field])
                    if shown[field]:
                        if field in carrier.carries:
                            assert all(hideable.key in item for item in objects), (field, where)
                    else:
                        assert not any(hideable.key in item for item in objects), (field, where)
                        assert hideable.value(owner) not in response.data.decode(), (field, where)
    # The test saw each field both shown and hidden, so neither branch is empty.
    assert all(outcomes == {True, False} for outcomes in seen.values()), seen


def test_what_the_page_shows_is_what_the_api_gives(app, login, world):
    owners, viewers = world
    owner, member, levels = owners[1]  # email for connections, links private, location for everyone
    for viewer, expected in ((viewers["mate"], {"email", "location"}), (viewers["outsider"], {"location"}),
                             (member, {"email", "links", "location"})):
        assert {f for f, shown in shown_on_page(login(app.test_client(), viewer), owner).items() if shown} == expected
        body = app.test_client().get(f"/api/v1/members/{owner.id}",
                                     headers=bearer(issue_token(app, viewer, "read"))).get_json()
        assert {f for f in HIDEABLE if f in body} == expected
        if "email" in expected:
            assert body["email"] == owner.email
        assert body["location"] == {"city": owner.city, "region": "Somewhere", "country": "US",
                                    "time_zone": owner.time_zone}


def test_a_hidden_location_cannot_be_found_by_filtering_on_it(app, login, world):
    """The directory's location filters only match a location the viewer may see, on the page and here."""
    owners, viewers = world
    for viewer in (*viewers.values(), *(member for _, member, _ in owners)):
        page = login(app.test_client(), viewer).get("/members/?region=somewhere&sort=name").data.decode()
        expected = [owner.word for owner, _, _ in owners if f"Dr. Privacy {owner.word}" in page]
        body = app.test_client().get("/api/v1/members?region=somewhere&sort=name",
                                     headers=bearer(issue_token(app, viewer, "read"))).get_json()
        assert [item["name"].removeprefix("Dr. Privacy ") for item in body] == expected
    # The outsider finds only the owner whose location is for every member.
    assert [item["name"] for item in app.test_client().get(
        "/api/v1/members?country=US", headers=bearer(issue_token(app, viewers["outsider"], "read"))).get_json()] \
        == ["Dr. Privacy Bravo"]
