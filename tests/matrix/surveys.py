"""Access rows for the alumni outcome surveys.

The prepared program is directed by the matrix's administrator (so its pages show the director's free text);
its former staff member, the director of another program and a faculty member who runs no program get 404 on
every page of it, fellows and alumni 403. The matrix's alumnus is a graduate of the program, sent the survey:
their answer page is theirs alone (404 for everyone else), and a link with a token that is not theirs is 404."""

from __future__ import annotations

from tests.matrix.cohorts import staff
from tests.matrix.common import LOGIN, PENDING, everyone, staff_history

PROGRAM = {"program_id": "@survey_program"}
SURVEY = {"survey_id": "@survey"}


def invitee(outcome, get=True):
    """The alumnus's own answer page: theirs, and 404 for every other member."""
    return {**everyone(404), "anonymous": LOGIN, "pending": PENDING if get else 403, "alumni": outcome}


ROUTES = {
    ("surveys.index", "GET"): (PROGRAM, staff(200)),
    ("surveys.create", "GET"): (PROGRAM, staff(200)),
    # The prepared program's survey is open: a second one is refused (409) until it closes.
    ("surveys.create", "POST"): (PROGRAM, staff(409, get=False)),
    ("surveys.show", "GET"): (SURVEY, staff(200)),
    ("surveys.send", "POST"): (SURVEY, staff(400, get=False)),
    ("surveys.close", "POST"): (SURVEY, staff("→@survey_url", get=False)),
    ("surveys.results_page", "GET"): (SURVEY, staff(200)),
    ("surveys.chart", "GET"): ({**SURVEY, "name": "settings"}, staff(200)),
    ("surveys.follow_link", "GET"): ({"token": "not-a-token"}, invitee(404)),
    ("surveys.answer", "GET"): (SURVEY, invitee(200)),
    ("surveys.answer", "POST"): (SURVEY, invitee(400, get=False)),
}


def prepare(app, people, make_user):
    """A program with a graduated class (the matrix's alumnus among its graduates) and an open survey sent to it."""
    from datetime import UTC, date, datetime

    from network.extensions import db
    from network.members.models import User
    from network.programs.models import Cohort, CohortMembership, CohortRole, Program, ProgramStaff
    from network.surveys import services

    with app.app_context():
        program = Program(slug="survey-matrix", name="Survey Matrix Program", institution="Matrix Hospital")
        db.session.add(program)
        db.session.flush()
        cohort = Cohort(program_id=program.id, name="Class of 2025", start_date=date(2024, 7, 1),
                        end_date=date(2025, 6, 30), graduated_at=datetime(2025, 6, 30, tzinfo=UTC))
        db.session.add(cohort)
        db.session.flush()
        admin = db.session.get(User, people["admin"].id) if "admin" in people else None
        if admin is not None:
            db.session.add(ProgramStaff(program_id=program.id, user_id=admin.id, role="director"))
        if "alumni" in people:
            db.session.add(CohortMembership(cohort_id=cohort.id, user_id=people["alumni"].id, role=CohortRole.FELLOW))
        staff_history(people.get("ex_staff"), program.id, cohort.id)
        db.session.flush()
        director = admin or User(email="survey.director@example.org", name="Dr. Survey", role="faculty",
                                 password_hash="x")
        survey = services.create_survey(program, director, title="Outcomes", intro="", at_one_year=True,
                                        at_three_years=False)
        services.send_to_class(survey, cohort, director)
        db.session.commit()
        return {"survey_program": program.id, "survey": survey.id, "survey_cohort": cohort.id,
                "survey_url": f"/surveys/{survey.id}"}
