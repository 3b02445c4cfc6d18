"""Scholarly items: each member's record grows (own items with their author lines, items co-authored and confirmed),
the fellow's confirmations to give, and the fellow's staged import."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from network.extensions import db

_ITEM = {"item_id": "budget_item"}
ARGUMENTS = {"scholarly.edit": _ITEM, "scholarly.authors": _ITEM, "scholarly.delete": _ITEM,
             "scholarly.member_items": {"user_id": "budget_scholar"},
             "scholarly.import_preview": {"import_id": "budget_import"}}
VIEWERS = {"scholarly.edit": "fellow", "scholarly.authors": "fellow", "scholarly.import_preview": "fellow"}


def populate(app, people, named, count):
    from datetime import date

    from network.scholarly.models import ScholarlyAuthor, ScholarlyImport, ScholarlyItem
    from network.types import utcnow

    with app.app_context():
        fellow, alumni = people["fellow"].id, people["alumni"].id
        named.setdefault("budget_scholar", alumni)
        now = utcnow()
        owners = [people[role].id for role in ("fellow", "alumni", "faculty", "admin")]
        db.session.execute(insert(ScholarlyItem), [
            {"owner_id": owner, "kind": kind, "status": "published", "title": f"Budget paper {n}",
             "normalized_title": f"budget paper {n}", "venue": "Pain Medicine", "published_on": date(2025, 1, 1),
             "volume": "26", "issue": "3", "pages": "1-9", "doi": f"10.1093/pm/{n}", "pmid": "", "visibility": level,
             "created_at": now, "updated_at": now}
            for owner in owners for n in range(count)
            for kind, level in [(("article", "abstract", "poster")[n % 3], ("members", "connected", "private")[n % 3])]])
        items = db.session.execute(select(ScholarlyItem.id, ScholarlyItem.owner_id).where(
            ~select(ScholarlyAuthor.id).where(ScholarlyAuthor.item_id == ScholarlyItem.id).exists())).all()
        # The owner's line, a co-author who is a member (confirmed, or waiting for the fellow), and a plain name.
        db.session.execute(insert(ScholarlyAuthor), [
            {"item_id": item_id, "position": position, "name": name, "member_id": member, "confirmation": answer}
            for item_id, owner in items
            for position, name, member, answer in (
                (0, "Owner A", owner, None),
                (1, "Fellow F", fellow, "pending") if owner != fellow else (1, "Alumna A", alumni, "confirmed"),
                (2, "Someone S", None, None))])
        named.setdefault("budget_item", db.session.scalar(select(func.min(ScholarlyItem.id))
                                                          .where(ScholarlyItem.owner_id == fellow)))
        if "budget_import" not in named:
            staged = ScholarlyImport(owner_id=fellow, rows=[])
            db.session.add(staged)
            db.session.flush()
            named["budget_import"] = staged.id
        staged = db.session.get(ScholarlyImport, named["budget_import"])
        staged.rows = staged.rows + [{"label": f"Item {n}", "title": f"Imported {n}", "authors": ["Okafor AN"]}
                                     for n in range(len(staged.rows), len(staged.rows) + count)][:200]
        db.session.commit()
