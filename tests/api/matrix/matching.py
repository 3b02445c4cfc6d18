"""``/api/v1/matching-rounds``: as the matching preview pages answer each role.

``prepare`` opens a round for a cohort of a program the matrix's faculty member directs (and advises), with the
matrix's fellow in it, the alumna in its pool, a pin and a finished run. Ex-staff was taken off the program's
staff but still advises the cohort: they may mentor in the round, so they know it and are refused its management
(403), as on its preview page; the other program's director may not know it exists (404); the fellow and the
alumna take part and are refused (403). Listing the rounds one runs is for faculty and administrators.
"""

from __future__ import annotations

from tests.matrix.common import staff_history


def runs(ok):
    return {"fellow": 403, "alumni": 403, "faculty": ok, "ex_staff": 403, "other_staff": 404, "admin": ok}


ROUND = {"round_id": "@round_id"}
RUN = {"round_id": "@round_id", "run_id": "@run_id"}

ROUTES = {
    ("api_matching_rounds.rounds", "GET"): ({}, None, {"fellow": 403, "alumni": 403, "faculty": 200,
                                                       "ex_staff": 200, "other_staff": 200, "admin": 200}),
    ("api_matching_rounds.round_status", "GET"): (ROUND, None, runs(200)),
    ("api_matching_rounds.runs", "GET"): (ROUND, None, runs(200)),
    ("api_matching_rounds.run_preview", "GET"): (RUN, None, runs(200)),
    ("api_matching_rounds.export", "GET"): (RUN, None, runs(200)),
}


def prepare(app, people, make_user):
    from datetime import date, timedelta

    from network.extensions import db
    from network.matching.models import Override, OverrideKind, Participant, Side
    from network.matching.services.lifecycle import open_round
    from network.matching.services.runs import start_run
    from network.members.models import User
    from network.programs.models import Cohort, CohortMembership, CohortRole, Program, ProgramStaff
    from network.types import utcnow

    with app.app_context(), app.test_request_context():
        program = Program(slug="api-matrix-matching", name="API Matrix Matching", institution="Matrix Hospital")
        db.session.add(program)
        db.session.flush()
        current = Cohort(program_id=program.id, name="Class of 2027", start_date=date(2026, 7, 1),
                         end_date=date(2027, 6, 30))
        past = Cohort(program_id=program.id, name="Class of 2026", start_date=date(2025, 7, 1),
                      end_date=date(2026, 6, 30), graduated_at=utcnow())
        db.session.add_all([current, past])
        db.session.flush()
        staff_history(people.get("ex_staff"), program.id, current.id)
        db.session.add_all([
            ProgramStaff(program_id=program.id, user_id=people["faculty"].id, role="director"),
            CohortMembership(cohort_id=current.id, user_id=people["faculty"].id, role=CohortRole.FACULTY),
            CohortMembership(cohort_id=current.id, user_id=people["fellow"].id, role=CohortRole.FELLOW),
            CohortMembership(cohort_id=past.id, user_id=people["alumni"].id, role=CohortRole.FELLOW)])
        db.session.flush()
        director = db.session.get(User, people["faculty"].id)
        matching_round = open_round(director, title="API matrix round", mentoring_type="research",
                                    algorithm="stable", deadline=utcnow() + timedelta(days=7), max_choices=5,
                                    cohorts=[current])
        db.session.add(Participant(round_id=matching_round.id, user_id=people["alumni"].id, side=Side.MENTOR,
                                   capacity=2))
        db.session.flush()
        db.session.add(Override(round_id=matching_round.id, fellow_id=people["fellow"].id,
                                mentor_id=people["alumni"].id, kind=OverrideKind.PIN))
        run = start_run(matching_round, director)
        db.session.commit()
        return {"round_id": matching_round.id, "run_id": run.id}
