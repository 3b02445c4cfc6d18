"""Access rows for the cockpit: the prepared program (tests/cockpit_world.py) is run by none of the matrix's
people, so faculty, its former staff member and another program's director get 404 on its cockpit, lists and
reminders; fellows and alumni 403; administrators run it."""

from __future__ import annotations

from tests.matrix.cohorts import staff
from tests.matrix.common import staff_history

PROGRAM = {"program_id": "@cockpit_program"}
A_LIST = {**PROGRAM, "key": "without-research"}

ROUTES = {
    ("cockpit.show", "GET"): (PROGRAM, staff(200)),
    ("cockpit.show_list", "GET"): (A_LIST, staff(200)),
    # An empty form names nobody to remind: 400 with the message, nothing sent.
    ("cockpit.remind", "POST"): (A_LIST, staff(400, get=False)),
}


def prepare(app, people, make_user):
    from tests import cockpit_world

    world = cockpit_world.build(app, make_user, slug="matrix-cockpit", name="Matrix Cockpit Program")
    with app.app_context():
        from network.extensions import db

        staff_history(people.get("ex_staff"), world.program, world.cohort)
        db.session.commit()
    return {"cockpit_program": world.program, "cockpit_cohort": world.cohort, "cockpit_round": world.round,
            "cockpit_mentor": world.reviewer.id}
