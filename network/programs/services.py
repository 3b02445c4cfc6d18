"""Programs, their staff and their cohorts. Services change the session and never commit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from network.audit.models import record
from network.extensions import db
from network.members.models import Role, User
from network.permissions import can_be_program_staff, runs_every_program
from network.programs.models import Cohort, CohortMembership, CohortRole, Program, ProgramRole, ProgramStaff
from network.signals import cohort_created
from network.text.slugs import slugify


class ProgramError(Exception):
    """A change the data does not allow; the message is for the user."""


def programs_for(user):
    """A ``select`` of the programs ``user`` manages (all for admins), by name."""
    query = select(Program).order_by(Program.name)
    if not runs_every_program(user):
        query = query.join(ProgramStaff, ProgramStaff.program_id == Program.id).where(ProgramStaff.user_id == user.id)
    return query


def _unique_slug(name: str, program_id: int | None = None) -> str:
    base = slugify(name, 70, "program")
    taken = set(db.session.scalars(select(Program.slug).where(Program.slug.startswith(base, autoescape=True),
                                                              Program.id != (program_id or 0))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def save_program(program: Program | None, actor: User, **fields) -> Program:
    """Create a program (``program`` None) or change one; audited."""
    name = fields["name"]
    clash = db.session.scalar(select(Program.id).where(func.lower(Program.name) == name.lower(),
                                                       Program.id != (program.id if program else 0)))
    if clash is not None:
        raise ProgramError("A program with that name exists already.")
    creating = program is None
    if creating:
        program = Program(slug=_unique_slug(name))
        db.session.add(program)
    for key, value in fields.items():
        setattr(program, key, value)
    db.session.flush()
    record(actor.id, "program.create" if creating else "program.edit", "program", program.id,
           program_id=program.id, name=program.name)
    return program


def add_staff(program: Program, member: User, role: ProgramRole, actor: User) -> ProgramStaff:
    """Give a faculty member a role in the program (or change their role)."""
    if not can_be_program_staff(member):
        raise ProgramError(f"{member.name} is not a verified faculty member.")
    staff = db.session.scalars(select(ProgramStaff).filter_by(program_id=program.id, user_id=member.id)).first()
    if staff is None:
        staff = ProgramStaff(program_id=program.id, user_id=member.id, role=role)
        db.session.add(staff)
    else:
        staff.role = role
    db.session.flush()
    record(actor.id, "program.staff_add", "user", member.id, program_id=program.id, role=str(role))
    return staff


def remove_staff(staff: ProgramStaff, actor: User) -> None:
    record(actor.id, "program.staff_remove", "user", staff.user_id, program_id=staff.program_id)
    db.session.delete(staff)


def create_cohort(program: Program, name: str, start_date: date, end_date: date, actor: User) -> Cohort:
    """A new class in the program; the creating faculty member becomes one of its advisors. Announced by
    ``signals.cohort_created`` (discussions open the class's private category)."""
    if end_date <= start_date:
        raise ProgramError("The class must end after it starts.")
    if db.session.scalar(select(Cohort.id).where(Cohort.program_id == program.id,
                                                 func.lower(Cohort.name) == name.lower())) is not None:
        raise ProgramError(f"{program.name} already has a cohort called “{name}”.")
    cohort = Cohort(program_id=program.id, name=name, start_date=start_date, end_date=end_date)
    db.session.add(cohort)
    db.session.flush()
    if actor.role == Role.FACULTY:
        db.session.add(CohortMembership(cohort_id=cohort.id, user_id=actor.id, role=CohortRole.FACULTY))
    record(actor.id, "cohort.create", "cohort", cohort.id, program_id=program.id, name=name)
    cohort_created.send(cohort)
    return cohort


def program_overview(program: Program) -> dict:
    """Per cohort: fellows, faculty advisors and alumni counts, in one query."""
    rows = db.session.execute(
        select(CohortMembership.cohort_id, CohortMembership.role, User.role, func.count())
        .join(User, User.id == CohortMembership.user_id)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .where(Cohort.program_id == program.id)
        .group_by(CohortMembership.cohort_id, CohortMembership.role, User.role)).all()
    counts: dict[int, dict[str, int]] = {}
    alumni = 0
    for cohort_id, cohort_role, user_role, n in rows:
        entry = counts.setdefault(cohort_id, {"fellow": 0, "faculty": 0, "alumni": 0})
        entry[str(cohort_role)] += n
        if cohort_role == CohortRole.FELLOW and user_role == Role.ALUMNI:
            entry["alumni"] += n
            alumni += n
    return {"cohorts": counts, "alumni": alumni}
