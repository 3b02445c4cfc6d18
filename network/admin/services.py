"""Managing members from the admin wing: role changes, deactivation and reactivation. Never commits; the
admin pages' reads are in ``queries.py``."""

from __future__ import annotations

from network.audit.models import record
from network.auth.api_tokens import revoke_all
from network.discussions.email_replies import addresses as reply_addresses
from network.extensions import db
from network.members.models import MemberDeactivation, MemberStatus, Role, User


class AdminError(Exception):
    """The change is not allowed; the message is for the admin."""


def change_role(member: User, role: Role, admin: User) -> None:
    """Give the member another role, from their next page on every device; never one's own."""
    if member.id == admin.id:
        raise AdminError("You cannot change your own role; ask another administrator.")
    if member.role == role:
        raise AdminError(f"{member.name} is {role.label.lower()} already.")
    before = member.role
    member.role = role
    member.end_other_sessions()  # the new role applies from the next page, everywhere
    record(admin.id, "member.role", "user", member.id, email=member.email, before=before.value, after=role.value)


def deactivate(member: User, admin: User) -> None:
    """Stop the member signing in, end every session they have and revoke their API tokens and reply-by-email
    addresses; reactivation restores their status (not the tokens or addresses)."""
    if member.id == admin.id:
        raise AdminError("You cannot deactivate your own account.")
    if db.session.get(MemberDeactivation, member.id) is not None:
        raise AdminError(f"{member.name} is deactivated already.")
    db.session.add(MemberDeactivation(user_id=member.id, deactivated_by_id=admin.id,
                                      previous_status=member.status.value))
    member.status = MemberStatus.REJECTED
    member.end_other_sessions()
    # A reactivated member signs in again and makes new tokens: a deactivation for a stolen account must
    # not leave a token that works again on reactivation.
    revoke_all(member.id, admin.id)
    reply_addresses.revoke_all(member.id)
    record(admin.id, "member.deactivate", "user", member.id, email=member.email)


def reactivate(member: User, admin: User) -> None:
    """Let a deactivated member sign in again, with the status they had before."""
    deactivation = db.session.get(MemberDeactivation, member.id)
    if deactivation is None:
        raise AdminError(f"{member.name} is not deactivated.")
    member.status = MemberStatus(deactivation.previous_status)
    db.session.delete(deactivation)
    record(admin.id, "member.reactivate", "user", member.id, email=member.email)
