"""Scholarly items read for the CV and the ADS export, and turned into ``Reference`` values."""

from __future__ import annotations

from sqlalchemy import select

from network.extensions import db
from network.scholarly.models import ScholarlyAuthor, ScholarlyItem
from network.scholarly.queries import items_of
from network.scholarly_exports.references import Author, Reference, names_member


def authors_of(item_ids) -> dict[int, list[ScholarlyAuthor]]:
    """The author lines of the items ``item_ids``, in printed order, in one query however many items there are
    (``selectinload`` would split past 500)."""
    found: dict[int, list[ScholarlyAuthor]] = {}
    ids = list(item_ids)
    if ids:
        for author in db.session.scalars(select(ScholarlyAuthor).where(ScholarlyAuthor.item_id.in_(ids))
                                         .order_by(ScholarlyAuthor.item_id, ScholarlyAuthor.position)):
            found.setdefault(author.item_id, []).append(author)
    return found


def citation(item: ScholarlyItem, authors: list[ScholarlyAuthor], member_id: int | None = None,
             member_name: str = "") -> Reference:
    """``item`` as a reference with its ``authors``, the member's own author line marked: the line linked to
    them, or, when none is, the lines that print their name ("Rivera AM" for Alex M. Rivera)."""
    linked = member_id is not None and any(author.member_id == member_id for author in authors)
    lines = tuple(Author(author.name, author.member_id == member_id if linked
                         else bool(member_name) and names_member(author.name, member_name))
                  for author in authors)
    return Reference(kind=str(item.kind), status=str(item.status), title=item.title, authors=lines,
                     venue=item.venue, published_on=item.published_on, volume=item.volume, issue=item.issue,
                     pages=item.pages, doi=item.doi, pmid=item.pmid)


def citations_of(user) -> list[Reference]:
    """The member's own record for their CV (their items and those they confirmed as co-author), newest
    first, in two queries (the items, then their authors)."""
    items = db.session.scalars(items_of(user.id).order_by(ScholarlyItem.published_on.desc().nulls_first(),
                                                          ScholarlyItem.id.desc())).all()
    authors = authors_of(item.id for item in items)
    return [citation(item, authors.get(item.id, []), user.id, user.name) for item in items]
