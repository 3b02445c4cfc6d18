"""Mentor recommendations are ranked once per version of the mentor pool and mentee inputs, and every
change a fellow would notice shows on their next view: a mentor's settings, places, profile, name or
account, the fellow's own profile and requests, in this app process or another."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from network.extensions import db
from network.mentorship.models import MentorSettings, MentorshipRequest
from network.taxonomy.models import Interest
from tests.test_directory import add_profile
from tests.test_mentorship import ask, mentor_with_settings

CARD = re.compile(r'<h2 class="h6 mb-1"><a href="[^"]+">([^<]+)</a></h2>\s*'
                  r'(?:<p class="[^"]*mentor-facts">[^<]*</p>\s*)?'  # role, institution, place
                  r'<p class="mb-0 recommendation-reason">([^<]+)</p>')


def cards(client, kind="research") -> list[tuple[str, str]]:
    """The mentors the page shows, best first, each with the reason as the fellow reads it."""
    page = client.get(f"/mentorship/recommendations?type={kind}")
    assert page.status_code == 200
    return [(html.unescape(name), html.unescape(reason)) for name, reason in CARD.findall(page.get_data(as_text=True))]


def shown(client, kind="research") -> list[str]:
    return [name for name, _ in cards(client, kind)]


def reason_of(client, name, kind="research") -> str:
    """The mentor's reason, in lower case (the page capitalises whichever reason comes first)."""
    return dict(cards(client, kind))[name].lower()


def request_ids(app, fellow, mentor) -> tuple[int, int | None]:
    """The latest request's id and, once accepted, its mentorship's id."""
    with app.app_context():
        return db.session.execute(select(MentorshipRequest.id, MentorshipRequest.mentorship_id).where(
            MentorshipRequest.mentee_id == fellow.id, MentorshipRequest.mentor_id == mentor.id)
            .order_by(MentorshipRequest.id.desc())).first()


def save_settings(app, login, mentor, *, accepting=True, capacity=2, types=("research", "career"), topics=()):
    data = {"capacity": str(capacity), "types": list(types), "meeting_modes": ["video"], "availability": "Evenings"}
    if accepting:
        data["accepting"] = "y"
    if topics:
        with app.app_context():
            data["topics"] = [str(i) for i in db.session.scalars(select(Interest.id).where(Interest.name.in_(topics)))]
    assert login(app.test_client(), mentor).post("/mentorship/settings", data=data).status_code == 302


@pytest.fixture
def pool(app, make_user, login):
    """A fellow interested in research methods and two research mentors, the fellow's page viewed once."""
    fellow = make_user(role="fellow", name="Dr. Fay Fellow")
    add_profile(app, fellow, interests=["Research methods"], time_zone="America/Chicago")
    ada = mentor_with_settings(app, make_user, login, name="Dr. Ada Mentor", capacity=2)
    add_profile(app, ada, interests=["Research methods", "Cancer pain"], time_zone="America/Chicago")
    ben = mentor_with_settings(app, make_user, login, name="Dr. Ben Mentor", capacity=2)
    client = login(app.test_client(), fellow)
    client.get("/")  # the first request of a session writes last_seen
    assert shown(client) == ["Dr. Ada Mentor", "Dr. Ben Mentor"]
    return SimpleNamespace(fellow=fellow, ada=ada, ben=ben, client=client)


def candidate_scans(statements) -> int:
    return sum(1 for s in statements if "mentor_settings" in s)


def test_the_second_view_reads_the_kept_ranking(app, pool, login, count_queries):
    save_settings(app, login, pool.ben, capacity=3)  # a new pool version: the next view ranks afresh
    with count_queries() as first:
        ranked = cards(pool.client)
    with count_queries() as second:
        again = cards(pool.client)
    assert again == ranked
    assert candidate_scans(first) >= 1 and candidate_scans(second) == 0, second
    assert len(second) < len(first)


def test_turning_accepting_off_hides_the_mentor_at_once(app, pool, login):
    save_settings(app, login, pool.ada, accepting=False)
    assert shown(pool.client) == ["Dr. Ben Mentor"]
    save_settings(app, login, pool.ada, accepting=True)
    assert shown(pool.client) == ["Dr. Ada Mentor", "Dr. Ben Mentor"]


def test_the_last_place_taken_and_freed_again(app, pool, make_user, login):
    save_settings(app, login, pool.ada, capacity=1)
    assert "1 of 1 places free" in reason_of(pool.client, "Dr. Ada Mentor")
    other = make_user(role="fellow")
    assert ask(app, login, other, pool.ada).status_code == 302
    mentor_client = login(app.test_client(), pool.ada)
    assert mentor_client.post(f"/mentorship/requests/{request_ids(app, other, pool.ada)[0]}/accept").status_code == 302
    assert shown(pool.client) == ["Dr. Ben Mentor"]  # accepting took the place in a conditional UPDATE
    mentorship_id = request_ids(app, other, pool.ada)[1]
    ended = mentor_client.post(f"/mentorship/{mentorship_id}/end", data={"end-outcome": "completed",
                                                                         "end-rating": "5", "confirm": "yes"})
    assert ended.status_code == 302
    assert shown(pool.client) == ["Dr. Ada Mentor", "Dr. Ben Mentor"]


def test_more_places_show_in_the_reason(app, pool, login):
    assert "2 of 2 places free" in reason_of(pool.client, "Dr. Ben Mentor")
    save_settings(app, login, pool.ben, capacity=5)
    assert "5 of 5 places free" in reason_of(pool.client, "Dr. Ben Mentor")


def test_a_new_shared_interest_or_topic_shows(app, pool, login):
    assert "shares" not in reason_of(pool.client, "Dr. Ben Mentor")
    add_profile(app, pool.ben, interests=["Research methods"])
    assert "shares research methods" in reason_of(pool.client, "Dr. Ben Mentor")
    add_profile(app, pool.ben, interests=[])
    assert "shares" not in reason_of(pool.client, "Dr. Ben Mentor")
    save_settings(app, login, pool.ben, topics=["Research methods"])  # a mentoring topic counts as well
    assert "shares research methods" in reason_of(pool.client, "Dr. Ben Mentor")


def test_a_deactivated_or_deleted_mentor_leaves(app, pool, make_user, login):
    admin = login(app.test_client(), make_user(role="admin"))
    assert admin.post(f"/admin/members/{pool.ada.id}/deactivate", data={"confirm": "yes"}).status_code == 302
    assert shown(pool.client) == ["Dr. Ben Mentor"]
    ben_client = login(app.test_client(), pool.ben)
    assert ben_client.post("/members/me/delete", data={"password": pool.ben.password}).status_code == 302
    assert shown(pool.client) == []


def test_a_renamed_mentor_shows_by_the_new_name(app, pool):
    from network.members.models import User

    with app.app_context():
        db.session.get(User, pool.ben.id).name = "Dr. Benedict Mentor"
        db.session.commit()
    assert shown(pool.client) == ["Dr. Ada Mentor", "Dr. Benedict Mentor"]


def test_the_fellows_own_profile_changes_the_ranking(app, pool):
    assert "cancer pain" not in reason_of(pool.client, "Dr. Ada Mentor")
    add_profile(app, pool.fellow, interests=["Research methods", "Cancer pain"], time_zone="Europe/London")
    reason = reason_of(pool.client, "Dr. Ada Mentor")
    assert "shares cancer pain and research methods" in reason and "same time zone" not in reason


def test_a_write_to_mentor_settings_from_any_area_counts(app, pool):
    """Matching rounds and graduations change places with UPDATE statements of their own."""
    with app.app_context():
        db.session.execute(update(MentorSettings).where(MentorSettings.user_id == pool.ada.id)
                           .values(active_mentees=MentorSettings.capacity))
        db.session.commit()
    assert shown(pool.client) == ["Dr. Ben Mentor"]


def test_a_renamed_interest_shows_in_the_reasons(app, pool):
    with app.app_context():
        db.session.scalar(select(Interest).where(Interest.name == "Research methods")).name = "Research design"
        db.session.commit()
    assert "shares research design" in reason_of(pool.client, "Dr. Ada Mentor")


def test_open_requests_and_the_current_mentor_are_left_out(app, pool, login, count_queries):
    assert ask(app, login, pool.fellow, pool.ada).status_code == 302
    with count_queries() as statements:
        assert shown(pool.client) == ["Dr. Ben Mentor"]
    assert candidate_scans(statements) == 0  # a request changes the fellow's page, not the pool
    assert login(app.test_client(), pool.ada).post(
        f"/mentorship/requests/{request_ids(app, pool.fellow, pool.ada)[0]}/accept").status_code == 302
    page = pool.client.get("/mentorship/recommendations?type=research").get_data(as_text=True)
    assert "Your research mentor is" in page and "Dr. Ada Mentor</a>. End that mentorship" in page
    assert shown(pool.client) == ["Dr. Ben Mentor"]
    assert shown(pool.client, "career") == ["Dr. Ben Mentor"]


def test_many_open_requests_still_fill_the_page(app, pool, make_user, login, monkeypatch):
    from network.mentorship.queries import recommendations

    monkeypatch.setattr(recommendations, "RANKED_DEPTH", 2)  # a kept ranking holds the best two only
    mentor_with_settings(app, make_user, login, name="Dr. Carl Mentor", capacity=2)
    assert shown(pool.client) == ["Dr. Ada Mentor", "Dr. Ben Mentor", "Dr. Carl Mentor"]
    ask(app, login, pool.fellow, pool.ada)
    ask(app, login, pool.fellow, pool.ben)
    assert shown(pool.client) == ["Dr. Carl Mentor"]


def test_uncommitted_writes_are_neither_read_from_nor_kept_in_the_cache(app, pool):
    from network.members.models import User
    from network.mentorship.queries.recommendations import recommendations

    def names(user):
        return [s.name for s in recommendations(user, "research")[0]]

    with app.test_request_context():
        fellow = db.session.get(User, pool.fellow.id)
        assert names(fellow) == ["Dr. Ada Mentor", "Dr. Ben Mentor"]
        db.session.get(MentorSettings, pool.ada.id).accepting = False
        assert names(fellow) == ["Dr. Ben Mentor"]  # the transaction sees its own write
        db.session.rollback()
        assert names(fellow) == ["Dr. Ada Mentor", "Dr. Ben Mentor"]
    assert shown(pool.client) == ["Dr. Ada Mentor", "Dr. Ben Mentor"]


def test_two_app_processes_see_each_others_edits(app, make_app, pool, login):
    second = make_app()
    other_client = login(second.test_client(), pool.fellow)
    assert shown(other_client) == ["Dr. Ada Mentor", "Dr. Ben Mentor"]
    save_settings(second, login, pool.ada, accepting=False)  # written through the second process
    assert shown(pool.client) == ["Dr. Ben Mentor"]
    save_settings(app, login, pool.ada, accepting=True)  # and back through the first
    assert shown(other_client) == ["Dr. Ada Mentor", "Dr. Ben Mentor"]


def test_processes_share_rankings_through_redis(make_app, make_user, login, redis_server):
    from sqlalchemy import event

    redis = redis_server.client()
    redis.flushdb()
    first = make_app(RATELIMIT_STORAGE_URI=redis_server.url)
    second = make_app(RATELIMIT_STORAGE_URI=redis_server.url)
    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(first, make_user, login, name="Dr. Ada Mentor")
    first_client, second_client = login(first.test_client(), fellow), login(second.test_client(), fellow)
    second_client.get("/")
    assert shown(first_client) == ["Dr. Ada Mentor"]
    assert redis.keys("fn:mentor-pool:*:recommendations:*"), "the ranking was not kept in Redis"
    statements = []
    with second.app_context():
        engine = db.engine

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    assert shown(second_client) == ["Dr. Ada Mentor"]
    event.remove(engine, "before_cursor_execute", listener)
    assert statements and candidate_scans(statements) == 0  # the first process's ranking, read from Redis
    save_settings(second, login, mentor, accepting=False)
    assert shown(first_client) == []
    redis.flushdb()


def test_card_links_are_the_routes_own(app, pool):
    """The cards write their links out from one url_for per page: they must stay the routes' own."""
    from flask import url_for

    page = pool.client.get("/mentorship/recommendations?type=career").get_data(as_text=True)
    with app.test_request_context():
        profile = url_for("profiles.show", user_id=pool.ada.id)
        ask_link = url_for("mentorship.ask", mentor_id=pool.ada.id, type="career")
    assert f'<a href="{profile}">Dr. Ada Mentor</a>' in page
    assert f'href="{html.escape(ask_link)}">Ask<span class="visually-hidden"> Dr. Ada Mentor' in page
    assert pool.client.get(ask_link).status_code == 200


def test_the_page_works_with_redis_down(make_app, make_user, login):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")  # nothing listens there
    fellow = make_user(role="fellow")
    mentor = mentor_with_settings(app, make_user, login, name="Dr. Ada Mentor")
    client = login(app.test_client(), fellow)
    assert shown(client) == ["Dr. Ada Mentor"]
    assert shown(client) == ["Dr. Ada Mentor"]  # kept in this process meanwhile
    save_settings(app, login, mentor, accepting=False)
    assert shown(client) == []


def test_graduation_and_its_undo_move_the_mentors_places(app, make_user, login):
    from tests.test_graduation import graduating_class

    setup = graduating_class(app, make_user)  # Dr. Mentor mentors one of the class
    with app.app_context():
        db.session.execute(update(MentorSettings).where(MentorSettings.user_id == setup["mentor"].id)
                           .values(capacity=1))
        db.session.commit()
    viewer = login(app.test_client(), make_user(role="fellow"))
    viewer.get("/")
    assert shown(viewer) == []  # no place free
    director = login(app.test_client(), setup["director"])
    assert director.post(f"/cohorts/{setup['cohort']}/graduate", data={"complete_mentorships": "y"}).status_code == 302
    assert shown(viewer) == ["Dr. Mentor"]
    assert director.post(f"/cohorts/{setup['cohort']}/graduation/undo").status_code == 302
    assert shown(viewer) == []  # the undo takes the place back with an UPDATE of its own


def test_publishing_a_matching_round_fills_the_mentors_places(app, make_user, login):
    from network.matching.models import MatchingRun
    from tests.test_matching_rounds import add_program, add_staff, join, prepared_round

    program, current, past = add_program(app)
    director = make_user(role="faculty", name="Dr. Director")
    add_staff(app, program, director)
    join(app, current, director, "faculty")
    fellows = [make_user(role="fellow", name=f"Dr. Fellow {n}") for n in (1, 2, 3)]
    mentors = [make_user(role="alumni", name=f"Dr. Mentor {n}") for n in (1, 2, 3)]
    for fellow in fellows:
        join(app, current, fellow, "fellow")
    for mentor in mentors:
        join(app, past, mentor, "fellow")
        save_settings(app, login, mentor, capacity=1, types=("research",))
    viewer = login(app.test_client(), make_user(role="fellow"))
    viewer.get("/")
    assert shown(viewer) == ["Dr. Mentor 1", "Dr. Mentor 2", "Dr. Mentor 3"]
    world = {"cohort": current, "director": director, "fellows": fellows, "mentors": mentors}
    director_client, round_id = prepared_round(app, login, world)
    assert director_client.post(f"/matching/{round_id}/runs").status_code == 302
    with app.app_context():
        run_id = db.session.scalar(select(MatchingRun.id).where(MatchingRun.round_id == round_id))
    confirmed = {"run_id": str(run_id), "confirm": "yes", "close_early": "yes"}
    assert director_client.post(f"/matching/{round_id}/publish", data=confirmed).status_code == 302
    # Mentors 1 and 2 gave their one place to a fellow of the round (mentor 3 matched nobody).
    assert shown(viewer) == ["Dr. Mentor 3"]
