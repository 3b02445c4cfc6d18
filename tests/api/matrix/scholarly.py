"""``/api/v1/scholarly-items``: every verified member reads a member's record and an item as the items' owner allows
(``tests/test_scholarly.py`` checks each visibility)."""

from __future__ import annotations

from tests.api.matrix import GRANTED_ROLES


def prepare(app, people, make_user):
    """A member with an item every member may see."""
    from datetime import date

    from network.extensions import db
    from network.scholarly.models import ItemKind, ItemStatus, ScholarlyAuthor, ScholarlyItem

    owner = make_user(role="alumni", name="Dr. Matrix Scholar")
    with app.app_context():
        item = ScholarlyItem(owner_id=owner.id, kind=ItemKind.ARTICLE, status=ItemStatus.PUBLISHED,
                             title="Genicular nerve ablation", published_on=date(2025, 3, 14))
        item.authors = [ScholarlyAuthor(position=0, name="Scholar M", member_id=owner.id)]
        db.session.add(item)
        db.session.commit()
        return {"owner": owner.id, "item": item.id}


ROUTES = {
    ("api_scholarly_items.record", "GET"): ({"member": "@owner"}, None, dict.fromkeys(GRANTED_ROLES, 200)),
    ("api_scholarly_items.item", "GET"): ({"item_id": "@item"}, None, dict.fromkeys(GRANTED_ROLES, 200)),
}
