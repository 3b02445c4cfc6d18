"""Scholarly items as printed references (Vancouver style): the plain values every CV writer and the ADS
export print (``network.scholarly.citations`` reads citations in; this module writes them out).

No Flask and no database here: ``Reference`` is built from an item and its authors by the callers, and
the writers (PDF, DOCX, Markdown) only choose how to mark the member's own name in bold.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

#: The CV's scholarly sections, in the usual order of a medical CV: (item kind, heading).
SECTIONS = (
    ("article", "Peer-reviewed articles"),
    ("review", "Reviews"),
    ("case_report", "Case reports"),
    ("chapter", "Book chapters"),
    ("abstract", "Abstracts"),
    ("poster", "Posters"),
    ("podium", "Podium presentations"),
    ("grand_rounds", "Grand rounds"),
    ("workshop", "Workshops taught"),
    ("qi_project", "Quality improvement projects"),
    ("irb_protocol", "IRB-approved protocols"),
    ("grant", "Grants"),
    ("role", "Editorial and committee roles"),
)
HEADINGS = dict(SECTIONS)

#: Kinds given at a meeting rather than printed: the citation says "Presented at".
PRESENTED_KINDS = frozenset({"abstract", "poster", "podium", "grand_rounds", "workshop"})
#: Kinds PubMed indexes once published: ADS expects a PMID for them.
PMID_KINDS = frozenset({"article", "review", "case_report"})
#: Statuses written after the citation, because the work is not out yet.
PENDING_STATUSES = {"in_preparation": "In preparation", "submitted": "Submitted", "accepted": "Accepted"}


@dataclass(frozen=True)
class Author:
    name: str
    is_member: bool  # the CV's member: printed in bold


@dataclass(frozen=True)
class Reference:
    kind: str
    status: str
    title: str
    authors: tuple[Author, ...]
    venue: str = ""
    published_on: date | None = None
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""

    @property
    def heading(self) -> str:
        return HEADINGS.get(self.kind, self.kind)

    @property
    def source(self) -> str:
        """Venue, date and volume/issue/pages as Vancouver style writes them: ``Pain Med. 2026 Mar;27(3):1-9.``"""
        when = _when(self.published_on)
        if self.kind in PRESENTED_KINDS:
            text = "; ".join(part for part in (f"Presented at {self.venue}" if self.venue else "", when) if part)
            return text + "." if text else ""
        numbers = self.volume + (f"({self.issue})" if self.issue else "")
        if self.pages:
            numbers += f":{self.pages}"
        dated = when + (f";{numbers}" if numbers and when else numbers)
        return " ".join(part.rstrip(".") + "." for part in (self.venue, dated) if part)

    @property
    def identifiers(self) -> str:
        """``doi:10.… PMID: 123.`` and the status when the work is not out yet."""
        parts = [f"doi:{self.doi}." if self.doi else "", f"PMID: {self.pmid}." if self.pmid else "",
                 f"{PENDING_STATUSES[self.status]}." if self.status in PENDING_STATUSES else ""]
        return " ".join(part for part in parts if part)

    def segments(self) -> list[tuple[str, bool]]:
        """The whole citation as ``(text, bold)`` pieces: authors (the member's name bold), title, source,
        identifiers; each writer joins them in its own markup."""
        pieces: list[tuple[str, bool]] = []
        for index, author in enumerate(self.authors):
            if index:
                pieces.append((", ", False))
            pieces.append((author.name, author.is_member))
        rest = " ".join(part for part in (_sentence(self.title), self.source, self.identifiers) if part)
        pieces.append(((". " if self.authors else "") + rest, False))
        return pieces

    def plain(self) -> str:
        return "".join(text for text, _ in self.segments())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def _when(day: date | None) -> str:
    return f"{day.year} {day.strftime('%b')} {day.day}" if day else ""


def _letters(text: str) -> list[str]:
    """Words of a name without accents, dots or commas, lower case: "Rivera, A.M." -> ["rivera", "am"]."""
    flat = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return [word for word in re.split(r"[\s,.]+", flat.casefold()) if word]


def names_member(author_name: str, member_name: str) -> bool:
    """Whether a citation's author name is the member's, in the forms journals print it: "Alex M. Rivera",
    "Rivera AM", "Rivera, A.", "A. Rivera" (family name and first initial agree; titles such as "Dr." in
    the member's name are skipped)."""
    member = [word for word in _letters(member_name) if word not in ("dr", "prof", "md", "phd", "do")]
    author = _letters(author_name)
    if len(member) < 2 or not author:
        return False
    family, initial = member[-1], member[0][0]
    if family not in author:
        return False
    others = [word for word in author if word != family]
    return any(word[0] == initial for word in others)
