"""A reader for PubMed's MEDLINE (.nbib) text format: records of ``TAG - value`` lines, values continued on lines
indented by six spaces, records separated by a blank line.

Written here because no maintained library fits: ``nbib`` was last released in 2021, and Biopython's
``Bio.Medline`` would bring all of Biopython for twenty lines of parsing. Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from network.scholarly.models import ItemKind

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) {0,3}- ?(.*)$")
_CONTINUATION = "      "
#: Publication types (PT) that make an item something other than an article, most specific first.
KINDS = (("Case Reports", ItemKind.CASE_REPORT), ("Systematic Review", ItemKind.REVIEW), ("Review", ItemKind.REVIEW),
         ("Congress", ItemKind.ABSTRACT), ("Meeting Abstract", ItemKind.ABSTRACT))


@dataclass
class Record:
    line: int  # where it starts
    fields: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def values(self, tag: str) -> list[str]:
        return [value for name, value in self.fields if name == tag]

    def first(self, tag: str) -> str:
        return next(iter(self.values(tag)), "")


def read(text: str) -> list[Record]:
    """The records of MEDLINE text, each with the problems of its malformed lines."""
    records: list[Record] = []
    current: Record | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            current = None
            continue
        if line.startswith(_CONTINUATION) and current is not None and current.fields:
            tag, value = current.fields[-1]
            current.fields[-1] = (tag, f"{value} {line.strip()}")
            continue
        if current is None:
            current = Record(line=number)
            records.append(current)
        match = _TAG_LINE.match(line)
        if match is None:
            current.problems.append(f"line {number} is not a MEDLINE field (“{line.strip()[:40]}”).")
            continue
        current.fields.append((match.group(1), match.group(2).strip()))
    for record in records:
        if not record.problems and not record.values("PMID"):
            record.problems.append("it has no PMID line (a PubMed record starts with “PMID- ”).")
    return records


def kind_of(publication_types: list[str]) -> ItemKind:
    """The kind of item its publication types (PT) say it is; an article unless one says otherwise."""
    for name, kind in KINDS:
        if name in publication_types:
            return kind
    return ItemKind.ARTICLE


def doi_of(identifiers: list[str]) -> str:
    """The DOI among a record's LID and AID values ("10.1093/pm/pnae123 [doi]")."""
    for value in identifiers:
        if value.endswith("[doi]"):
            return value.removesuffix("[doi]").strip()
    return ""
