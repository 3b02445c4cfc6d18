"""``/api/v1/programs`` and ``/api/v1/cohorts``: as the programs pages answer each role.

``prepare`` makes a program the matrix's faculty member directs, with a cohort (a fellow in it, an invitation
waiting) that ex-staff ran and still advises (``staff_history``); ``other_staff`` directs another program. Fellows
and alumni are refused every operation (403, ``can_list_programs``); a program or cohort the caller does not run is
not found (404) for ex-staff and the other program's director, as on the pages. The faculty member invites an
address first; the administrator's invitation of the same address is then a duplicate (409).
"""

from __future__ import annotations

from tests.matrix.common import program_with_cohort, staff_history


def staff(ok):
    """Refused to fellows and alumni; found by the program's director and administrators only."""
    return {"fellow": 403, "alumni": 403, "faculty": ok, "ex_staff": 404, "other_staff": 404, "admin": ok}


PROGRAM = {"program_id": "@program"}
COHORT = {"cohort_id": "@cohort"}
INVITE = {"emails": ["matrix.invitee@example.org"], "role": "fellow"}

ROUTES = {
    # Every member who may run programs lists those they run (ex-staff none of them: an empty list).
    ("api_programs.programs", "GET"): ({}, None, {**staff(200), "ex_staff": 200, "other_staff": 200}),
    ("api_programs.program", "GET"): (PROGRAM, None, staff(200)),
    ("api_programs.program_cohorts", "GET"): (PROGRAM, None, staff(200)),
    ("api_cohorts.cohort", "GET"): (COHORT, None, staff(200)),
    ("api_cohorts.roster", "GET"): (COHORT, None, staff(200)),
    ("api_cohorts.invitations", "GET"): (COHORT, None, staff(200)),
    ("api_cohorts.invite", "POST"): (COHORT, INVITE, {**staff(201), "admin": 409}),
}


def prepare(app, people, make_user):
    from network.cohorts.models import Invitation
    from network.extensions import db
    from network.programs.models import CohortMembership, CohortRole, ProgramStaff

    with app.app_context():
        program, cohort = program_with_cohort("api-matrix-program", "API Matrix Program", "Matrix Hospital")
        staff_history(people.get("ex_staff"), program.id, cohort.id)
        db.session.add_all([
            ProgramStaff(program_id=program.id, user_id=people["faculty"].id, role="director"),
            CohortMembership(cohort_id=cohort.id, user_id=people["fellow"].id, role=CohortRole.FELLOW),
            Invitation(cohort_id=cohort.id, email="waiting@example.org", role=CohortRole.FELLOW,
                       token_hash="1" * 64)])
        db.session.commit()
        return {"program": program.id, "cohort": cohort.id}
