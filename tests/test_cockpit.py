"""The cockpit: program staff land on it, every number matches its list, every list names its people as
links, a graduated class and another program never show, and staff of another program get 404."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert

from network.extensions import db
from network.mentorship.models import Mentorship
from network.programs.models import CohortMembership
from network.types import utcnow
from tests import cockpit_world
from tests.budget import _rows

LISTS = ["without-research", "without-clinical", "without-career", "without-wellness", "overdue", "waiting-requests",
         "not-ranked", "not-reviewed", "invitations", "held-posts"]


@pytest.fixture
def world(app, make_user):
    return cockpit_world.build(app, make_user)


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def _count(html: str, key: str, cohort: int) -> int:
    found = re.search(rf'href="[^"]*/cockpit/{key}\?cohort={cohort}[^"]*">(\d+)<', html)
    return int(found.group(1)) if found else 0


def test_the_director_lands_on_the_cockpit_with_a_number_for_every_list(app, world, login):
    client = login(app.test_client(), world.director)
    html = _main(client.get("/").get_data(as_text=True))
    assert "Cockpit Program: cockpit" in html and "Class of 2027" in html
    assert "Class of 2025" not in html  # graduated
    assert _count(html, "without-research", world.cohort) == 3  # all but the overdue fellow's research mentor
    assert _count(html, "without-clinical", world.cohort) == 4
    for key in ("overdue", "waiting-requests", "invitations", "held-posts"):
        assert _count(html, key, world.cohort) == 1, key
    assert f"/cockpit/not-ranked?cohort={world.cohort}&amp;round={world.round}" in html
    assert "1 of 2 fellows ranked" in html and "1 mentor" in html


@pytest.mark.parametrize("key", LISTS)
def test_every_list_matches_its_number_and_links_its_people(app, world, login, key):
    client = login(app.test_client(), world.director)
    cockpit = _main(client.get(f"/programs/{world.program}/cockpit").get_data(as_text=True))
    page = client.get(f"/programs/{world.program}/cockpit/{key}?cohort={world.cohort}")
    assert page.status_code == 200
    html = _main(page.get_data(as_text=True))
    rows = html.count('<tr>') - 1  # the header row
    if key in ("not-ranked", "not-reviewed"):
        assert rows == 1
    else:
        assert rows == _count(cockpit, key, world.cohort)
    expected = {"without-research": world.lonely, "overdue": world.overdue_mentor,
                "waiting-requests": world.waiting_mentor,
                "not-ranked": world.unranked, "not-reviewed": world.reviewer, "held-posts": world.lonely}
    if key in expected:
        assert f'<a href="/members/{expected[key].id}">{expected[key].name}</a>' in html
    if key == "overdue":  # both members of the mentorship
        assert f'<a href="/members/{world.overdue_fellow.id}">' in html
    if key == "invitations":
        assert "invited.cockpit-program@example.org" in html
    assert world.past_fellow.name not in html
    assert ("Remind all" in html) is (key != "held-posts")


def test_a_list_without_a_class_shows_every_current_class(app, world, login):
    client = login(app.test_client(), world.director)
    html = _main(client.get(f"/programs/{world.program}/cockpit/without-research").get_data(as_text=True))
    assert world.lonely.name in html and world.past_fellow.name not in html


def test_bad_list_arguments_get_clear_answers(app, world, login, make_user):
    client = login(app.test_client(), world.director)
    base = f"/programs/{world.program}/cockpit"
    assert client.get(f"{base}/no-such-list").status_code == 404
    assert world.lonely.name in client.get(f"{base}/without-research?cohort=abc").get_data(as_text=True)  # ignored
    assert client.get(f"{base}/overdue?cohort={world.graduated}").status_code == 404  # not a current class
    other = cockpit_world.build(app, make_user, slug="elsewhere", name="Elsewhere Program")
    assert client.get(f"{base}/overdue?cohort={other.cohort}").status_code == 404  # another program's class


def test_another_programs_staff_get_404_on_every_cockpit_url(app, world, login, make_user):
    other = cockpit_world.build(app, make_user, slug="elsewhere", name="Elsewhere Program")
    client = login(app.test_client(), other.director)
    base = f"/programs/{world.program}/cockpit"
    assert client.get(base).status_code == 404
    for key in LISTS:
        assert client.get(f"{base}/{key}?cohort={world.cohort}").status_code == 404, key
        assert client.post(f"{base}/{key}/remind", data={"target": "all"}).status_code == 404, key
    # Their own cockpit never shows the first program's people.
    html = _main(client.get("/").get_data(as_text=True))
    assert "Elsewhere Program: cockpit" in html and "Cockpit Program" not in html


def test_staff_of_several_programs_choose_a_cockpit(app, world, login, make_user):
    from network.programs.models import ProgramStaff

    other = cockpit_world.build(app, make_user, slug="second", name="Second Program")
    with app.app_context():
        db.session.add(ProgramStaff(program_id=other.program, user_id=world.director.id, role="coordinator"))
        db.session.commit()
    html = _main(login(app.test_client(), world.director).get("/").get_data(as_text=True))
    assert f'href="/programs/{world.program}/cockpit"' in html and f'href="/programs/{other.program}/cockpit"' in html


def test_fellows_and_mentors_keep_their_home(app, world, login):
    html = login(app.test_client(), world.lonely).get("/").get_data(as_text=True)
    assert ": cockpit" not in _main(html) and "Remind all" not in html
    assert login(app.test_client(), world.lonely).get(f"/programs/{world.program}/cockpit").status_code == 403


def test_the_cockpit_costs_the_same_queries_for_a_big_program(app, world, login, count_queries):
    client = login(app.test_client(), world.director)
    url = f"/programs/{world.program}/cockpit"
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    with app.app_context():
        fellows = _rows.members(300, role="fellow", prefix="Many")
        now = utcnow()
        db.session.execute(insert(CohortMembership), [
            {"cohort_id": world.cohort, "user_id": f, "role": "fellow", "joined_at": now} for f in fellows])
        db.session.execute(insert(Mentorship), [
            {"mentee_id": f, "mentor_id": world.overdue_mentor.id, "type": "career", "status": "active",
             "started_at": now, "cadence_days": 30, "length_months": 12, "expectations": "", "closing_comment": ""}
            for f in fellows])
        db.session.commit()
    with count_queries() as large:
        html = client.get(url).get_data(as_text=True)
    assert len(large) == len(small) <= 12
    assert _count(html, "without-research", world.cohort) == 303
    assert _count(html, "without-career", world.cohort) == 4


def test_the_cockpit_and_its_lists_are_valid_pages(app, world, login, make_user):
    from network.programs.models import ProgramStaff
    from tests.html_checks import check_page

    client = login(app.test_client(), world.director)
    pages = [client.get(f"/programs/{world.program}/cockpit")]
    pages += [client.get(f"/programs/{world.program}/cockpit/{key}") for key in LISTS]
    pages.append(client.post(f"/programs/{world.program}/cockpit/overdue/remind",
                             data={"target": "all", "note": "Call John Smith, MRN 12345678."}))
    other = cockpit_world.build(app, make_user, slug="second", name="Second Program")
    with app.app_context():
        db.session.add(ProgramStaff(program_id=other.program, user_id=world.director.id, role="coordinator"))
        db.session.commit()
    pages.append(client.get("/"))  # the choice between two programs
    for page in pages:
        assert page.status_code in (200, 400)
        assert check_page(page.get_data()) == [], page.request.path
