"""Programs: more programs with cohorts for the administrator's list; the audit log seen by an admin."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select

from network.extensions import db

#: The programs list and the audit log show the most to an administrator (faculty see only their own).
VIEWERS = {"programs.index": "admin", "admin.audit_log": "admin"}


def populate(app, people, named, count):
    from network.programs.models import Cohort, Program

    with app.app_context():
        batch = len(named.setdefault("_budget_programs", [])) + 1
        named["_budget_programs"].append(batch)
        slugs = [f"budget-{batch}-{n}" for n in range(count)]
        db.session.execute(insert(Program), [{"slug": s, "name": f"Program {s}", "institution": "Hospital", "city": "",
                                              "description": ""} for s in slugs])
        ids = db.session.scalars(select(Program.id).where(Program.slug.in_(slugs))).all()
        db.session.execute(insert(Cohort), [{"program_id": i, "name": "Class of 2027", "start_date": date(2026, 7, 1),
                                             "end_date": date(2027, 6, 30)} for i in ids])
        db.session.commit()
