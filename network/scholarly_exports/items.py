"""Scholarly items read for the CV and the ADS export, and turned into ``Reference`` values."""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from network.extensions import db
from network.scholarly.models import ScholarlyItem
from network.scholarly.queries import items_of
from network.scholarly_exports.references import Author, Reference, names_member


def citation(item: ScholarlyItem, member_id: int | None = None, member_name: str = "") -> Reference:
    """``item`` as a citation (its authors loaded), the member's own author line marked: the line linked to
    them, or, when none is, the lines that print their name ("Rivera AM" for Alex M. Rivera)."""
    linked = member_id is not None and any(author.member_id == member_id for author in item.authors)
    authors = tuple(Author(author.name, author.member_id == member_id if linked
                           else bool(member_name) and names_member(author.name, member_name))
                    for author in item.authors)
    return Reference(kind=str(item.kind), status=str(item.status), title=item.title, authors=authors,
                    venue=item.venue, published_on=item.published_on, volume=item.volume, issue=item.issue,
                    pages=item.pages, doi=item.doi, pmid=item.pmid)


def citations_of(user) -> list[Reference]:
    """The member's own record for their CV (their items and those they confirmed as co-author), newest
    first, in two queries (the items, then their authors)."""
    items = db.session.scalars(items_of(user.id).options(selectinload(ScholarlyItem.authors))
                               .order_by(ScholarlyItem.published_on.desc().nulls_first(), ScholarlyItem.id.desc()))
    return [citation(item, user.id, user.name) for item in items]
