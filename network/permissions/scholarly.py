"""Who may change a scholarly item, and answer for an author line. Who may read an item is its owner's choice,
as for other profile fields (``can_see``; ``network.scholarly.queries.item_visible_condition`` in SQL)."""

from __future__ import annotations

from network.permissions.members import is_member


def can_change_item(user, item) -> bool:
    """An item is its owner's to edit, link and delete (a co-author confirms or declines their own line only)."""
    return is_member(user) and item is not None and item.owner_id == user.id


def can_answer_authorship(user, line) -> bool:
    """The member an author line names confirms or declines it, and may change their answer later."""
    return (is_member(user) and line is not None and line.member_id == user.id
            and line.confirmation is not None)
