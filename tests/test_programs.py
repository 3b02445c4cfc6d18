"""Programs and their staff: who manages what. Faculty of one program get 404 on every page and
export of another; admins manage all; creating a cohort puts it in the program."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from network.extensions import db
from network.programs.models import Cohort, CohortMembership, CohortRole, Program, ProgramStaff
from tests.html_checks import check_page


def make_program(app, make_user, *, slug="test-program", director=None, fellows=0, name=None,
                 cohort_name="Class of 2027", start=date(2026, 7, 1), end=date(2027, 6, 30)):
    """A program with a director (made unless given), one cohort and ``fellows`` fellows in it.

    Returns plain values: ``{"program", "slug", "cohort", "director", "fellows": [members]}``."""
    director = director or make_user(role="faculty", name=f"Dr. Director {slug}")
    members = [make_user(role="fellow", name=f"Dr. Fellow {n:03d} {slug}", email=f"f{n}.{slug}@example.org")
               for n in range(fellows)]
    with app.app_context():
        program = Program(slug=slug, name=name or f"Program {slug}", institution=f"Hospital {slug}")
        db.session.add(program)
        db.session.flush()
        cohort = Cohort(program_id=program.id, name=cohort_name, start_date=start, end_date=end)
        db.session.add(cohort)
        db.session.flush()
        db.session.add(ProgramStaff(program_id=program.id, user_id=director.id, role="director"))
        db.session.add_all([CohortMembership(cohort_id=cohort.id, user_id=m.id, role=CohortRole.FELLOW)
                            for m in members])
        db.session.commit()
        return {"program": program.id, "slug": slug, "cohort": cohort.id, "director": director, "fellows": members}


def cohort_urls(cohort_id: int) -> list[str]:
    return [f"/cohorts/{cohort_id}", f"/cohorts/{cohort_id}/dashboard", f"/cohorts/{cohort_id}/import",
            f"/cohorts/{cohort_id}/charts/coverage.svg", f"/cohorts/{cohort_id}/roster.csv",
            f"/cohorts/{cohort_id}/mentorships.csv", f"/cohorts/{cohort_id}/graduate"]


def test_faculty_of_one_program_cannot_reach_another(app, make_user, login):
    a = make_program(app, make_user, slug="program-a", fellows=1)
    b = make_program(app, make_user, slug="program-b", fellows=1)
    client = login(app.test_client(), a["director"])
    for url in cohort_urls(a["cohort"]) + ["/programs/program-a"]:
        assert client.get(url).status_code == 200, url
    for url in cohort_urls(b["cohort"]) + ["/programs/program-b"]:
        assert client.get(url).status_code == 404, url
    for url in [f"/cohorts/{b['cohort']}/invitations", f"/cohorts/{b['cohort']}/graduate",
                f"/cohorts/{b['cohort']}/import", "/programs/program-b/cohorts"]:
        assert client.post(url, data={}).status_code == 404, url
    listing = client.get("/programs/").get_data(as_text=True)
    assert "Program program-a" in listing and "Program program-b" not in listing


def test_fellows_of_the_program_get_403_on_its_management_pages(app, make_user, login):
    a = make_program(app, make_user, slug="program-a", fellows=1)
    client = login(app.test_client(), a["fellows"][0])
    for url in cohort_urls(a["cohort"]) + ["/programs/", "/programs/program-a", "/admin/audit"]:
        assert client.get(url).status_code == 403, url


def test_admin_manages_every_program(app, make_user, login):
    a = make_program(app, make_user, slug="program-a")
    admin = make_user(role="admin")
    client = login(app.test_client(), admin)
    for url in cohort_urls(a["cohort"]):
        assert client.get(url).status_code == 200, url


def test_faculty_creates_a_cohort_in_their_program(app, make_user, login):
    a = make_program(app, make_user, slug="program-a")
    client = login(app.test_client(), a["director"])
    page = client.get("/programs/program-a")
    assert not check_page(page.data)
    response = client.post("/programs/program-a/cohorts", data={
        "cohort-name": "Class of 2028", "cohort-start_date": "2027-07-01", "cohort-end_date": "2028-06-30"})
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.scalars(select(Cohort).where(Cohort.name == "Class of 2028")).one()
        assert cohort.program_id == a["program"]
        advisor = db.session.scalars(select(CohortMembership).where(CohortMembership.cohort_id == cohort.id)).one()
        assert advisor.user_id == a["director"].id and advisor.role == CohortRole.FACULTY
    assert response.headers["Location"] == f"/cohorts/{cohort.id}"
    again = client.post("/programs/program-a/cohorts", data={
        "cohort-name": "class of 2028", "cohort-start_date": "2027-07-01", "cohort-end_date": "2028-06-30"})
    assert again.status_code == 409 and b"already has a cohort" in again.data
    backwards = client.post("/programs/program-a/cohorts", data={
        "cohort-name": "Class of 2029", "cohort-start_date": "2029-07-01", "cohort-end_date": "2028-06-30"})
    assert backwards.status_code == 400 and b"must end after it starts" in backwards.data


def test_a_new_cohort_has_its_private_discussion_category_at_once(app, make_user, login):
    """Programs announce a new class (``signals.cohort_created``); discussions open its category, whoever
    created the class: the program page's form or the service called directly (an import, the CLI)."""
    from network.discussions.models import Category, CategoryVisibility
    from network.members.models import User
    from network.programs import services

    a = make_program(app, make_user, slug="program-a")
    client = login(app.test_client(), a["director"])
    client.post("/programs/program-a/cohorts", data={
        "cohort-name": "Class of 2028", "cohort-start_date": "2027-07-01", "cohort-end_date": "2028-06-30"})
    with app.app_context():
        program = db.session.get(Program, a["program"])
        cohort = services.create_cohort(program, "Class of 2029", date(2028, 7, 1), date(2029, 6, 30),
                                        db.session.get(User, a["director"].id))
        db.session.commit()
        assert cohort.name == "Class of 2029"
        categories = db.session.execute(select(Cohort.name, Category.name, Category.visibility)
                                        .join(Category, Category.cohort_id == Cohort.id)
                                        .where(Cohort.name.in_(["Class of 2028", "Class of 2029"]))
                                        .order_by(Cohort.name)).all()
    assert categories == [
        ("Class of 2028", "Program program-a: Class of 2028", CategoryVisibility.COHORT),
        ("Class of 2029", "Program program-a: Class of 2029", CategoryVisibility.COHORT)]


def test_admin_creates_a_program_and_names_its_director(app, make_user, login):
    admin = make_user(role="admin")
    director = make_user(role="faculty", email="director@example.org")
    fellow = make_user(role="fellow", email="a.fellow@example.org")
    client = login(app.test_client(), admin)
    assert not check_page(client.get("/admin/programs/").data)
    created = client.post("/admin/programs/", data={"program-name": "Harbor Pain Fellowship",
                                                    "program-institution": "Harbor General",
                                                    "program-specialty_id": "0", "program-city": "Seattle, WA",
                                                    "program-description": ""})
    assert created.status_code == 302
    with app.app_context():
        program = db.session.scalars(select(Program).where(Program.name == "Harbor Pain Fellowship")).one()
    page = client.get(f"/admin/programs/{program.id}")
    assert page.status_code == 200 and not check_page(page.data)
    refused = client.post(f"/admin/programs/{program.id}/staff",
                          data={"staff-email": fellow.email, "staff-role": "faculty"})
    assert refused.status_code == 409
    added = client.post(f"/admin/programs/{program.id}/staff", data={"staff-email": director.email,
                                                                      "staff-role": "director"})
    assert added.status_code == 302
    director_client = login(app.test_client(), director)
    assert director_client.get(f"/programs/{program.slug}").status_code == 200
    duplicate = client.post("/admin/programs/", data={"program-name": "harbor pain fellowship",
                                                      "program-institution": "Elsewhere", "program-specialty_id": "0"})
    assert duplicate.status_code == 409
