"""Access rows for scholarly items: every verified member keeps their own record, reads others' as each item's owner
allows, and answers for the author lines naming them; an item, an import and an author line are their owner's alone
(404 for everyone else, administrators too)."""

from __future__ import annotations

from tests.matrix.common import LOGIN, PENDING, members

MINE = "→/scholarly/"
CONFIRMATIONS = "→/scholarly/confirmations"


def owner_only(anonymous, pending, owner):
    """The prepared objects belong to the fellow: everyone else gets 404."""
    return {**members(anonymous, pending, 404), "fellow": owner}


ROUTES = {
    ("scholarly.mine", "GET"): ({}, members(LOGIN, PENDING, 200)),
    ("scholarly.member_items", "GET"): ({"user_id": "@owner"}, members(LOGIN, PENDING, 200)),
    ("scholarly.new", "GET"): ({}, members(LOGIN, PENDING, 200)),
    ("scholarly.new", "POST"): ({}, members(LOGIN, 403, 400)),
    ("scholarly.edit", "GET"): ({"item_id": "@item"}, owner_only(LOGIN, PENDING, 200)),
    ("scholarly.edit", "POST"): ({"item_id": "@item"}, owner_only(LOGIN, 403, 400)),
    ("scholarly.delete", "POST"): ({"item_id": "@item"}, owner_only(LOGIN, 403, MINE)),
    ("scholarly.authors", "GET"): ({"item_id": "@item"}, owner_only(LOGIN, PENDING, 200)),
    ("scholarly.authors", "POST"): ({"item_id": "@item"}, owner_only(LOGIN, 403, MINE)),
    ("scholarly.import_citations", "GET"): ({}, members(LOGIN, PENDING, 200)),
    ("scholarly.import_citations", "POST"): ({}, members(LOGIN, 403, 400)),
    ("scholarly.import_preview", "GET"): ({"import_id": "@staged"}, owner_only(LOGIN, PENDING, 200)),
    ("scholarly.save_import", "POST"): ({"import_id": "@staged"}, owner_only(LOGIN, 403, 400)),
    ("scholarly.confirmations", "GET"): ({}, members(LOGIN, PENDING, 200)),
    ("scholarly.confirm", "POST"): ({"line_id": "@line"}, owner_only(LOGIN, 403, CONFIRMATIONS)),
    ("scholarly.decline", "POST"): ({"line_id": "@line"}, owner_only(LOGIN, 403, CONFIRMATIONS)),
}


def prepare(app, people, make_user):
    """An item of the fellow's with an author line, an import the fellow staged, and a line on another member's item
    that waits for the fellow's answer."""
    from datetime import date

    from network.extensions import db
    from network.scholarly.models import (
        AuthorConfirmation,
        ItemKind,
        ItemStatus,
        ScholarlyAuthor,
        ScholarlyImport,
        ScholarlyItem,
    )

    owner = make_user(role="faculty", name="Dr. Matrix Author")
    fellow = (people.get("fellow") or make_user()).id  # (tests/test_csrf.py signs in only an admin)
    with app.app_context():
        item = ScholarlyItem(owner_id=fellow, kind=ItemKind.ARTICLE, status=ItemStatus.PUBLISHED,
                             title="Genicular nerve ablation", published_on=date(2025, 3, 14))
        theirs = ScholarlyItem(owner_id=owner.id, kind=ItemKind.ABSTRACT, status=ItemStatus.PRESENTED,
                               title="Opioid tapering outcomes", published_on=date(2025, 11, 20))
        db.session.add_all([item, theirs])
        db.session.flush()
        line = ScholarlyAuthor(item_id=theirs.id, position=1, name="Fellow T", member_id=fellow,
                               confirmation=AuthorConfirmation.PENDING)
        staged = ScholarlyImport(owner_id=fellow, rows=[{"label": "Item 1 (line 1)", "title": "A paper"}])
        db.session.add_all([line, staged, ScholarlyAuthor(item_id=item.id, position=0, name="Fellow T")])
        db.session.commit()
        return {"owner": owner.id, "item": item.id, "line": line.id, "staged": staged.id}
