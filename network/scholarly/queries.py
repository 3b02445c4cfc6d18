"""Reading scholarly records: whose items a viewer may see, a profile's first items, a member's list a page
at a time, duplicates, and the choices an item's form offers."""

from __future__ import annotations

from sqlalchemy import Select, and_, false, or_, select

from network.profiles.models import Visibility
from network.profiles.privacy import connected_member_ids
from network.scholarly.models import AuthorConfirmation, ScholarlyAuthor, ScholarlyItem


def confirmed_item_ids(member_id) -> Select:
    """A ``select`` of the ids of the items ``member_id`` confirmed as co-author."""
    return select(ScholarlyAuthor.item_id).where(ScholarlyAuthor.member_id == member_id,
                                                  ScholarlyAuthor.confirmation == AuthorConfirmation.CONFIRMED)


def item_visible_condition(viewer_id: int | None):
    """``can_see`` on an item's ``visibility`` as SQL: the owner and its confirmed co-authors always; members
    when it is for members; the owner's connections when it is for them; nobody else."""
    if viewer_id is None:
        return false()
    return or_(ScholarlyItem.owner_id == viewer_id,
               ScholarlyItem.id.in_(confirmed_item_ids(viewer_id)),
               ScholarlyItem.visibility == Visibility.MEMBERS,
               and_(ScholarlyItem.visibility == Visibility.CONNECTED,
                    ScholarlyItem.owner_id.in_(connected_member_ids(viewer_id))))


def items_of(owner_id) -> Select:
    """A ``select`` of a member's record: the items they own and those they confirmed as co-author."""
    return select(ScholarlyItem).where(or_(ScholarlyItem.owner_id == owner_id,
                                           ScholarlyItem.id.in_(confirmed_item_ids(owner_id))))


def items_visible_to(viewer, owner_id) -> Select:
    """A ``select`` of ``owner_id``'s record (own and confirmed co-authored items) that ``viewer`` (a user, or
    None) may see, newest first; callers add a limit, a keyset or their own filters (an academic year)."""
    viewer_id = viewer.id if viewer is not None and viewer.is_authenticated and viewer.is_verified else None
    return (items_of(owner_id).where(item_visible_condition(viewer_id))
            .order_by(ScholarlyItem.published_on.desc().nulls_first(), ScholarlyItem.id.desc()))
