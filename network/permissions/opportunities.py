"""Who posts, sees, edits and removes opportunities.

Opportunities are passed in; only plain attributes (kind, status, poster_id) are read.
"""

from __future__ import annotations

from network.members.models import Role
from network.permissions.members import administers, has_role, is_member

#: The kinds a fellow may post; alumni, faculty and admins post every kind.
FELLOW_OPPORTUNITY_KINDS = ("research", "conference")


def posts_every_kind(user) -> bool:
    """Alumni, faculty and admins post every kind of opportunity (fellows only ``FELLOW_OPPORTUNITY_KINDS``)."""
    return has_role(user, Role.ALUMNI, Role.FACULTY, Role.ADMIN)


def can_post_opportunity(user, kind: str | None = None) -> bool:
    """Alumni, faculty and admins post every kind; fellows research collaborations and conferences."""
    if posts_every_kind(user):
        return True
    return has_role(user, Role.FELLOW) and (kind is None or str(kind) in FELLOW_OPPORTUNITY_KINDS)


def can_view_opportunity(user, opportunity) -> bool:
    """Every member sees posted opportunities; a removed one only administrators."""
    if not is_member(user) or opportunity is None:
        return False
    return str(opportunity.status) != "removed" or administers(user)


def can_edit_opportunity(user, opportunity) -> bool:
    """The poster edits, closes and reopens; so may administrators."""
    if not can_view_opportunity(user, opportunity) or str(opportunity.status) == "removed":
        return False
    return opportunity.poster_id == user.id or administers(user)


def can_remove_opportunity(user, opportunity) -> bool:
    """Removing an opportunity from the board is for administrators (one already removed is a conflict of
    state, which the service refuses with 409, not a question of who)."""
    return can_view_opportunity(user, opportunity) and administers(user)


def can_see_interested(user, opportunity) -> bool:
    """The list of interested members is for the poster (and administrators)."""
    return can_view_opportunity(user, opportunity) and (opportunity.poster_id == user.id or administers(user))
