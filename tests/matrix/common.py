"""Roles and outcome shorthands for the access matrix.

Besides the member roles, two faculty members who test the rule "program staff runs a program":
``ex_staff`` ran the program that owns an area's prepared objects and was taken off its staff, yet is
still a faculty advisor of one of its cohorts (the area's ``prepare`` writes that history with
``staff_history``); ``other_staff`` is staff of another program. On routes that are not about a
program they answer like any faculty member.
"""

from __future__ import annotations

ROLES = ("anonymous", "pending", "fellow", "alumni", "faculty", "ex_staff", "other_staff", "admin")
#: The account role of the matrix roles whose name is not one.
ACCOUNT_ROLES = {"pending": "fellow", "ex_staff": "faculty", "other_staff": "faculty"}
#: The faculty members who answer like ``faculty`` wherever a route is not about a program.
STAFF_TESTS = ("ex_staff", "other_staff")

LOGIN = "→/auth/login"
PENDING = "→/pending"
HOME = "→/"
ACCOUNT = "→/auth/account"
ADMIN_LIST = "→/admin/members/pending"


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def members(anonymous, pending, member, admin=None):
    """Outcomes for visitors, pending members, verified non-admins and admins."""
    return {"anonymous": anonymous, "pending": pending, "fellow": member, "alumni": member, "faculty": member,
            "ex_staff": member, "other_staff": member, "admin": member if admin is None else admin}


def like_faculty(outcomes: dict) -> dict:
    """``outcomes`` with ex-staff and staff of another program answering as ``faculty`` does."""
    return {**outcomes, **dict.fromkeys(STAFF_TESTS, outcomes["faculty"])}


def make_people(app, make_user, roles=ROLES) -> dict:
    """A member for each signed-in role; ``other_staff`` directs a program (with a cohort they advise)
    that no area's prepared objects belong to."""
    people = {role: make_user(role=ACCOUNT_ROLES.get(role, role), status="pending" if role == "pending" else "verified")
              for role in roles if role != "anonymous"}
    if "other_staff" in people:
        from network.extensions import db
        from network.programs.models import CohortMembership, CohortRole, ProgramStaff

        with app.app_context():
            program, cohort = program_with_cohort("other-staff-program", "Other Staff's Program", "Elsewhere")
            db.session.add_all([
                ProgramStaff(program_id=program.id, user_id=people["other_staff"].id, role="director"),
                CohortMembership(cohort_id=cohort.id, user_id=people["other_staff"].id, role=CohortRole.FACULTY)])
            db.session.commit()
    return people


def program_with_cohort(slug: str, name: str, institution: str):
    """A program and its current cohort (Class of 2027, July 2026 to June 2027), flushed so both have ids; in an
    app context, for the caller to add staff and members to and commit."""
    from datetime import date

    from network.extensions import db
    from network.programs.models import Cohort, Program

    program = Program(slug=slug, name=name, institution=institution)
    db.session.add(program)
    db.session.flush()
    cohort = Cohort(program_id=program.id, name="Class of 2027", start_date=date(2026, 7, 1),
                    end_date=date(2027, 6, 30))
    db.session.add(cohort)
    db.session.flush()
    return program, cohort


def staff_history(ex_staff, program_id: int, cohort_id: int) -> None:
    """Inside an app context: ``ex_staff`` (the matrix's member, or None when a test made no such role) ran
    ``program_id``, was taken off its staff, and stays a faculty advisor of its cohort ``cohort_id``
    (exactly what used to keep the powers of running it)."""
    if ex_staff is None:
        return
    from network.extensions import db
    from network.programs.models import CohortMembership, CohortRole, ProgramStaff

    former = ProgramStaff(program_id=program_id, user_id=ex_staff.id, role="faculty")
    db.session.add_all([former, CohortMembership(cohort_id=cohort_id, user_id=ex_staff.id,
                                                 role=CohortRole.FACULTY)])
    db.session.flush()
    db.session.delete(former)
    db.session.flush()
