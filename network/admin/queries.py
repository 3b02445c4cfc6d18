"""Reads for the admin pages: the members waiting for verification and the cohorts they may join, the
member and audit-log searches, the programs with their staff, the dashboard's counts, each list a page
at a time. Nothing here writes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from network.audit.models import AuditLog
from network.extensions import db
from network.identity.models import IdentityProvider
from network.identity.overview import listing as identity_provider_listing
from network.members.models import MemberDeactivation, MemberStatus, Registration, Role, User
from network.programs.models import Cohort, Program, ProgramStaff

#: Rows on one page of an admin list (members waiting, every member, the audit log).
PAGE_SIZE = 50
#: Detail keys that hold a mail address; faculty (``program_ids`` given) never see them.
ADDRESS_DETAILS = frozenset({"email", "emails", "recipient"})


class Page(NamedTuple):
    """One page of a list: its rows, how many rows the whole list has, and how many pages."""

    items: list
    total: int
    pages: int


def _page_of(query, page: int, *options) -> Page:
    """Page ``page`` (from 1) of the rows ``query`` selects, loaded with ``options``, and the list's size."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.options(*options).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return Page(items, total, max(1, -(-total // PAGE_SIZE)))


def dashboard_counts() -> tuple[dict, dict, int]:
    """Members by status, verified members by role, and the number of programs."""
    by_status = dict(db.session.execute(select(User.status, func.count()).group_by(User.status)).all())
    by_role = dict(db.session.execute(select(User.role, func.count()).where(User.status == MemberStatus.VERIFIED)
                                      .group_by(User.role)).all())
    return by_status, by_role, db.session.scalar(select(func.count()).select_from(Program))


# -- members ---------------------------------------------------------------------------


#: What the verification pages show of each applicant: what they said, and the program they named.
_WITH_REGISTRATION = joinedload(User.registration).joinedload(Registration.program)


def pending_members(page: int) -> Page:
    """The members waiting for verification, oldest first, with what they said when registering."""
    query = select(User).where(User.status == MemberStatus.PENDING).order_by(User.created_at, User.id)
    return _page_of(query, page, _WITH_REGISTRATION)


def applicant(user_id: int):
    """A ``select`` of the member with what they said when registering."""
    return select(User).where(User.id == user_id).options(_WITH_REGISTRATION)


def current_cohorts(user: User) -> list[Cohort]:
    """The cohorts of the program the member named that still take members (not graduated), oldest first."""
    program_id = user.registration.program_id if user.registration else None
    if program_id is None:
        return []
    return db.session.scalars(select(Cohort).where(Cohort.program_id == program_id, Cohort.graduated_at.is_(None))
                              .order_by(Cohort.start_date, Cohort.id)).all()


def member_search(page: int, text: str = "", role: str | None = None, status: str | None = None) -> Page:
    """The members whose name or email contains ``text``, newest first."""
    query = select(User).where(User.deleted_at.is_(None))
    if text:
        # autoescape: a typed % or _ is a character to find, not a wildcard.
        query = query.where(or_(db.func.lower(User.name).contains(text.lower(), autoescape=True),
                                User.email.contains(text.lower(), autoescape=True)))
    if role:
        query = query.where(User.role == Role(role))
    if status == "deactivated":
        query = query.where(User.id.in_(select(MemberDeactivation.user_id)))
    elif status:
        query = query.where(User.status == MemberStatus(status))
    return _page_of(query.order_by(User.created_at.desc(), User.id.desc()), page)


def deactivated_among(members) -> set[int]:
    """The ids of those of ``members`` who are deactivated."""
    if not members:
        return set()
    return set(db.session.scalars(select(MemberDeactivation.user_id).where(
        MemberDeactivation.user_id.in_([member.id for member in members]))))


# -- programs --------------------------------------------------------------------------


def programs_with_staff_counts() -> list:
    """Every program with the number of its staff, by name."""
    return db.session.execute(
        select(Program, func.count(ProgramStaff.id)).outerjoin(ProgramStaff, ProgramStaff.program_id == Program.id)
        .group_by(Program.id).order_by(Program.name)).all()


def program_staff(program_id: int) -> list[ProgramStaff]:
    """The program's staff with their members, by role."""
    return db.session.scalars(select(ProgramStaff).where(ProgramStaff.program_id == program_id)
                              .options(selectinload(ProgramStaff.user)).order_by(ProgramStaff.role)).all()


# -- identity providers ----------------------------------------------------------------


def identity_providers(page: int) -> Page:
    """Rows of (provider, its program's name or None, members linked through it), by name."""
    total = db.session.scalar(select(func.count()).select_from(IdentityProvider))
    items = db.session.execute(identity_provider_listing().limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return Page(items, total, max(1, -(-total // PAGE_SIZE)))


# -- the audit log ---------------------------------------------------------------------


def audit_entries(page: int, *, program_ids: frozenset[int] | None = None, actor: str = "", action: str = "",
                  target_type: str = "", since: date | None = None, until: date | None = None) -> Page:
    """Audit entries with their actors, newest first; ``program_ids`` limits them to those programs' entries.

    ``actor`` matches names, and emails too for admins (``program_ids`` None): faculty see members' names,
    never their addresses, so a prefix probe on the filter must not reveal one either.
    """
    query = select(AuditLog)
    if program_ids is not None:
        query = query.where(AuditLog.program_id.in_(program_ids or [0]))
    if actor:
        matches = db.func.lower(User.name).contains(actor.lower(), autoescape=True)
        if program_ids is None:
            matches = or_(matches, User.email.contains(actor.lower(), autoescape=True))
        query = query.where(AuditLog.actor_id.in_(select(User.id).where(matches)))
    if action:
        query = query.where(AuditLog.action.startswith(action, autoescape=True))
    if target_type:
        query = query.where(AuditLog.target_type == target_type)
    if since:
        query = query.where(AuditLog.created_at >= datetime.combine(since, time.min, tzinfo=UTC))
    if until:
        query = query.where(AuditLog.created_at < datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC))
    return _page_of(query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()), page,
                    selectinload(AuditLog.actor))


def audit_target_types() -> list[str]:
    """Every kind of target the audit log names, for its filter."""
    return db.session.scalars(select(AuditLog.target_type).distinct().order_by(AuditLog.target_type)).all()


def visible_details(entry: AuditLog, *, addresses: bool) -> dict:
    """The entry's details as a reader sees them: without mail addresses unless ``addresses``."""
    if addresses:
        return entry.details
    return {key: value for key, value in entry.details.items() if key not in ADDRESS_DETAILS}
