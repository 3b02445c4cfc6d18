"""The annual program evaluation pack: its numbers for a small known program, ratings withheld below three,
the academic year's boundaries, the CSV file and the workbook holding the page's numbers, who may open it,
and a query count that does not grow with the program."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from network.discussions.models import Category, Post, Thread
from network.evaluation.years import AcademicYear, choosable_years, default_year, year_or_none
from network.extensions import db
from network.mentorship.models import Meeting, Mentorship, MentorshipStatus
from network.opportunities.models import Opportunity, OpportunityStatus
from network.programs.models import Cohort, CohortMembership, CohortRole
from tests.html_checks import check_page
from tests.test_programs import make_program

YEAR = 2025  # 1 July 2025 to 30 June 2026


def at(year, month, day, hour=12, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class Tables(HTMLParser):
    """The page's tables as ``{id: [[header cells], [row cells], ...]}`` (cells as the page shows them)."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self._table, self._row, self._cell = {}, None, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id"), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def known_program(app, make_user):
    """A program whose 2025–26 is known: one cohort in the year (4 fellows), one before and one after it,
    mentorships, meetings, closings and posts on both sides of the year's edges, an alumnus's postings."""
    setup = make_program(app, make_user, slug="known", fellows=4, cohort_name="Class of 2026",
                         start=date(2025, 7, 1), end=date(2026, 6, 30))
    mentor = make_user(role="alumni", name="Dr. Mentor Known")
    alumnus = make_user(role="alumni", name="Dr. Alumna Known")
    faculty = make_user(role="faculty", name="Dr. Faculty Poster")
    f0, f1, f2, f3 = setup["fellows"]
    with app.app_context():
        earlier = Cohort(program_id=setup["program"], name="Class of 2025", start_date=date(2024, 7, 1),
                         end_date=date(2025, 6, 30), graduated_at=at(2025, 6, 30))
        later = Cohort(program_id=setup["program"], name="Class of 2027", start_date=date(2026, 7, 1),
                       end_date=date(2027, 6, 30))
        db.session.add_all([earlier, later])
        db.session.flush()
        db.session.add(CohortMembership(cohort_id=earlier.id, user_id=alumnus.id, role=CohortRole.FELLOW))

        def mentorship(mentee, kind, started, ended=None, status=MentorshipStatus.ACTIVE, rating=None):
            m = Mentorship(mentee_id=mentee.id, mentor_id=mentor.id, type=kind, status=status, started_at=started,
                           ended_at=ended, rating=rating, cadence_days=30, closing_comment="SECRET COMMENT")
            db.session.add(m)
            db.session.flush()
            return m

        steady = mentorship(f0, "research", at(2025, 7, 1, 0))
        for month in [7, 8, 9, 10, 11, 12]:
            db.session.add(Meeting(mentorship_id=steady.id, met_on=date(2025, month, 15), minutes=30, mode="video"))
        for month in range(1, 7):
            db.session.add(Meeting(mentorship_id=steady.id, met_on=date(2026, month, 15), minutes=30, mode="video"))
        db.session.add(Meeting(mentorship_id=steady.id, met_on=date(2026, 7, 1), minutes=30, mode="video"))
        short = mentorship(f1, "research", at(2025, 9, 1, 0), at(2026, 3, 1, 0), MentorshipStatus.COMPLETED, 5)
        for day in (date(2025, 9, 20), date(2025, 11, 20)):
            db.session.add(Meeting(mentorship_id=short.id, met_on=day, minutes=30, mode="phone"))
        # Closed an hour before the year began (30 June, UTC): last year's, however late in the day.
        mentorship(f1, "clinical", at(2024, 1, 1), at(2025, 6, 30, 23), MentorshipStatus.COMPLETED, 1)
        # Closed half an hour into 1 July: this year's.
        mentorship(f2, "career", at(2025, 1, 1), at(2025, 7, 1, 0, 30), MentorshipStatus.COMPLETED, 4)
        # Ended early in the year's last minute, rated 3: the third rating, added by ``third_rating``.
        category = Category(slug="known-class", name="Class of 2026 (known)", visibility="cohort",
                            cohort_id=setup["cohort"])
        elsewhere = Category(slug="elsewhere", name="Elsewhere", visibility="members")
        db.session.add_all([category, elsewhere])
        db.session.flush()
        inside = Thread(category_id=category.id, author_id=f0.id, title="Board review", created_at=at(2025, 10, 1))
        outside = Thread(category_id=category.id, author_id=f2.id, title="Summer", created_at=at(2026, 7, 2))
        other = Thread(category_id=elsewhere.id, author_id=f3.id, title="Other", created_at=at(2025, 10, 1))
        db.session.add_all([inside, outside, other])
        db.session.flush()
        for thread, author, when, extra in [
                (inside, f0, at(2025, 10, 1), {}), (inside, f1, at(2025, 10, 2), {}),
                (inside, f0, at(2026, 6, 30, 23), {}), (inside, f3, at(2025, 10, 3), {"held": True}),
                (inside, f2, at(2025, 10, 4), {"removed_at": at(2025, 10, 5)}),
                (outside, f2, at(2026, 7, 2), {}), (other, f3, at(2025, 10, 1), {})]:
            db.session.add(Post(thread_id=thread.id, author_id=author.id, body="Hi", body_html="<p>Hi</p>",
                                created_at=when, **extra))

        def opportunity(poster, kind, created, **extra):
            db.session.add(Opportunity(poster_id=poster.id, kind=kind, title=f"{kind} by {poster.name}",
                                       created_at=created, **extra))

        opportunity(alumnus, "job", at(2025, 7, 1, 0))
        opportunity(alumnus, "research", at(2026, 6, 30, 23))
        opportunity(alumnus, "conference", at(2026, 7, 1, 0))
        opportunity(alumnus, "job", at(2025, 6, 30, 23))
        opportunity(alumnus, "job", at(2025, 9, 1), status=OpportunityStatus.REMOVED)
        opportunity(faculty, "job", at(2025, 9, 1))
        opportunity(f0, "research", at(2025, 9, 1))
        db.session.commit()
    return {**setup, "mentor": mentor, "alumnus": alumnus}


def third_rating(app, setup):
    with app.app_context():
        db.session.add(Mentorship(mentee_id=setup["fellows"][3].id, mentor_id=setup["mentor"].id, type="wellness",
                                  status=MentorshipStatus.ENDED, started_at=at(2025, 8, 1, 0),
                                  ended_at=at(2026, 6, 30, 23, 59), rating=3, cadence_days=30))
        db.session.commit()


def pack_page(client, setup, year=YEAR):
    page = client.get(f"/programs/{setup['program']}/evaluation/{year}")
    assert page.status_code == 200
    return page


def test_the_pack_counts_a_known_program_and_withholds_fewer_than_three_ratings(app, make_user, login):
    setup = known_program(app, make_user)
    client = login(app.test_client(), setup["director"])
    page = pack_page(client, setup)
    assert not check_page(page.data)
    html = page.get_data(as_text=True)
    tables = Tables(html).tables
    # Only the cohort whose dates overlap the year; 4 fellows; the clinical mentorship closed before it.
    assert tables["table-coverage-1"][1:] == [
        ["Class of 2026", "Research", "4", "2", "50.0"], ["Class of 2026", "Clinical / procedural", "4", "0", "0.0"],
        ["Class of 2026", "Career", "4", "1", "25.0"], ["Class of 2026", "Wellness", "4", "0", "0.0"]]
    # steady: 12 of 12 planned (365 days / 30), on schedule; short: 2 of 6 (181 days), behind; the career
    # one closed 30 minutes into the year: 0 of 0, on schedule. The meeting of 1 July 2026 is next year's.
    assert tables["table-meetings-1"][1:] == [["Class of 2026", "3", "14", "18", "77.8", "2", "66.7"]]
    assert tables["table-ratings-1"][1:] == [["Completed", "2"], ["Ended early", "0"], ["All closed", "2"]]
    assert "table-ratings-2" not in tables and "ratings-withheld" in html
    assert "no one's rating can be singled out" in html.replace("&#39;", "'")
    opportunities = dict(tables["table-opportunities-1"][1:])
    assert opportunities["Job"] == "1" and opportunities["Research collaboration"] == "1"
    assert opportunities["Conference"] == "0" and opportunities["All kinds"] == "2"
    assert tables["table-discussions-1"][1:] == [["Class of 2026 (known)", "1", "3", "2"],
                                                 ["All the program's categories", "1", "3", "2"]]
    assert "SECRET COMMENT" not in html
    assert html.count('src="data:image/svg+xml;base64,') == 4  # coverage, meetings, opportunities, discussions

    third_rating(app, setup)
    tables = Tables(pack_page(client, setup).get_data(as_text=True)).tables
    assert tables["table-ratings-1"][1:] == [["Completed", "2"], ["Ended early", "1"], ["All closed", "3"]]
    assert tables["table-ratings-2"][1:] == [["Ratings", "3"], ["Average (1 to 5)", "4.0"]]
    assert tables["table-ratings-3"][1:] == [["1", "0"], ["2", "0"], ["3", "1"], ["4", "1"], ["5", "1"]]


def test_the_edges_of_the_academic_year():
    assert AcademicYear.of(date(2026, 6, 30)) == AcademicYear(2025)
    assert AcademicYear.of(date(2026, 7, 1)) == AcademicYear(2026)
    year = AcademicYear(2025)
    assert (year.first_day, year.last_day, year.label) == (date(2025, 7, 1), date(2026, 6, 30), "2025–26")
    assert year.starts_at == datetime(2025, 7, 1, tzinfo=UTC) and year.ends_before == datetime(2026, 7, 1, tzinfo=UTC)
    assert default_year(date(2026, 12, 3)) == AcademicYear(2025)
    assert default_year(date(2026, 6, 30)) == AcademicYear(2024)
    assert [y.start_year for y in choosable_years(date(2026, 7, 1), 3)] == [2026, 2025, 2024]
    assert year_or_none(2027, date(2026, 7, 1)) is None and year_or_none(1999, date(2026, 7, 1)) is None


def test_each_year_counts_what_happened_on_its_side_of_1_july(app, make_user, login):
    setup = known_program(app, make_user)
    third_rating(app, setup)
    client = login(app.test_client(), setup["director"])
    earlier = Tables(pack_page(client, setup, 2024).get_data(as_text=True)).tables
    # The clinical mentorship closed at 23:00 UTC on 30 June 2025: 2024–25's, with its alumnus's job.
    assert earlier["table-ratings-1"][1:] == [["Completed", "1"], ["Ended early", "0"], ["All closed", "1"]]
    assert dict(earlier["table-opportunities-1"][1:])["Job"] == "1"
    assert [row[0] for row in earlier["table-coverage-1"][1:]] == ["Class of 2025"] * 4
    later = Tables(pack_page(client, setup, 2026).get_data(as_text=True)).tables
    assert dict(later["table-opportunities-1"][1:])["Conference"] == "1"
    assert later["table-discussions-1"][1:][-1] == ["All the program's categories", "1", "1", "1"]


def _page_rows(tables: dict) -> list[list[str]]:
    """Every row of the pack's tables, in the page's order."""
    return [row for key, rows in tables.items() if key and key.startswith(("table-", "results-")) for row in rows]


def _value(cell):
    """A cell as the page shows it, numbers as numbers (a workbook gives 50.0 back as 50)."""
    if cell in (None, "", "—"):
        return "—"
    try:
        return float(cell)
    except ValueError:
        return str(cell)


def _values(rows) -> list[list]:
    return [[_value(cell) for cell in row] for row in rows]


def _file_rows(rows) -> list[list]:
    """The table rows of an export (a header or data row has several cells)."""
    return _values(row for row in rows if len([c for c in row if c not in (None, "")]) > 1)


def test_the_csv_file_and_the_workbook_hold_the_page_numbers(app, make_user, login):
    setup = known_program(app, make_user)
    third_rating(app, setup)
    with app.app_context():
        db.session.get(Category, db.session.scalar(db.select(Category.id).where(Category.slug == "known-class"))) \
            .name = '=HYPERLINK("http://evil.example","Class")'
        db.session.commit()
    client = login(app.test_client(), setup["director"])
    page_tables = Tables(pack_page(client, setup).get_data(as_text=True)).tables
    expected = _page_rows(page_tables)
    expected = _values([cell.replace("=HYPERLINK", "'=HYPERLINK") for cell in row] for row in expected)

    response = client.get(f"/programs/{setup['program']}/evaluation/{YEAR}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="known-evaluation-2025-26.csv"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    table_rows = _file_rows(rows)
    # The heading rows (program, institution, year) come first; then the same tables, row for row.
    assert table_rows[3:] == expected
    assert any(row[:1] == ["'=HYPERLINK(\"http://evil.example\",\"Class\")"] for row in rows)

    response = client.get(f"/programs/{setup['program']}/evaluation/{YEAR}.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Pack", "Mentoring coverage by cohort", "Meeting regularity by cohort",
                               "Ratings of closed mentorships", "Opportunities posted by alumni", "Discussion activity",
                               "Alumni outcome surveys"]
    sheet_rows = [list(row) for name in book.sheetnames[1:] for row in book[name].iter_rows(values_only=True)]
    assert _file_rows(sheet_rows) == expected
    assert book["Mentoring coverage by cohort"]["E6"].value == 50  # numbers stay numbers
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)


def test_ratings_withheld_on_the_page_are_withheld_in_the_files(app, make_user, login):
    setup = known_program(app, make_user)
    client = login(app.test_client(), setup["director"])
    text = client.get(f"/programs/{setup['program']}/evaluation/{YEAR}.csv").get_data(as_text=True)
    assert "Average (1 to 5)" not in text and "Fewer than 3 mentorships" in text
    book = load_workbook(io.BytesIO(client.get(f"/programs/{setup['program']}/evaluation/{YEAR}.xlsx").data))
    values = [v for row in book["Ratings of closed mentorships"].iter_rows(values_only=True) for v in row if v]
    assert "Average (1 to 5)" not in values and any(str(v).startswith("Fewer than 3") for v in values)


def pack_urls(program_id: int) -> list[str]:
    return [f"/programs/{program_id}/evaluation", f"/programs/{program_id}/evaluation?year=2025",
            f"/programs/{program_id}/evaluation/{YEAR}", f"/programs/{program_id}/evaluation/{YEAR}.csv",
            f"/programs/{program_id}/evaluation/{YEAR}.xlsx"]


def test_only_the_program_staff_and_admins_open_the_pack(app, make_user, login):
    mine = make_program(app, make_user, slug="mine", fellows=1)
    other = make_program(app, make_user, slug="other", fellows=1)
    admin = make_user(role="admin")
    fellow, alumnus = mine["fellows"][0], make_user(role="alumni")
    for url in pack_urls(other["program"]):
        assert login(app.test_client(), mine["director"]).get(url).status_code == 404, url
    for url in pack_urls(mine["program"]):
        assert login(app.test_client(), mine["director"]).get(url).status_code in (200, 302), url
        assert login(app.test_client(), admin).get(url).status_code in (200, 302), url
        assert login(app.test_client(), fellow).get(url).status_code == 403, url
        assert login(app.test_client(), alumnus).get(url).status_code == 403, url
    client = login(app.test_client(), mine["director"])
    chosen = client.get(f"/programs/{mine['program']}/evaluation")
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith(
        f"/evaluation/{default_year(date.today()).start_year}")
    assert client.get(f"/programs/{mine['program']}/evaluation/99999").status_code == 404


@pytest.mark.parametrize("url, status, words", [
    ("/evaluation/1999", 404, "choose a year from 2000–01"),
    ("/evaluation/2999", 404, "There is no evaluation pack"),
    ("/evaluation/2999.csv", 404, "There is no evaluation pack"),
    ("/evaluation/99999999999", 404, ""),
    ("/evaluation?year=abc", 400, "such as 2025 for 2025–26"),
    ("/evaluation?year=２０２５", 400, "such as 2025"),
])
def test_a_bad_year_is_a_clear_404_or_400(app, make_user, login, url, status, words):
    setup = make_program(app, make_user, slug="years")
    response = login(app.test_client(), setup["director"]).get(f"/programs/{setup['program']}{url}")
    assert response.status_code == status
    assert words in response.get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_pack_costs_the_same_queries_for_5_and_200_fellows(app, make_user, login, count_queries):
    from sqlalchemy import insert

    from tests.budget import _rows

    setup = known_program(app, make_user)

    def grow(extra):
        fellows = _rows.fellows_in(setup["cohort"], extra, "Packed")
        db.session.execute(insert(Mentorship), [
            {"mentee_id": f, "mentor_id": setup["mentor"].id, "type": "career", "status": "active",
             "started_at": at(2025, 8, 1), "cadence_days": 30, "length_months": 12, "expectations": "",
             "closing_comment": ""} for f in fellows])

    counts = _rows.counts_as_rows_grow(app, login(app.test_client(), setup["director"]),
                                       f"/programs/{setup['program']}/evaluation/{YEAR}", count_queries, grow)
    assert counts[0] == counts[1] <= 12, counts


def test_the_pack_shows_survey_results_per_class_only_for_groups_of_three(app, make_user, login):
    from tests.surveys.helpers import answer, build

    world = build(app, make_user, {2024: 2, 2025: 4, 2026: 1})
    for year, alumni in world.alumni.items():
        for member in alumni:
            answer(app, world.survey, member, satisfaction=5 if year == 2024 else 3)
    this_year = AcademicYear.of(date.today()).start_year
    client = login(app.test_client(), world.director)
    response = client.get(f"/programs/{world.program}/evaluation/{this_year}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tables = Tables(html).tables
    # The Class of 2024's 2 answers join the Class of 2025's 4; the Class of 2026's 1 joins them too (a small
    # remainder joins the group before it): one group of 7, and no figure for any class alone.
    assert tables["results-summary"][1][:3] == ["Classes of 2024–2026", "7", "3.6"]
    assert len(tables["results-summary"]) == 2
    assert "Class of 2024</th>" not in html
    rows = list(csv.reader(io.StringIO(client.get(
        f"/programs/{world.program}/evaluation/{this_year}.csv").get_data(as_text=True))))
    assert ["Classes of 2024–2026", "7", "3.6", "0", "0", "5", "0", "2", "1.0", "7", "2.0"] in rows


def test_the_pack_withholds_survey_figures_of_fewer_than_three_alumni(app, make_user, login):
    from tests.surveys.helpers import answer, build

    world = build(app, make_user, {2025: 2})
    for member in world.alumni[2025]:
        answer(app, world.survey, member, satisfaction=1)
    this_year = AcademicYear.of(date.today()).start_year
    client = login(app.test_client(), world.director)
    html = client.get(f"/programs/{world.program}/evaluation/{this_year}").get_data(as_text=True)
    assert "Fewer than 3 alumni of the class of 2025 have answered" in html
    assert "results-summary" not in html
    csv_text = client.get(f"/programs/{world.program}/evaluation/{this_year}.csv").get_data(as_text=True)
    assert "Fewer than 3 alumni of the class of 2025 have answered" in csv_text
    assert "Mean satisfaction" not in csv_text
