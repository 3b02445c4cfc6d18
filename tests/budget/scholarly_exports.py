"""Scholarly exports: the fellow's CV grows by items (two authors each), and the cohorts area's class by
fellows with items in its academic year (some private, some flagged), for the ADS export and the cohort
dashboard's tiles."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import insert, select

from network.extensions import db
from tests.budget import _rows

#: The ADS export looks at the academic year of the cohorts area's class (July 2025 to June 2026).
ARGUMENTS = {"scholarly_exports.ads_page": {"year": "ads_year"}, "scholarly_exports.ads_csv": {"year": "ads_year"}}

_batches = itertools.count(1)


def _items(owners: list[int], batch: int, published_on: date) -> None:
    from network.scholarly.models import ScholarlyAuthor, ScholarlyItem
    from network.types import utcnow

    now = utcnow()
    kinds = ("article", "poster", "case_report", "grant")
    titles = [f"Budget item {batch}-{n}" for n in range(len(owners))]
    db.session.execute(insert(ScholarlyItem), [
        {"owner_id": owner, "kind": kinds[n % 4], "status": "published" if n % 2 else "presented", "title": title,
         "normalized_title": title.lower(), "venue": "Pain Med",
         "published_on": published_on if n % 3 else date(2019, 1, 1),
         "volume": "", "issue": "", "pages": "", "doi": "", "pmid": "" if n % 2 else "39000000",
         "visibility": "private" if n % 5 == 0 else "members", "created_at": now, "updated_at": now}
        for n, (owner, title) in enumerate(zip(owners, titles, strict=True))])
    items = db.session.execute(select(ScholarlyItem.id, ScholarlyItem.owner_id)
                               .where(ScholarlyItem.title.in_(titles))).all()
    db.session.execute(insert(ScholarlyAuthor), [
        {"item_id": item, "position": position, "name": name, "member_id": member, "confirmation": None}
        for item, owner in items for position, name, member in ((1, "Budget A", owner), (2, "Co Author B", None))])


def populate(app, people, named, count):
    from network.programs.models import CohortMembership
    from network.types import utcnow

    batch = next(_batches)
    with app.app_context():
        _items([people["fellow"].id] * count, batch, date(2026, 9, 1))
        if "program_slug" in named and "cohort" in named:
            fellows = _rows.members(count, role="fellow", prefix="Scholar")
            db.session.execute(insert(CohortMembership), [
                {"cohort_id": named["cohort"], "user_id": f, "role": "fellow", "joined_at": utcnow()} for f in fellows])
            _items(fellows, batch + 1000, date(2025, 9, 1))
            named["ads_year"] = 2025
        db.session.commit()
