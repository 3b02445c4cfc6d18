"""Yes/no answers about what a member may do, used by routes and templates alike."""

from __future__ import annotations

from network.members.models import Role


def is_member(user) -> bool:
    """Signed in and verified: may use the network."""
    return bool(user and user.is_authenticated and user.is_verified)


def can_verify_members(user) -> bool:
    return is_member(user) and user.role == Role.ADMIN
