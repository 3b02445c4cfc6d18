"""Managing members from the admin wing: role changes, deactivation and reactivation. Never commits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select

from network.audit.models import AuditLog, record
from network.extensions import db
from network.members.models import MemberDeactivation, MemberStatus, Role, User


class AdminError(Exception):
    """The change is not allowed; the message is for the admin."""


def member_search(text: str = "", role: str | None = None, status: str | None = None):
    """A ``select`` of members whose name or email contains ``text``, newest first."""
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
    return query.order_by(User.created_at.desc(), User.id.desc())


def change_role(member: User, role: Role, admin: User) -> None:
    if member.id == admin.id:
        raise AdminError("You cannot change your own role; ask another administrator.")
    if member.role == role:
        raise AdminError(f"{member.name} is {role.label.lower()} already.")
    before = member.role
    member.role = role
    member.end_other_sessions()  # the new role applies from the next page, everywhere
    record(admin.id, "member.role", "user", member.id, email=member.email, before=before.value, after=role.value)


def deactivate(member: User, admin: User) -> None:
    """Stop the member signing in and end every session they have; reactivation restores their status."""
    if member.id == admin.id:
        raise AdminError("You cannot deactivate your own account.")
    if db.session.get(MemberDeactivation, member.id) is not None:
        raise AdminError(f"{member.name} is deactivated already.")
    db.session.add(MemberDeactivation(user_id=member.id, deactivated_by_id=admin.id,
                                      previous_status=member.status.value))
    member.status = MemberStatus.REJECTED
    member.end_other_sessions()
    record(admin.id, "member.deactivate", "user", member.id, email=member.email)


def reactivate(member: User, admin: User) -> None:
    deactivation = db.session.get(MemberDeactivation, member.id)
    if deactivation is None:
        raise AdminError(f"{member.name} is not deactivated.")
    member.status = MemberStatus(deactivation.previous_status)
    db.session.delete(deactivation)
    record(admin.id, "member.reactivate", "user", member.id, email=member.email)


#: Detail keys that hold a mail address; faculty (``program_ids`` given) never see them.
ADDRESS_DETAILS = frozenset({"email", "emails", "recipient"})


def audit_query(*, program_ids: frozenset[int] | None = None, actor: str = "", action: str = "",
                target_type: str = "", since: date | None = None, until: date | None = None):
    """A ``select`` of audit entries, newest first; ``program_ids`` limits it to those programs' entries.

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
    return query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc())


def visible_details(entry: AuditLog, *, addresses: bool) -> dict:
    """The entry's details as a reader sees them: without mail addresses unless ``addresses``."""
    if addresses:
        return entry.details
    return {key: value for key, value in entry.details.items() if key not in ADDRESS_DETAILS}
