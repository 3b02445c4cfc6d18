"""Who is a member, what each role may reach, and who sees a profile field.

Members are passed in; only their plain attributes (role, status) are read.
"""

from __future__ import annotations

from network.members.models import Role


def is_member(user) -> bool:
    """Signed in and verified: may use the network (``is_authenticated`` is Flask-Login's ``is_active``
    for a loaded account, so a rejected or deleted one is no member)."""
    return bool(user and user.is_authenticated and user.is_verified)


def has_role(user, *roles) -> bool:
    """A member whose role is one of ``roles``: the rule behind ``role_required``, for views a whole role
    may reach (the finer rules below answer for one program, thread or round)."""
    return is_member(user) and user.role in roles


def administers(user) -> bool:
    """Administrators: the admin wing, every program, every category and every opportunity."""
    return has_role(user, Role.ADMIN)


def can_verify_members(user) -> bool:
    """Verifying (or refusing) a registration is for administrators."""
    return administers(user)


def can_place_in_cohort(user) -> bool:
    """Put an existing member in a cohort without their accepting an invitation: administrators only
    (program staff invite; the member joins by accepting)."""
    return administers(user)


# -- profile fields --------------------------------------------------------------

def can_see(level, *, viewer_id: int | None, owner_id: int, connected: bool) -> bool:
    """May ``viewer_id`` see a profile field its owner shares at ``level``?

    The owner always sees their own data; verified members see ``members`` fields;
    ``connected`` fields need a relation (same program now; mentors and mentees as
    mentorship lands); ``private`` fields, and unknown levels, only the owner.
    """
    if viewer_id is None:
        return False
    if viewer_id == owner_id:
        return True
    return reaches_others(level, connected=connected)


def reaches_others(level, *, connected: bool) -> bool:
    """``can_see`` for a verified member other than the owner, ``connected`` to them or not: for reads made
    for someone who is never the owner (a mentee's mentor suggestions; a matching run, ``connected=False``
    when its readers need not be connected to the people in it)."""
    if level == "members":
        return True
    if level == "connected":
        return connected
    return False


def can_see_field(viewer, owner, level, connected: bool) -> bool:
    """The same rule for templates, with the signed-in user and the member shown."""
    if not is_member(viewer):
        return False
    return can_see(level, viewer_id=viewer.id, owner_id=owner.id, connected=connected)
