"""A fellow's "My class": classmates linked to their profiles, the mentors the fellow may see (their own,
never a classmate's), the class's category, and the dates ahead; a kind page without a class; fellows only;
a query count that does not grow with the class."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from network.discussions.models import Category
from network.extensions import db
from network.matching.models import MatchingRound, Participant
from network.mentorship.models import Goal, Mentorship, MentorshipRequest
from network.programs.models import Cohort, CohortMembership, CohortRole
from network.types import utcnow
from tests.html_checks import check_page
from tests.test_programs import make_program


def a_class(app, make_user):
    """A current class of three fellows: the viewer (a research mentor, a goal, a waiting request and an open
    round of the class), a classmate with a clinical mentor, and one with none; another class's round."""
    today = date.today()
    setup = make_program(app, make_user, slug="my-class", fellows=3, cohort_name="Class of Now",
                         start=today - timedelta(days=100), end=today + timedelta(days=200))
    viewer, classmate, quiet = setup["fellows"]
    own = make_user(role="alumni", name="Dr. Own Mentor")
    hidden = make_user(role="faculty", name="Dr. Hidden Mentor")
    asked = make_user(role="alumni", name="Dr. Asked Mentor")
    advisor = make_user(role="faculty", name="Dr. Class Advisor")
    now = utcnow()
    with app.app_context():
        other = Cohort(program_id=setup["program"], name="Class of Later", start_date=today,
                       end_date=today + timedelta(days=500))
        db.session.add_all([other, Category(slug="class-of-now", name="Class of Now talk", visibility="cohort",
                                            cohort_id=setup["cohort"]),
                            CohortMembership(cohort_id=setup["cohort"], user_id=advisor.id, role=CohortRole.FACULTY)])
        mine = Mentorship(mentee_id=viewer.id, mentor_id=own.id, type="research", started_at=now - timedelta(days=40),
                          last_met_on=today - timedelta(days=10), cadence_days=30)
        db.session.add_all([mine, Mentorship(mentee_id=classmate.id, mentor_id=hidden.id, type="clinical",
                                             started_at=now)])
        db.session.flush()
        db.session.add_all([Goal(mentorship_id=mine.id, title="Submit the abstract", due_on=today + timedelta(days=20)),
                            MentorshipRequest(mentee_id=viewer.id, mentor_id=asked.id, type="career",
                                              created_at=now - timedelta(days=4))])
        rounds = {}
        for title, cohort, status in (("Wellness round", setup["cohort"], "open"),
                                      ("Published round", setup["cohort"], "published"),
                                      ("Other class round", other.id, "open")):
            rounds[title] = MatchingRound(title=title, type="wellness", algorithm="stable", status=status,
                                          deadline=now + timedelta(days=7))
            rounds[title].cohorts = [db.session.get(Cohort, cohort)]
            db.session.add(rounds[title])
        db.session.flush()
        db.session.add(Participant(round_id=rounds["Wellness round"].id, user_id=viewer.id, side="fellow"))
        db.session.commit()
        return {**setup, "viewer": viewer, "classmate": classmate, "round": rounds["Wellness round"].id,
                "own": own, "mentorship": mine.id}


def test_my_class_shows_classmates_my_mentors_the_category_and_dates_ahead(app, make_user, login):
    setup = a_class(app, make_user)
    page = login(app.test_client(), setup["viewer"]).get("/my-class")
    assert page.status_code == 200
    assert not check_page(page.data)
    html = page.get_data(as_text=True)
    for fellow in setup["fellows"]:
        assert f'href="/members/{fellow.id}">{fellow.name}</a>' in html
    assert f'href="/members/{setup["own"].id}">Dr. Own Mentor</a>' in html
    assert "Dr. Class Advisor" in html and 'href="/discussions/c/class-of-now"' in html
    today = date.today()
    deadlines = html[html.index('id="deadlines"'):]
    expected = [(today + timedelta(days=7), "Ranking deadline: Wellness round", f"/matching/{setup['round']}"),
                (today + timedelta(days=10), "Your request to Dr. Asked Mentor expires", "/mentorship/requests"),
                (today + timedelta(days=20), "Next meeting with Dr. Own Mentor", f"/mentorship/{setup['mentorship']}"),
                (today + timedelta(days=20), "Goal due: Submit the abstract", f"/mentorship/{setup['mentorship']}"),
                (today + timedelta(days=200), "Class of Now ends", None)]
    positions = []
    for day, words, link in expected:
        at = deadlines.index(f'<time datetime="{day.isoformat()}"')
        assert words in deadlines[at:at + 400], words
        if link:
            assert f'href="{link}' in deadlines[at:at + 400], link
        positions.append(at)
    assert positions == sorted(positions)
    assert "Published round" not in html and "Other class round" not in html


def test_a_classmates_mentor_stays_hidden(app, make_user, login):
    setup = a_class(app, make_user)
    html = login(app.test_client(), setup["viewer"]).get("/my-class").get_data(as_text=True)
    assert "Dr. Hidden Mentor" not in html and "Not shown" in html
    # The classmate sees their own mentor, and not the viewer's.
    html = login(app.test_client(), setup["classmate"]).get("/my-class").get_data(as_text=True)
    assert "Dr. Hidden Mentor" in html and "Dr. Own Mentor" not in html
    # Program staff see both on the cohort dashboard: the rule hides them from classmates only.
    dashboard = login(app.test_client(), setup["director"]).get(f"/cohorts/{setup['cohort']}/dashboard")
    assert "Dr. Hidden Mentor" in dashboard.get_data(as_text=True)


def test_a_fellow_without_a_current_class_is_told_kindly(app, make_user, login):
    loner = make_user(role="fellow")
    page = login(app.test_client(), loner).get("/my-class")
    assert page.status_code == 200 and not check_page(page.data)
    assert "You are not in a current class yet" in page.get_data(as_text=True)
    graduated = make_program(app, make_user, slug="graduated", fellows=1, start=date(2020, 7, 1),
                             end=date(2021, 6, 30))
    page = login(app.test_client(), graduated["fellows"][0]).get("/my-class")
    assert "You are not in a current class yet" in page.get_data(as_text=True)


def test_my_class_is_for_fellows(app, make_user, login):
    for role in ("alumni", "faculty", "admin"):
        member = make_user(role=role)
        client = login(app.test_client(), member)
        assert client.get("/my-class").status_code == 403, role
        assert 'href="/my-class"' not in client.get("/").get_data(as_text=True), role
    fellow = make_user(role="fellow")
    assert 'href="/my-class"' in login(app.test_client(), fellow).get("/").get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_my_class_costs_the_same_queries_for_5_and_200_classmates(app, make_user, login, count_queries):
    from tests.budget import _rows

    setup = a_class(app, make_user)

    def grow(extra):
        _rows.fellows_in(setup["cohort"], extra, "Classmate")
        db.session.execute(insert(Goal), [{"mentorship_id": setup["mentorship"], "title": f"Goal {n}",
                                           "due_on": date.today()} for n in range(extra)])

    counts = _rows.counts_as_rows_grow(app, login(app.test_client(), setup["viewer"]), "/my-class", count_queries,
                                       grow)
    assert counts[0] == counts[1] <= 12, counts
