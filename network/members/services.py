"""Admitting members: verification and rejection by an administrator. Never commits."""

from __future__ import annotations

from network.audit.models import record
from network.mail.services import queue_email
from network.members.models import MemberStatus, Registration, User
from network.types import utcnow
from network.urls import public_url


class NotPending(Exception):
    """The member was already verified or rejected."""


class EmailNotConfirmed(Exception):
    """The member has not proved the address is theirs yet."""


def verify_member(user: User, admin: User) -> None:
    """Admit a pending member whose email is confirmed; audit-logged, and they are told by mail."""
    if not user.is_pending:
        raise NotPending(user.id)
    if not user.email_confirmed:
        raise EmailNotConfirmed(user.id)
    user.status = MemberStatus.VERIFIED
    user.verified_at = utcnow()
    user.verified_by_id = admin.id
    record(admin.id, "member.verify", "user", user.id, email=user.email, role=user.role.value)
    queue_email("member-verified", user.email, "You are in: welcome to Fellowship Network",
                "member_verified", user=user, link=public_url("main.index"))


def reject_member(user: User, admin: User, reason: str) -> None:
    """Turn down a pending registration with the administrator's reason and end its sessions; the reason is
    kept and audit-logged, and the person is mailed it."""
    if not user.is_pending:
        raise NotPending(user.id)
    user.status = MemberStatus.REJECTED
    user.end_other_sessions()
    registration = user.registration
    if registration is None:  # registered before the form asked about program and stage
        registration = user.registration = Registration(user_id=user.id)
    registration.rejection_reason = reason
    record(admin.id, "member.reject", "user", user.id, email=user.email, role=user.role.value, reason=reason)
    queue_email("member-rejected", user.email, "Your Fellowship Network registration", "member_rejected", user=user,
                reason=reason, link=public_url("main.index"))
