"""Importing citations: read a paste or file, keep the parsed items for the preview (never in the cookie), mark
the ones the member already has, and save the chosen ones. No network lookups: what the text says is all we use.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete

from network.extensions import db
from network.members.models import User
from network.scholarly import queries
from network.scholarly.citations import Citation, read_citations
from network.scholarly.models import ItemKind, ItemStatus, ScholarlyImport, normalize_title
from network.scholarly.services import ItemData, save_item
from network.text import phi_guard


class ImportProblems(Exception):
    """Some items cannot be saved as they are: each with its messages; nothing was kept."""

    def __init__(self, items: list[Citation]):
        super().__init__("some items cannot be imported")
        self.items = [item for item in items if item.problems]


def mark_duplicates(owner_id: int, items: list[Citation]) -> None:
    """Mark each item that repeats one of the member's (same DOI, PMID or normalised title) or an earlier one of
    the same file, in one query."""
    found = queries.duplicates_of(owner_id, {i.doi for i in items}, {i.pmid for i in items},
                                  {normalize_title(i.title) for i in items})
    seen: list[tuple[str, str, str, str]] = [(row.doi, row.pmid, row.normalized_title, f"“{row.title}”")
                                             for row in found]
    for n, item in enumerate(items):
        title = normalize_title(item.title)
        for doi, pmid, other_title, name in seen:
            if item.doi and item.doi == doi:
                item.duplicate = f"Same DOI as {name}."
            elif item.pmid and item.pmid == pmid:
                item.duplicate = f"Same PMID as {name}."
            elif title and title == other_title:
                item.duplicate = f"Same title as {name}."
            if item.duplicate:
                break
        seen.append((item.doi, item.pmid, title, f"item {n + 1} of this import"))


def stage(owner: User, text: str, filename: str = "") -> ScholarlyImport:
    """Read the citations and keep them for the preview, replacing the member's earlier unsaved import. Raises
    ``citations.CitationError`` for text in no known format, ``ImportProblems`` when an item cannot be saved."""
    items = read_citations(text)
    for item in items:
        found = phi_guard.check(item.title)
        if found is not None and found.strong:
            item.problems.append("its title holds what looks like a patient identifier; remove it before importing.")
    if any(item.problems for item in items):
        raise ImportProblems(items)
    mark_duplicates(owner.id, items)
    db.session.execute(delete(ScholarlyImport).where(ScholarlyImport.owner_id == owner.id))
    staged = ScholarlyImport(owner_id=owner.id, filename=filename[:200], rows=[item.as_dict() for item in items])
    db.session.add(staged)
    db.session.flush()
    return staged


def citations_of(staged: ScholarlyImport) -> list[Citation]:
    return [Citation(**row) for row in staged.rows]


def save(staged: ScholarlyImport, owner: User, chosen: list[int]) -> list:
    """Save the chosen items (their positions in the preview), visible to members like a new item, then forget
    the import. Returns the items saved."""
    items = citations_of(staged)
    saved = []
    for index in sorted(set(chosen)):
        item = items[index]
        saved.append(save_item(owner, None, ItemData(
            kind=ItemKind(item.kind), status=ItemStatus(item.status), title=item.title, authors=item.authors,
            venue=item.venue, published_on=date.fromisoformat(item.published_on) if item.published_on else None,
            volume=item.volume, issue=item.issue, pages=item.pages, doi=item.doi, pmid=item.pmid)))
    db.session.delete(staged)
    return saved
