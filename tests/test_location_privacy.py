"""A member's location (city, region, country and time zone) reaches another member only where its owner
lets that member see it: not on the profile page, and not through a mentor recommendation's or a matching
round's score and reasons ("same region", "same time zone"), which a fellow could otherwise probe by
changing their own region and watching the score."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.extensions import db
from network.matching.models import MatchingRun
from network.types import utcnow
from tests.test_directory import add_profile
from tests.test_matching_rounds import add_program, add_staff, join
from tests.test_mentorship import mentor_with_settings
from tests.test_recommendation_cache import cards

TEXAS = {"city": "Austin", "region": "TX", "country": "US", "time_zone": "America/Chicago"}
MASSACHUSETTS = {"city": "Boston", "region": "MA", "country": "US", "time_zone": "America/New_York"}
LOCATION_WORDS = ("region", "country", "time zone", "austin", "chicago")


def recommendation(client, name) -> tuple[str, int]:
    """(reason in lower case, score) of one mentor on the fellow's research recommendations."""
    page = client.get("/mentorship/recommendations?type=research").get_data(as_text=True)
    reason = dict(cards(client))[name]
    card = page[page.index(html.escape(name)):]
    score = int(re.search(r'badge text-bg-primary fs-6">(\d+)<', card).group(1))
    return reason.lower(), score


def row_of(page: str, name: str) -> str:
    """The table row (fellow's pool, the preview) or the fieldset (the mentor's review of each fellow) that
    names ``name``."""
    at = page.index(html.escape(name))
    start, tag = max((page.rfind("<tr>", 0, at), "tr"), (page.rfind("<fieldset", 0, at), "fieldset"))
    return page[start:page.index(f"</{tag}>", at)]


# -- mentor recommendations -----------------------------------------------------------------------


@pytest.mark.parametrize("level", ["private", "connected"])
def test_a_hidden_location_does_not_move_the_recommendation(app, make_user, login, level):
    """The attack: the fellow moves their own region to the mentor's and back; score and reason stay put."""
    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Hidden Place")
    add_profile(app, mentor, location_visibility=level, **TEXAS)  # not connected to the fellow
    client = login(app.test_client(), fellow)
    seen = []
    for place in (TEXAS, MASSACHUSETTS, TEXAS):
        add_profile(app, fellow, **place)
        seen.append(recommendation(client, "Dr. Hidden Place"))
    assert seen[0] == seen[1] == seen[2]
    assert not any(word in seen[0][0] for word in LOCATION_WORDS), seen[0]


def test_a_shared_location_still_counts(app, make_user, login):
    """Shared with members, or connected to the fellow: "same time zone" and "same region" keep working."""
    _, current, past = add_program(app)
    fellow = make_user(role="fellow")
    join(app, current, fellow, "fellow")
    shared = mentor_with_settings(app, make_user, login, name="Dr. Shared Place")
    add_profile(app, shared, location_visibility="members", **TEXAS)
    mate = mentor_with_settings(app, make_user, login, name="Dr. Program Mate")
    add_profile(app, mate, location_visibility="connected", **TEXAS)
    join(app, past, mate, "fellow")
    client = login(app.test_client(), fellow)
    add_profile(app, fellow, **TEXAS)
    texas = {name: recommendation(client, name) for name in ("Dr. Shared Place", "Dr. Program Mate")}
    assert all("same time zone" in reason for reason, _ in texas.values()), texas
    add_profile(app, fellow, **{**MASSACHUSETTS, "region": "TX", "country": "US"})
    for name, (_, score) in texas.items():
        reason, lower = recommendation(client, name)
        assert "same region" in reason and lower < score


def test_a_kept_ranking_is_not_shared_with_a_fellow_who_may_not_see_the_location(app, make_user, login):
    """Two fellows with the same inputs share a kept ranking only when they may see the same locations."""
    _, current, past = add_program(app)
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Program Place")
    add_profile(app, mentor, location_visibility="connected", **TEXAS)
    join(app, past, mentor, "fellow")
    insider, outsider = make_user(role="fellow"), make_user(role="fellow")
    join(app, current, insider, "fellow")
    for fellow in (insider, outsider):
        add_profile(app, fellow, **TEXAS)
    inside = recommendation(login(app.test_client(), insider), "Dr. Program Place")
    outside = recommendation(login(app.test_client(), outsider), "Dr. Program Place")
    assert "same time zone" in inside[0]
    assert "time zone" not in outside[0] and outside[1] < inside[1]


def test_hiding_the_location_shows_on_the_next_view(app, make_user, login):
    """Changing who sees the location changes the mentor pool: a kept ranking is not read again."""
    fellow = make_user(role="fellow")
    add_profile(app, fellow, **TEXAS)
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Changes Mind")
    add_profile(app, mentor, location_visibility="members", **TEXAS)
    client = login(app.test_client(), fellow)
    assert "same time zone" in recommendation(client, "Dr. Changes Mind")[0]
    add_profile(app, mentor, location_visibility="private", **TEXAS)
    assert "time zone" not in recommendation(client, "Dr. Changes Mind")[0]


# -- matching rounds ------------------------------------------------------------------------------


@pytest.fixture
def round_with_mentor(app, make_user, login):
    """An open research round: a director, a fellow of the current class and a mentor (an alumnus of the
    program) who joined the pool, was ranked first and accepts the fellow. Returns a function giving the
    mentor's location a visibility."""
    program, current, past = add_program(app)
    director = make_user(role="faculty", name="Dr. Director")
    join(app, current, director, "faculty")
    add_staff(app, program, director)
    fellow = make_user(role="fellow", name="Dr. Round Fellow")
    join(app, current, fellow, "fellow")
    mentor = make_user(role="alumni", name="Dr. Round Mentor")
    join(app, past, mentor, "fellow")
    director_client = login(app.test_client(), director)
    response = director_client.post("/matching/new", data={
        "title": "Research mentors", "cohorts": [str(current)], "type": "research", "algorithm": "stable",
        "deadline": (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"), "max_choices": "5"})
    round_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    mentor_client, fellow_client = login(app.test_client(), mentor), login(app.test_client(), fellow)
    assert mentor_client.post(f"/matching/{round_id}/pool", data={"pool-capacity": "1"}).status_code == 302
    assert fellow_client.post(f"/matching/{round_id}/ranking", data={f"rank-{mentor.id}": "1"}).status_code == 302
    assert mentor_client.post(f"/matching/{round_id}/review",
                              data={f"answer-{fellow.id}": "yes"}).status_code == 302
    return {"round": round_id, "fellow": fellow, "mentor": mentor, "director": director_client,
            "fellow_client": fellow_client, "mentor_client": mentor_client}


def round_views(app, r) -> dict[str, str]:
    """What each side reads about the pair: the fellow's pool row, the mentor's review row, and the
    preview and CSV of a fresh run."""
    round_id = r["round"]
    assert r["director"].post(f"/matching/{round_id}/runs").status_code == 302
    with app.app_context():
        run_id = db.session.scalar(select(MatchingRun.id).where(MatchingRun.round_id == round_id)
                                   .order_by(MatchingRun.id.desc()))
    preview = r["director"].get(f"/matching/{round_id}/preview?run={run_id}").get_data(as_text=True)
    exported = r["director"].get(f"/matching/{round_id}/runs/{run_id}/export.csv").get_data(as_text=True)
    return {
        "ranking": row_of(r["fellow_client"].get(f"/matching/{round_id}").get_data(as_text=True), "Dr. Round Mentor"),
        "review": row_of(r["mentor_client"].get(f"/matching/{round_id}").get_data(as_text=True), "Dr. Round Fellow"),
        "preview": row_of(preview, "Dr. Round Mentor"),
        "export": exported.splitlines()[1],
    }


def test_a_hidden_location_does_not_move_a_rounds_fit(app, round_with_mentor):
    """The fellow moves their region to the private mentor's and away: the fellow's ranking page, the mentor's
    review, the staff preview and the export read the same, with no word of a region or time zone."""
    r = round_with_mentor
    add_profile(app, r["mentor"], location_visibility="private", **TEXAS)
    views = []
    for place in (TEXAS, MASSACHUSETTS):
        add_profile(app, r["fellow"], **place)
        views.append(round_views(app, r))
    for page in views[0]:
        assert views[0][page] == views[1][page], page
        assert "same region" not in views[0][page].lower() and "same time zone" not in views[0][page].lower(), page


def test_a_shared_location_still_counts_in_a_round(app, round_with_mentor):
    r = round_with_mentor
    add_profile(app, r["mentor"], location_visibility="members", **TEXAS)
    add_profile(app, r["fellow"], location_visibility="members", **TEXAS)
    views = round_views(app, r)
    assert "same time zone" in views["ranking"] and "same time zone" in views["preview"]
    assert "same time zone" in views["export"]


def test_a_run_counts_only_locations_every_manager_may_see(app, round_with_mentor):
    """A run is kept and read by every manager of the round, who need not be connected to the pair: a
    location shared only with connections does not enter it (the fellow's own pool page still uses it)."""
    r = round_with_mentor
    add_profile(app, r["mentor"], location_visibility="connected", **TEXAS)
    add_profile(app, r["fellow"], location_visibility="members", **TEXAS)
    views = round_views(app, r)
    assert "same time zone" in views["ranking"]  # the fellow and the mentor are of one program
    assert "time zone" not in views["preview"].lower() and "time zone" not in views["export"].lower()


# -- the time zone on every page that showed it ---------------------------------------------------


def _profile_page(app, login, viewer, owner):
    return login(app.test_client(), viewer).get(f"/members/{owner.id}")


@pytest.mark.parametrize("level", ["private", "connected"])
def test_the_profile_page_hides_the_time_zone_with_the_location(app, make_user, login, level):
    owner, stranger = make_user(role="alumni"), make_user(role="fellow")
    add_profile(app, owner, location_visibility=level, **TEXAS)
    as_stranger = _profile_page(app, login, stranger, owner).get_data(as_text=True)
    assert "Chicago" not in as_stranger and "Time zone" not in as_stranger and "Austin" not in as_stranger
    as_owner = _profile_page(app, login, owner, owner).get_data(as_text=True)
    assert "America/Chicago" in as_owner and "Austin" in as_owner


def test_the_profile_page_shows_a_shared_time_zone(app, make_user, login):
    owner, viewer = make_user(role="alumni"), make_user(role="fellow")
    add_profile(app, owner, location_visibility="members", **TEXAS)
    page = _profile_page(app, login, viewer, owner).get_data(as_text=True)
    assert "America/Chicago" in page and "Austin" in page


# -- every page that showed a location or something derived from it ------------------------------

LOS_ANGELES = {"city": "Los Angeles", "region": "CA", "country": "US", "time_zone": "America/Los_Angeles"}
PAGES = ("profile", "directory", "recommendations", "home", "team", "ranking", "review", "preview", "export")


@pytest.mark.parametrize("surface", PAGES)
def test_a_private_location_and_time_zone_show_on_no_page(app, login, round_with_mentor, surface):
    """The mentor and the fellow keep their location, time zone included, to themselves and share it: no page
    the other side or the round's staff read shows it or a reason derived from it."""
    r = round_with_mentor
    assert r["mentor_client"].post("/mentorship/settings", data={
        "accepting": "y", "capacity": "2", "types": ["research"], "meeting_modes": ["video"]}).status_code == 302
    for member in (r["mentor"], r["fellow"]):
        add_profile(app, member, location_visibility="private", **LOS_ANGELES)
    reads = {
        "profile": lambda: r["fellow_client"].get(f"/members/{r['mentor'].id}"),
        "directory": lambda: r["fellow_client"].get("/members/?region=CA&country=US"),
        "recommendations": lambda: r["fellow_client"].get("/mentorship/recommendations?type=research"),
        "home": lambda: r["fellow_client"].get("/"),
        "team": lambda: r["fellow_client"].get("/mentorship/"),
    }
    if surface in reads:
        response = reads[surface]()
        assert response.status_code == 200
        text = response.get_data(as_text=True)
    else:
        text = round_views(app, r)[surface]
    if surface == "directory":  # the fellow finds themself there, with their own place; not the mentor
        assert "Dr. Round Fellow" in text and "Dr. Round Mentor" not in text
        return
    for hidden in ("los angeles", "los_angeles", "same time zone", "same region"):
        assert hidden not in text.lower(), (surface, hidden)
