"""The cohort dashboard's scholarly tiles: how many fellows have an accepted, published or presented item
this academic year, and the fellows' items of the year by kind (the ADS export's rule for "in the year";
only items the viewer may see). One aggregate query whatever the cohort's size."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast, func, literal, select, union_all

from network.extensions import db
from network.scholarly.models import ItemStatus, ScholarlyItem
from network.scholarly.queries import item_visible_condition
from network.scholarly_exports.ads import in_year, record_pairs, year_label
from network.scholarly_exports.references import SECTIONS

#: The statuses that count as output for the tile: the work was accepted (and perhaps since published) or given.
OUTPUT_STATUSES = (ItemStatus.ACCEPTED, ItemStatus.PUBLISHED, ItemStatus.PRESENTED)
#: The key the fellows-with-output count comes back under, beside the kinds (not a kind's value).
_WITH_OUTPUT = "*fellows"


@dataclass(frozen=True)
class ScholarlyTiles:
    year: int
    fellows_with_output: int
    by_kind: dict[str, int]  # kind value -> items, every kind of ``SECTIONS`` present

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def rows(self) -> list[tuple[str, int]]:
        """(heading, items) per kind, in the CV's order: the chart's bars and the table's rows."""
        return [(heading, self.by_kind[kind]) for kind, heading in SECTIONS]

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def build(fellow_ids, year: int, viewer_id: int) -> ScholarlyTiles:
    """The tiles for the fellows ``fellow_ids`` (a ``select`` of member ids) in academic year ``year``."""
    pairs = record_pairs(fellow_ids)
    listed = (select(ScholarlyItem.kind, ScholarlyItem.status, ScholarlyItem.id, pairs.c.person_id)
              .join(pairs, pairs.c.item_id == ScholarlyItem.id)
              .where(in_year(year), item_visible_condition(viewer_id)).subquery())
    # One statement: the items by kind, and under its own key the fellows with output.
    by_kind = select(cast(listed.c.kind, String).label("key"), func.count(func.distinct(listed.c.id)))
    with_output = (select(literal(_WITH_OUTPUT, String), func.count(func.distinct(listed.c.person_id)))
                   .where(listed.c.status.in_(OUTPUT_STATUSES)))
    counts = dict(db.session.execute(union_all(by_kind.group_by(listed.c.kind), with_output)).all())
    return ScholarlyTiles(year=year, fellows_with_output=counts.get(_WITH_OUTPUT, 0),
                          by_kind={kind: counts.get(kind, 0) for kind, _ in SECTIONS})
