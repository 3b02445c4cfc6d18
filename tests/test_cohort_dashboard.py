"""The cohort dashboard: coverage, overdue flags, activity by month and ratings as SVG charts with
the same numbers in tables; filters; CSV exports without notes; a constant query budget."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import insert

from network.cohorts.dashboard import month_keys
from network.discussions.models import Category, Post, Thread
from network.extensions import db
from network.members.models import MemberStatus, Role, User
from network.mentorship.models import Meeting, Mentorship, MentorshipRequest, MentorshipStatus
from network.programs.models import CohortMembership, CohortRole
from network.types import utcnow
from tests.html_checks import check_page
from tests.test_programs import make_program


def add_mentoring(app, setup, mentor):
    """Fellow 0: an active research mentorship, met 10 days ago, rated earlier; fellow 1: an overdue
    clinical one; fellow 2: nothing. Plus a request and a post this month."""
    today = date.today()
    fellows = setup["fellows"]
    with app.app_context():
        on_track = Mentorship(mentee_id=fellows[0].id, mentor_id=mentor.id, type="research",
                              started_at=utcnow() - timedelta(days=90), last_met_on=today - timedelta(days=10))
        overdue = Mentorship(mentee_id=fellows[1].id, mentor_id=mentor.id, type="clinical",
                             started_at=utcnow() - timedelta(days=200), last_met_on=today - timedelta(days=80))
        closed = Mentorship(mentee_id=fellows[0].id, mentor_id=mentor.id, type="career",
                            status=MentorshipStatus.COMPLETED, started_at=utcnow() - timedelta(days=300),
                            ended_at=utcnow() - timedelta(days=30), rating=4,
                            closing_comment="SECRET CLOSING COMMENT")
        db.session.add_all([on_track, overdue, closed])
        db.session.flush()
        db.session.add(Meeting(mentorship_id=on_track.id, author_id=fellows[0].id, met_on=today - timedelta(days=10),
                               minutes=30, mode="video", notes="SECRET MEETING NOTES"))
        db.session.add(MentorshipRequest(mentee_id=fellows[2].id, mentor_id=mentor.id, type="wellness"))
        category = Category(slug="general-test", name="General", visibility="members")
        db.session.add(category)
        db.session.flush()
        thread = Thread(category_id=category.id, author_id=fellows[2].id, title="Hello")
        db.session.add(thread)
        db.session.flush()
        db.session.add(Post(thread_id=thread.id, author_id=fellows[2].id, body="Hi", body_html="<p>Hi</p>"))
        db.session.commit()


def test_dashboard_shows_coverage_overdue_activity_and_ratings(app, make_user, login):
    setup = make_program(app, make_user, fellows=3)
    add_mentoring(app, setup, make_user(role="alumni", name="Dr. Mentor"))
    client = login(app.test_client(), setup["director"])
    page = client.get(f"/cohorts/{setup['cohort']}/dashboard")
    assert page.status_code == 200
    assert not check_page(page.data)
    html = page.get_data(as_text=True)
    assert "3 fellows · 1 without any mentor · 1 with an overdue mentorship" in html
    assert "<th scope=\"row\">Research</th><td>1</td><td>2</td>" in html
    assert "<th scope=\"row\">Clinical / procedural</th><td>1</td><td>2</td>" in html
    this_month = date.today().strftime("%Y-%m")
    assert f"<th scope=\"row\">{this_month}</th><td>1</td>" in html  # the request this month
    assert "<th scope=\"row\">Career</th><td>4.0</td><td>1</td>" in html
    assert "SECRET" not in html
    for name in ("coverage", "fellows", "activity", "discussions", "ratings"):
        assert f"/cohorts/{setup['cohort']}/charts/{name}.svg" in html
        chart = client.get(f"/cohorts/{setup['cohort']}/charts/{name}.svg")
        assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
        svg = chart.get_data(as_text=True)
        assert svg.startswith("<svg") and "<script" not in svg
        assert "script-src" not in chart.headers["Content-Security-Policy"]
    assert client.get(f"/cohorts/{setup['cohort']}/charts/nope.svg").status_code == 404


def test_filters_keep_fellows_needing_attention(app, make_user, login):
    setup = make_program(app, make_user, fellows=3)
    add_mentoring(app, setup, make_user(role="alumni"))
    client = login(app.test_client(), setup["director"])
    names = [f.name for f in setup["fellows"]]
    attention = client.get(f"/cohorts/{setup['cohort']}/dashboard?attention=1").get_data(as_text=True)
    table = attention[attention.index('id="fellow-table"'):]
    assert names[0] not in table and names[1] in table and names[2] in table
    research = client.get(f"/cohorts/{setup['cohort']}/dashboard?type=research").get_data(as_text=True)
    table = research[research.index('id="fellow-table"'):]
    assert names[0] not in table and names[1] in table
    assert client.get(f"/cohorts/{setup['cohort']}/dashboard?type=astrology").status_code == 400


def test_exports_list_the_roster_and_mentorships_without_private_text(app, make_user, login):
    setup = make_program(app, make_user, fellows=3)
    add_mentoring(app, setup, make_user(role="alumni", name="=HYPERLINK(\"evil\")"))
    client = login(app.test_client(), setup["director"])
    roster = client.get(f"/cohorts/{setup['cohort']}/roster.csv")
    assert roster.mimetype == "text/csv" and "attachment" in roster.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(roster.get_data(as_text=True))))
    assert rows[0][:3] == ["name", "email", "role in cohort"] and len(rows) == 4
    mentorships = client.get(f"/cohorts/{setup['cohort']}/mentorships.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(mentorships)))
    assert len(rows) == 4 and "SECRET" not in mentorships
    overdue_row = next(r for r in rows if r[1] == "clinical")
    assert overdue_row[7] == "yes"
    assert all(r[2].startswith("'=") for r in rows[1:])  # a formula-looking name cannot run in a spreadsheet


def test_month_keys_cross_the_year():
    assert month_keys(date(2026, 2, 10), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def grow_cohort(app, setup, count: int, mentor_id: int):
    """Bulk-add ``count`` fellows with an active mentorship, a meeting and a request each."""
    from network.members.models import User as U

    now = utcnow()
    with app.app_context():
        start = db.session.scalar(db.select(db.func.max(U.id))) + 1
        db.session.execute(insert(User), [
            {"id": start + n, "email": f"bulk{start + n}@example.org", "name": f"Bulk Fellow {n}", "role": Role.FELLOW,
             "status": MemberStatus.VERIFIED, "password_hash": "x", "session_version": 1, "created_at": now,
             "updated_at": now} for n in range(count)])
        db.session.execute(insert(CohortMembership), [
            {"cohort_id": setup["cohort"], "user_id": start + n, "role": CohortRole.FELLOW, "joined_at": now}
            for n in range(count)])
        db.session.execute(insert(Mentorship), [
            {"mentee_id": start + n, "mentor_id": mentor_id, "type": "research", "status": "active",
             "started_at": now, "cadence_days": 30, "length_months": 12, "expectations": "", "closing_comment": ""}
            for n in range(count)])
        db.session.execute(insert(MentorshipRequest), [
            {"mentee_id": start + n, "mentor_id": mentor_id, "type": "research", "message": "", "status": "pending",
             "response_note": "", "created_at": now} for n in range(count)])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("SELECT setval('user_id_seq', (SELECT max(id) FROM \"user\"))"))
            db.session.commit()


@pytest.mark.parametrize("path", ["/cohorts/{id}/dashboard", "/cohorts/{id}", "/cohorts/{id}/charts/coverage.svg",
                                  "/cohorts/{id}/mentorships.csv"])
def test_query_budget_is_the_same_for_5_and_500_fellows(app, make_user, login, count_queries, path):
    setup = make_program(app, make_user, fellows=0)
    mentor = make_user(role="alumni")
    client = login(app.test_client(), setup["director"])
    url = path.format(id=setup["cohort"])
    client.get("/")  # the first request of a session writes last_seen
    counts = []
    for size in (5, 495):
        grow_cohort(app, setup, size, mentor.id)
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12, counts
