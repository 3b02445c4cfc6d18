"""Access rows for "My class": fellows only (the matrix's fellow is in no class, and gets the page saying so);
alumni, faculty and administrators get 403."""

from __future__ import annotations

from tests.matrix.common import LOGIN, PENDING

ROUTES = {
    ("classmates.my_class_page", "GET"): ({}, {"anonymous": LOGIN, "pending": PENDING, "fellow": 200, "alumni": 403,
                                               "faculty": 403, "ex_staff": 403, "other_staff": 403, "admin": 403}),
}


def prepare(app, people, make_user):
    """Put the matrix's fellow in a current class with a category (for the query budget: the page at its
    fullest; the access rows hold either way)."""
    from network.discussions.models import Category
    from network.extensions import db
    from network.programs.models import CohortMembership, CohortRole
    from tests.matrix.common import program_with_cohort

    with app.app_context():
        program, cohort = program_with_cohort("my-class-program", "My Class Program", "Class Hospital")
        db.session.add_all([Category(slug="my-class-category", name="My Class Program, Class of 2027",
                                     visibility="cohort", cohort_id=cohort.id)]
                           + ([CohortMembership(cohort_id=cohort.id, user_id=people["fellow"].id,
                                                role=CohortRole.FELLOW)] if "fellow" in people else []))
        db.session.commit()
        return {"my_class_cohort": cohort.id}
