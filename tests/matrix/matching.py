"""Access rows for matching rounds.

``prepare`` opens a round for a cohort of a program the matrix's faculty member runs (program staff, and
a faculty advisor of the cohort) and its fellow takes part in; the alumna (an alumna of the program) is in
the pool. The round has a finished run and a pin. Admins manage every round. The faculty member runs the
round, so its page sends them to the preview.

Ex-staff was taken off the program's staff but still advises the cohort: a member of the program who may
offer to mentor (the round's page, the pool), and 403 on everything that runs the round. The director of
another program may not know the round exists: 404. Opening a round is for those who run a program.
"""

from __future__ import annotations

from tests.matrix.common import LOGIN, PENDING, staff_history


def roles(fellow, alumni, faculty, admin, method="GET", *, ex_staff, other_staff):
    return {"anonymous": LOGIN, "pending": PENDING if method == "GET" else 403,
            "fellow": fellow, "alumni": alumni, "faculty": faculty, "ex_staff": ex_staff,
            "other_staff": other_staff, "admin": admin}


def runs(fellow, alumni, faculty, admin, method="GET"):
    """The round's management: ex-staff (a member of the program) 403, the other director 404."""
    return roles(fellow, alumni, faculty, admin, method, ex_staff=403, other_staff=404)


ROUND = {"round_id": "@round_id"}
RUN = {"round_id": "@round_id", "run_id": "@run_id"}
PAGE = "→/matching/@round_id"
PREVIEW = "→/matching/@round_id/preview"

ROUTES = {
    ("matching.index", "GET"): ({}, roles(200, 200, 200, 200, ex_staff=200, other_staff=200)),
    # No round in the URL, so nothing is prepared: only the other program's director runs a program here.
    ("matching.new_round", "GET"): ({}, roles(403, 403, 403, 200, ex_staff=403, other_staff=200)),
    ("matching.new_round", "POST"): ({}, roles(403, 403, 403, 400, "POST", ex_staff=403, other_staff=400)),
    ("matching.round_page", "GET"): (ROUND, roles(200, 200, PREVIEW, PREVIEW, ex_staff=200, other_staff=404)),
    # An empty list is a valid list; an empty pool form lacks the capacity.
    ("matching.save_ranking", "POST"): (ROUND, roles(PAGE, 403, 403, 403, "POST", ex_staff=403, other_staff=403)),
    ("matching.join_pool", "POST"): (ROUND, roles(403, 400, 400, 403, "POST", ex_staff=400, other_staff=404)),
    ("matching.save_review", "POST"): (ROUND, roles(403, PAGE, 403, 403, "POST", ex_staff=403, other_staff=404)),
    ("matching.preview", "GET"): (ROUND, runs(403, 403, 200, 200)),
    ("matching.start_run", "POST"): (ROUND, runs(403, 403, PREVIEW, PREVIEW, "POST")),
    ("matching.run_status", "GET"): (RUN, runs(403, 403, 200, 200)),
    ("matching.export", "GET"): (RUN, runs(403, 403, 200, 200)),
    ("matching.add_override", "POST"): (ROUND, runs(403, 403, PREVIEW, PREVIEW, "POST")),
    # The faculty member removes the pin; the administrator then finds it gone.
    ("matching.remove_override", "POST"): ({"round_id": "@round_id", "override_id": "@override_id"},
                                           runs(403, 403, PREVIEW, 404, "POST")),
    ("matching.confirm_publish", "GET"): (RUN, runs(403, 403, 200, 200)),
    # Without a run to publish the form is refused.
    ("matching.publish", "POST"): (ROUND, runs(403, 403, 400, 400, "POST")),
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

    # The CSRF test passes only an administrator: make the others here.
    ex_staff = people.get("ex_staff")
    people = {role: people.get(role) or make_user(role=role) for role in ("fellow", "alumni", "faculty")}
    with app.app_context(), app.test_request_context():
        program = Program(slug="matrix-matching", name="Matrix Matching Fellowship", institution="Matrix Hospital")
        db.session.add(program)
        db.session.flush()
        current = Cohort(program_id=program.id, name="Class of 2027", start_date=date(2026, 7, 1),
                         end_date=date(2027, 6, 30))
        past = Cohort(program_id=program.id, name="Class of 2026", start_date=date(2025, 7, 1),
                      end_date=date(2026, 6, 30), graduated_at=utcnow())
        db.session.add_all([current, past])
        db.session.flush()
        staff_history(ex_staff, program.id, current.id)
        db.session.add_all([
            ProgramStaff(program_id=program.id, user_id=people["faculty"].id, role="director"),
            CohortMembership(cohort_id=current.id, user_id=people["faculty"].id, role=CohortRole.FACULTY),
            CohortMembership(cohort_id=current.id, user_id=people["fellow"].id, role=CohortRole.FELLOW),
            CohortMembership(cohort_id=past.id, user_id=people["alumni"].id, role=CohortRole.FELLOW)])
        db.session.flush()
        director = db.session.get(User, people["faculty"].id)
        matching_round = open_round(director, title="Matrix round", mentoring_type="research", algorithm="stable",
                                    deadline=utcnow() + timedelta(days=7), max_choices=5, cohorts=[current])
        db.session.add(Participant(round_id=matching_round.id, user_id=people["alumni"].id, side=Side.MENTOR,
                                   capacity=2))
        db.session.flush()
        override = Override(round_id=matching_round.id, fellow_id=people["fellow"].id,
                            mentor_id=people["alumni"].id, kind=OverrideKind.PIN)
        db.session.add(override)
        run = start_run(matching_round, director)
        db.session.commit()
        return {"round_id": matching_round.id, "run_id": run.id, "override_id": override.id}
