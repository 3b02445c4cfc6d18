"""A member's academic CV (PDF, Word, Markdown) and a program's scholarly activity export for ADS, with the
cohort dashboard's scholarly tiles."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import docx
import pypdf
import pytest
from sqlalchemy import select

from network.extensions import db
from network.members.models import User
from network.profiles.models import AcademicRank, Profile
from network.programs.models import Cohort, CohortMembership, CohortRole, ProgramStaff
from network.scholarly.models import AuthorConfirmation, ScholarlyAuthor, ScholarlyItem, academic_year_of
from network.scholarly_exports import pdf
from network.scholarly_exports.references import Author, Reference, names_member
from network.taxonomy.models import BoardCertification, Specialty
from tests.html_checks import check_page
from tests.test_programs import make_program

YEAR = academic_year_of(date.today())
IN_YEAR = date(YEAR, 9, 15)
LAST_YEAR = date(YEAR - 1, 9, 2)


def add_item(app, owner, title, *, kind="article", status="published", published_on=IN_YEAR, pmid="",
             visibility="members", authors=None, created_at=None, **fields) -> int:
    """An item of ``owner`` with author lines ``authors`` (``[(name, member id or None, confirmation)]``;
    by default the owner's name alone, linked to them)."""
    with app.app_context():
        item = ScholarlyItem(owner_id=owner.id, kind=kind, status=status, title=title, published_on=published_on,
                             pmid=pmid, visibility=visibility, **fields)
        if created_at is not None:
            item.created_at = created_at
        db.session.add(item)
        db.session.flush()
        for position, (name, member_id, confirmation) in enumerate(authors or [(owner.name, owner.id, None)], 1):
            db.session.add(ScholarlyAuthor(item_id=item.id, position=position, name=name, member_id=member_id,
                                           confirmation=confirmation))
        db.session.commit()
        return item.id


def faculty_with_history(app, make_user):
    """A faculty member who trained as a fellow of the program, now directs it, with a full profile."""
    setup = make_program(app, make_user, slug="cv-program", name="Pain Medicine Fellowship")
    member = make_user(role="faculty", name="Alex Rivera", email="alex.rivera@example.org")
    with app.app_context():
        old = Cohort(program_id=setup["program"], name="Class of 2019", start_date=date(2018, 7, 1),
                     end_date=date(2019, 6, 30), graduated_at=datetime(2019, 6, 30, tzinfo=UTC))
        db.session.add(old)
        db.session.flush()
        certification = BoardCertification(slug="cv-test-pain", name="ABA Pain Medicine (test)")
        specialty = db.session.scalars(select(Specialty).order_by(Specialty.id)).first()
        db.session.add_all([certification,
                            CohortMembership(cohort_id=old.id, user_id=member.id, role=CohortRole.FELLOW),
                            ProgramStaff(program_id=setup["program"], user_id=member.id, role="coordinator")])
        profile = Profile(user_id=member.id, institution="Riverside Medical Center", title="Attending physician",
                          academic_rank=AcademicRank.ASSOCIATE, city="Boston", country="US",
                          primary_specialty_id=specialty.id if specialty else None)
        profile.certifications = [certification]
        db.session.add(profile)
        db.session.commit()
    return member, setup


def _sections_in_order(text: str, headings: list[str]) -> bool:
    positions = [text.casefold().find(heading.casefold()) for heading in headings]  # the PDF prints them in capitals
    return all(p >= 0 for p in positions) and positions == sorted(positions)


def test_cv_pdf_holds_the_name_the_sections_in_order_and_every_title(app, make_user, login):
    member, _ = faculty_with_history(app, make_user)
    co_author = make_user(role="fellow", name="Bea Okafor")
    add_item(app, member, "Genicular nerve ablation outcomes", volume="27", issue="3", pages="101-9",
             doi="10.1093/pm/pnab001", pmid="38123456",
             authors=[("Okafor B", co_author.id, AuthorConfirmation.PENDING), ("Rivera A", member.id, None)])
    add_item(app, member, "Ultrasound anatomy of the stellate ganglion", kind="poster", status="presented",
             venue="ASRA Pain Medicine Meeting")
    client = login(app.test_client(), member)
    response = client.get("/members/me/cv.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="Alex Rivera CV.pdf"'
    assert response.headers["Cache-Control"] == "private, no-store"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Alex Rivera" in text and "alex.rivera@example.org" in text
    assert _sections_in_order(text, ["Education and training", "Positions", "Board certifications",
                                     "Peer-reviewed articles", "Posters"])
    assert "Genicular nerve ablation outcomes" in text and "Ultrasound anatomy of the stellate ganglion" in text
    assert "PMID: 38123456" in text and "doi:10.1093/pm/pnab001" in text.replace("doi: ", "doi:")
    assert "Fellowship, Pain Medicine Fellowship" in text and "Class of 2019" in text
    assert "Associate professor" in text and "Program coordinator" in text and "ABA Pain Medicine (test)" in text
    assert reader.metadata.title == "Alex Rivera CV"


def test_cv_word_document_bolds_the_members_own_name(app, make_user, login):
    member, _ = faculty_with_history(app, make_user)
    add_item(app, member, "Radiofrequency ablation in practice",
             authors=[("Chen L", None, None), ("Rivera AM", None, None)])  # imported: no line linked to them
    response = login(app.test_client(), member).get("/members/me/cv.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="Alex Rivera CV.docx"'
    document = docx.Document(io.BytesIO(response.data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Education and training", "Positions", "Board certifications", "Peer-reviewed articles"]
    citation = next(p for p in document.paragraphs if "Radiofrequency ablation in practice" in p.text)
    bold = [run.text for run in citation.runs if run.bold]
    assert bold == ["Rivera AM"]
    assert citation.text.startswith("Chen L, Rivera AM. Radiofrequency ablation in practice.")


def test_cv_markdown_is_readable_text_with_markup_escaped(app, make_user, login):
    member = make_user(role="fellow", name="Sam Lee")
    other = make_user(role="alumni", name="Pat Gold")
    add_item(app, member, "Opioid tapering *after* spine surgery", kind="case_report", venue="Pain Rep",
             authors=[("Lee S", member.id, None)])
    add_item(app, other, "A co-authored review", kind="review",
             authors=[("Gold P", other.id, None), ("Lee S", member.id, AuthorConfirmation.CONFIRMED)])
    add_item(app, other, "Not confirmed yet", authors=[("Lee S", member.id, AuthorConfirmation.PENDING)])
    add_item(app, other, "Someone else's article")
    response = login(app.test_client(), member).get("/members/me/cv.md")
    assert response.status_code == 200 and response.mimetype == "text/markdown"
    text = response.get_data(as_text=True)
    assert text.startswith("# Sam Lee\n")
    assert "## Reviews" in text and "## Case reports" in text and text.index("## Reviews") < text.index("## Case")
    assert "1. **Lee S**. Opioid tapering \\*after\\* spine surgery. Pain Rep." in text
    assert "Gold P, **Lee S**. A co-authored review." in text
    assert "Not confirmed yet" not in text and "Someone else's article" not in text


def test_cv_is_only_ever_ones_own_and_only_in_the_offered_formats(app, make_user, login):
    member = make_user(role="alumni", name="Kim Park")
    add_item(app, make_user(role="alumni", name="Other Person"), "Private work of another member")
    client = login(app.test_client(), member)
    assert "Private work" not in client.get("/members/me/cv.md").get_data(as_text=True)
    assert client.get("/members/me/cv.exe").status_code == 404
    assert app.test_client().get("/members/me/cv.pdf").status_code == 302  # to sign in


def test_cv_queries_do_not_grow_with_the_record(app, make_user, login, count_queries):
    member, _ = faculty_with_history(app, make_user)
    client = login(app.test_client(), member)
    client.get("/members/me/cv.md")  # the session's first request notes the sign-in
    counts = []
    for extra in (2, 30):
        for n in range(extra):
            add_item(app, member, f"Item {extra}-{n}", kind=("article", "poster", "grant")[n % 3])
        with count_queries() as queries:
            assert client.get("/members/me/cv.md").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_citation_style_and_name_matching():
    article = Reference(kind="article", status="accepted", title="A title", authors=(Author("Rivera AM", True),),
                       venue="Pain Med", published_on=date(2026, 3, 4), volume="27", issue="3", pages="1-9")
    assert article.plain() == "Rivera AM. A title. Pain Med. 2026 Mar 4;27(3):1-9. Accepted."
    poster = Reference(kind="poster", status="presented", title="Why?", authors=(), venue="ASRA",
                      published_on=date(2026, 4, 1))
    assert poster.plain() == "Why? Presented at ASRA; 2026 Apr 1."
    assert names_member("Rivera, A. M.", "Dr. Alex Rivera") and names_member("Álex Rivera", "Alex Rivera")
    assert not names_member("Rivera B", "Alex Rivera") and not names_member("Riviera A", "Alex Rivera")


def ads_setup(app, make_user):
    setup = make_program(app, make_user, slug="ads-program", fellows=2, start=date(YEAR, 7, 1),
                         end=date(YEAR + 1, 6, 30))
    fellow, other_fellow = setup["fellows"]
    entered_now = datetime.now(UTC)
    ids = {
        "clean": add_item(app, fellow, "Clean article in the year", pmid="39000001"),
        "outside": add_item(app, fellow, "Entered this year, dated last year", published_on=LAST_YEAR,
                            pmid="39000002", created_at=entered_now),
        "no_pmid": add_item(app, other_fellow, "=HYPERLINK(\"http://x\") article without a PMID"),
        "poster": add_item(app, setup["director"], "Faculty poster", kind="poster", status="presented"),
        "draft": add_item(app, fellow, "Still in preparation", status="in_preparation"),
        "private": add_item(app, other_fellow, "Kept private", visibility="private"),
        "old": add_item(app, setup["director"], "Old and entered long ago", published_on=LAST_YEAR,
                        created_at=datetime(YEAR - 1, 9, 2, tzinfo=UTC)),
    }
    return setup, ids


def test_ads_page_flags_out_of_year_and_missing_pmid_and_leaves_out_hidden_items(app, make_user, login):
    setup, _ = ads_setup(app, make_user)
    client = login(app.test_client(), setup["director"])
    page = client.get(f"/programs/ads-program/scholarly-activity?year={YEAR}")
    assert page.status_code == 200
    assert not check_page(page.data)
    html = page.get_data(as_text=True)
    assert f"academic year {YEAR}–{YEAR + 1}" in html
    assert "4 items · 1 dated outside the year · 1 without a PMID" in html
    assert "1 more item of these people in the year is not listed because its owner keeps it from you." in html
    for title in ("Clean article in the year", "Entered this year, dated last year", "Faculty poster"):
        assert title in html
    for title in ("Still in preparation", "Kept private", "Old and entered long ago"):
        assert title not in html
    headings = re.findall(r'<h2 class="h5" id="person-\d+">([^<]+) <small', html)
    assert headings == ["Dr. Fellow 000 ads-program", "Dr. Fellow 001 ads-program", "Dr. Director ads-program"]


def test_ads_csv_rows_flags_and_no_formulas(app, make_user, login):
    setup, _ = ads_setup(app, make_user)
    client = login(app.test_client(), setup["director"])
    response = client.get(f"/programs/ads-program/scholarly-activity.csv?year={YEAR}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="ads-program-scholarly-activity-{YEAR}-{YEAR + 1}.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_title = {row["title"]: row for row in rows}
    assert len(rows) == 4
    clean = by_title["Clean article in the year"]
    assert clean["flags"] == "" and clean["pmid"] == "39000001" and clean["role"] == "Fellow"
    assert by_title["Entered this year, dated last year"]["flags"] == "dated outside the year"
    assert by_title["Entered this year, dated last year"]["date"] == LAST_YEAR.isoformat()
    injected = next(row for row in rows if "HYPERLINK" in row["title"])
    assert injected["title"].startswith("'=") and injected["flags"] == "no PMID"
    assert by_title["Faculty poster"]["role"] == "Faculty" and by_title["Faculty poster"]["flags"] == ""
    # Last year: the director's item of that year; the fellows' class had not started.
    last = client.get(f"/programs/ads-program/scholarly-activity.csv?year={YEAR - 1}").get_data(as_text=True)
    assert "Old and entered long ago" in last and "Clean article" not in last


def test_ads_export_is_404_for_another_programs_staff_and_bad_years_get_400(app, make_user, login):
    setup, _ = ads_setup(app, make_user)
    stranger = make_program(app, make_user, slug="elsewhere")["director"]
    client = login(app.test_client(), stranger)
    for url in ("/programs/ads-program/scholarly-activity", "/programs/ads-program/scholarly-activity.csv",
                f"/programs/ads-program/scholarly-activity?year={YEAR}", "/programs/no-such/scholarly-activity"):
        assert client.get(url).status_code == 404, url
    fellow = login(app.test_client(), setup["fellows"][0])
    assert fellow.get("/programs/ads-program/scholarly-activity").status_code == 403
    director = login(app.test_client(), setup["director"])
    bad = director.get("/programs/ads-program/scholarly-activity?year=1800")
    assert bad.status_code == 400 and "Choose one of the academic years" in bad.get_data(as_text=True)
    assert director.get("/programs/ads-program/scholarly-activity.csv?year=abc").status_code == 400


def test_dashboard_tiles_count_fellows_with_output_and_items_by_kind(app, make_user, login):
    setup = make_program(app, make_user, slug="tiles", fellows=3, start=date(YEAR, 7, 1), end=date(YEAR + 1, 6, 30))
    first, second, third = setup["fellows"]
    add_item(app, first, "Accepted poster", kind="poster", status="accepted")
    add_item(app, first, "Presented talk", kind="podium", status="presented")
    add_item(app, second, "Submitted article", status="submitted")
    add_item(app, third, "Private presented poster", kind="poster", status="presented", visibility="private")
    add_item(app, third, "Last year's talk", kind="podium", status="presented", published_on=LAST_YEAR,
             created_at=datetime(YEAR - 1, 9, 2, tzinfo=UTC))
    client = login(app.test_client(), setup["director"])
    html = client.get(f"/cohorts/{setup['cohort']}/dashboard").get_data(as_text=True)
    assert '<p class="display-6 mb-1" id="scholarly-share">1 of 3 fellows</p>' in html and "(33%)" in html
    assert '<th scope="row">Posters</th><td>1</td>' in html
    assert '<th scope="row">Podium presentations</th><td>1</td>' in html
    assert '<th scope="row">Peer-reviewed articles</th><td>1</td>' in html
    assert "(3 in all)" in html
    chart = client.get(f"/cohorts/{setup['cohort']}/charts/scholarly.svg")
    assert chart.status_code == 200 and "Podium presentations" in chart.get_data(as_text=True)


def test_cv_links_on_own_profile_and_account(app, make_user, login):
    member = make_user(role="fellow")
    client = login(app.test_client(), member)
    with app.app_context():
        db.session.add(Profile(user_id=member.id))
        db.session.commit()
        assert db.session.get(User, member.id)
    for url in (f"/members/{member.id}", "/auth/account"):
        assert "/members/me/cv.pdf" in client.get(url).get_data(as_text=True), url
    other = make_user(role="fellow")
    assert "/members/me/cv.pdf" not in client.get(f"/members/{other.id}").get_data(as_text=True)


def test_ads_page_queries_do_not_grow_with_people_or_items(app, make_user, login, count_queries):
    setup, _ = ads_setup(app, make_user)
    client = login(app.test_client(), setup["director"])
    url = f"/programs/ads-program/scholarly-activity?year={YEAR}"
    client.get(url)  # the session's first request notes the sign-in
    counts = []
    for grow in (1, 20):
        fellows = [make_user(role="fellow") for _ in range(grow)]
        with app.app_context():
            db.session.add_all([CohortMembership(cohort_id=setup["cohort"], user_id=f.id, role=CohortRole.FELLOW)
                                for f in fellows])
            db.session.commit()
        for fellow in fellows:
            add_item(app, fellow, "Grown item")
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8, counts


def test_the_pdf_renderer_fetches_nothing_but_inline_data():
    fetcher = pdf.fetcher()
    for url in ("http://example.org/logo.png", "https://example.org/font.woff2", "file:///etc/passwd",
                "ftp://example.org/x"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
