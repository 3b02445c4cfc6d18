"""One rule for "runs this program": its staff (``ProgramStaff``). A faculty member taken off a program's
staff keeps their place as a faculty advisor of its cohort (a member: the cohort's category, the mentor
pool) but loses every power of running it: the matching rounds' preview, runs, overrides, publishing and
export, and moderation of the cohort's discussion category."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from network.discussions.models import CategoryVisibility, Post, Thread
from network.discussions.services import categories, flags, posting
from network.extensions import db
from network.matching.models import MatchingRun, RunStatus
from network.members.models import User
from network.programs.models import Cohort, CohortMembership, CohortRole, Program, ProgramStaff
from network.types import utcnow


@pytest.fixture
def program(app, make_user):
    """A program whose director is its staff and a faculty advisor of its current class (two fellows), an
    alumna of the class before, and the class's category with a fellow's thread that a classmate flagged."""
    director, fellow, alumna = make_user(role="faculty", name="Dr. Director"), make_user(), make_user(role="alumni")
    classmate, admin = make_user(), make_user(role="admin")
    with app.test_request_context():
        program = Program(slug="northbridge", name="Northbridge Pain Fellowship", institution="Northbridge")
        db.session.add(program)
        db.session.flush()
        current = Cohort(program_id=program.id, name="Class of 2027", start_date=date(2026, 7, 1),
                         end_date=date(2027, 6, 30))
        past = Cohort(program_id=program.id, name="Class of 2026", start_date=date(2025, 7, 1),
                      end_date=date(2026, 6, 30), graduated_at=utcnow())
        db.session.add_all([current, past])
        db.session.flush()
        staff = ProgramStaff(program_id=program.id, user_id=director.id, role="director")
        db.session.add_all([staff, CohortMembership(cohort_id=current.id, user_id=director.id, role=CohortRole.FACULTY),
                            CohortMembership(cohort_id=current.id, user_id=fellow.id, role=CohortRole.FELLOW),
                            CohortMembership(cohort_id=current.id, user_id=classmate.id, role=CohortRole.FELLOW),
                            CohortMembership(cohort_id=past.id, user_id=alumna.id, role=CohortRole.FELLOW)])
        category = categories.save_category(None, None, name="Class of 2027", description="",
                                            visibility=CategoryVisibility.COHORT, cohort_id=current.id,
                                            holds_phi_matches=False)
        thread, post = posting.start_thread(db.session.get(User, fellow.id), category, "Rota swaps",
                                            "Who swaps Friday?")
        flags.flag_post(db.session.get(User, classmate.id), post, "Wrong place")
        db.session.commit()
        return {"id": program.id, "staff_id": staff.id, "cohort": current.id, "director": director,
                "fellow": fellow, "alumna": alumna, "admin": admin, "thread": thread.id, "post": post.id}


def take_off_staff(app, login, world):
    """The administrator removes the director from the program's staff, through the admin page."""
    response = login(app.test_client(), world["admin"]).post(
        f"/admin/programs/{world['id']}/staff/{world['staff_id']}/remove", data={"confirm": "yes"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ProgramStaff.id).where(ProgramStaff.user_id == world["director"].id)) is None
        assert db.session.scalar(select(CohortMembership.role).where(
            CohortMembership.user_id == world["director"].id)) == CohortRole.FACULTY


def a_round_with_a_run(app, login, world):
    director = login(app.test_client(), world["director"])
    deadline = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    response = director.post("/matching/new", data={
        "title": "Research mentors 2027", "cohorts": [str(world["cohort"])], "type": "research",
        "algorithm": "stable", "deadline": deadline, "max_choices": "5"})
    assert response.status_code == 302, response.data
    round_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert login(app.test_client(), world["alumna"]).post(f"/matching/{round_id}/pool",
                                                          data={"pool-capacity": "1"}).status_code == 302
    assert director.post(f"/matching/{round_id}/runs").status_code == 302
    with app.app_context():
        run_id = db.session.scalar(select(MatchingRun.id).where(MatchingRun.round_id == round_id))
        assert db.session.get(MatchingRun, run_id).status == RunStatus.DONE
    return director, round_id, run_id


def round_management(round_id: int, run_id: int, fellow_id: int, mentor_id: int):
    """Every request that runs a round, as (method, URL, form)."""
    return [("GET", f"/matching/{round_id}/preview", None),
            ("POST", f"/matching/{round_id}/runs", {}),
            ("GET", f"/matching/{round_id}/runs/{run_id}/status", None),
            ("GET", f"/matching/{round_id}/runs/{run_id}/export.csv", None),
            ("POST", f"/matching/{round_id}/overrides",
             {"override-fellow": str(fellow_id), "override-mentor": str(mentor_id), "override-kind": "pin"}),
            ("GET", f"/matching/{round_id}/runs/{run_id}/publish", None),
            ("POST", f"/matching/{round_id}/publish", {"run_id": str(run_id), "confirm": "yes", "close_early": "yes"})]


def test_faculty_taken_off_staff_can_no_longer_run_their_programs_rounds(app, login, program):
    director, round_id, run_id = a_round_with_a_run(app, login, program)
    requests = round_management(round_id, run_id, program["fellow"].id, program["alumna"].id)
    # While on staff, the director previews and exports (the rest would change the round), and reads the
    # program's entries in the audit log.
    assert director.get(requests[0][1]).status_code == 200
    assert director.get(requests[3][1]).status_code == 200
    assert "matching.round_opened" in director.get("/admin/audit").text

    take_off_staff(app, login, program)
    former = login(app.test_client(), program["director"])
    for method, url, form in requests:
        assert former.open(url, method=method, data=form).status_code == 403, url
    # Nothing changed: one run, no mentorship published, no override added.
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(MatchingRun)
                                 .where(MatchingRun.round_id == round_id)) == 1
        assert db.session.get(MatchingRun, run_id).status == RunStatus.DONE
    # Still an advisor of the cohort: the round's own page (the mentor's view), no longer the preview.
    page = former.get(f"/matching/{round_id}")
    assert page.status_code == 200 and f"/matching/{round_id}/preview" not in page.text
    index = former.get("/matching/").text
    assert "Research mentors 2027" in index and "Rounds you run" not in index
    # Opening rounds, the cohort's pages and the program's audit entries are for program staff.
    assert former.get("/matching/new").status_code == 403
    cohort = program["cohort"]
    for url in (f"/cohorts/{cohort}", f"/cohorts/{cohort}/dashboard", f"/cohorts/{cohort}/roster.csv",
                "/programs/northbridge"):
        assert former.get(url).status_code == 404, url
    assert "matching.round_opened" not in former.get("/admin/audit").text
    # The administrator still runs the round.
    assert login(app.test_client(), program["admin"]).get(requests[0][1]).status_code == 200


def test_staff_of_another_program_cannot_see_or_run_the_round(app, login, program, make_user):
    _, round_id, run_id = a_round_with_a_run(app, login, program)
    other = make_user(role="faculty")
    with app.app_context():
        elsewhere = Program(slug="elsewhere", name="Elsewhere Fellowship", institution="Elsewhere")
        db.session.add(elsewhere)
        db.session.flush()
        db.session.add(ProgramStaff(program_id=elsewhere.id, user_id=other.id, role="director"))
        db.session.commit()
    client = login(app.test_client(), other)
    for method, url, form in round_management(round_id, run_id, program["fellow"].id, program["alumna"].id):
        assert client.open(url, method=method, data=form).status_code == 404, url
    assert client.get(f"/matching/{round_id}").status_code == 404


def test_faculty_taken_off_staff_no_longer_moderate_the_cohort_category(app, login, program):
    thread, post = program["thread"], program["post"]
    director = login(app.test_client(), program["director"])
    assert director.post(f"/discussions/t/{thread}/pin", data={"value": "on"}).status_code == 302
    assert "Wrong place" in director.get("/discussions/moderation").text

    take_off_staff(app, login, program)
    former = login(app.test_client(), program["director"])
    # A member of the cohort still reads its category and thread...
    assert former.get(f"/discussions/t/{thread}").status_code == 200
    # ...but pins, locks, moves, edits and removes nothing in it, and its flags leave their queue.
    assert former.post(f"/discussions/t/{thread}/pin", data={"value": "off"}).status_code == 403
    assert former.post(f"/discussions/t/{thread}/lock", data={"value": "on"}).status_code == 403
    assert former.get(f"/discussions/t/{thread}/move").status_code == 403
    assert former.get(f"/discussions/p/{post}/edit").status_code == 403
    assert former.post(f"/discussions/p/{post}/remove").status_code == 403
    assert "Wrong place" not in former.get("/discussions/moderation").text
    with app.app_context():
        saved = db.session.get(Thread, thread)
        assert saved.pinned and not saved.locked
        assert db.session.get(Post, post).removed_at is None
