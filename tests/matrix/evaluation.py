"""Access rows for the annual program evaluation pack: its program's staff and administrators only. The
prepared program has no staff among the matrix's people, so its former staff member, the director of another
program and any other faculty member get 404 on every pack URL; fellows and alumni get 403."""

from __future__ import annotations

from tests.matrix.cohorts import staff
from tests.matrix.common import staff_history

PACK = {"program_id": "@evaluation_program", "start_year": 2025}

ROUTES = {
    ("evaluation.choose", "GET"): ({"program_id": "@evaluation_program"}, staff("→@evaluation_default_url")),
    ("evaluation.pack", "GET"): (PACK, staff(200)),
    ("evaluation.export_csv", "GET"): (PACK, staff(200)),
    ("evaluation.export_xlsx", "GET"): (PACK, staff(200)),
}


def prepare(app, people, make_user):
    """A program run by a director outside the matrix (ex-staff ran it), with the 2025–26 class, a fellow in it
    and the class's category."""
    from datetime import date

    from network.discussions.models import Category
    from network.evaluation.years import default_year
    from network.extensions import db
    from network.programs.models import CohortMembership, CohortRole, ProgramStaff
    from tests.matrix.common import program_with_cohort

    director = make_user(role="faculty", name="Dr. Pack Director")
    fellow = make_user(role="fellow", name="Dr. Pack Fellow")
    with app.app_context():
        program, cohort = program_with_cohort("pack-program", "Pack Program", "Pack Hospital")
        # The year the budget's rows fall in, 2025–26.
        cohort.name, cohort.start_date, cohort.end_date = "Class of 2026", date(2025, 7, 1), date(2026, 6, 30)
        category = Category(slug="pack-class-of-2026", name="Pack Class of 2026", visibility="cohort",
                            cohort_id=cohort.id)
        db.session.add_all([ProgramStaff(program_id=program.id, user_id=director.id, role="director"), category,
                            CohortMembership(cohort_id=cohort.id, user_id=fellow.id, role=CohortRole.FELLOW)])
        staff_history(people.get("ex_staff"), program.id, cohort.id)
        db.session.commit()
        year = default_year(date.today()).start_year
        return {"evaluation_program": program.id, "evaluation_cohort": cohort.id,
                "evaluation_category": category.id, "evaluation_director": director.id,
                "evaluation_default_url": f"/programs/{program.id}/evaluation/{year}"}
