"""Citations read from RIS (rispy), BibTeX (bibtexparser) and PubMed's MEDLINE format (``medline``), as plain data.

Pure: no Flask, no database, no network. ``read_citations(text)`` answers every item it found, each with the
problems that keep it from being saved (a clear message per item); the caller saves nothing when any item has one.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

import bibtexparser
import rispy
from bibtexparser import middlewares

from network.scholarly import medline
from network.scholarly.models import ItemKind, ItemStatus

DOI_PATTERN = re.compile(r"10\.\d{4,9}/\S+")
PMID_PATTERN = re.compile(r"\d{1,8}")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
#: At most this many items in one paste or file: a year's record, not a library.
MAX_ITEMS = 200
MONTHS = {name: n for n, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                            "nov", "dec"), start=1)}


class CitationError(ValueError):
    """The text as a whole is not something we read (no known format, too many items)."""


def normalize_doi(value: str) -> str:
    """A DOI in lower case without a ``https://doi.org/`` or ``doi:`` prefix ("" for none)."""
    return _DOI_PREFIX.sub("", (value or "").strip()).strip().lower()


def is_doi(value: str) -> bool:
    return bool(DOI_PATTERN.fullmatch(value))


def is_pmid(value: str) -> bool:
    return bool(PMID_PATTERN.fullmatch(value))


def printed_name(name: str) -> str:
    """An author as a citation prints it: "Okafor, Adaeze N." becomes "Okafor AN"; a name without a comma
    (already printed, or a group) stays as it is."""
    name = " ".join((name or "").split())
    if "," not in name:
        return name
    family, _, given = name.partition(",")
    initials = "".join(part[0] for part in re.split(r"[\s.\-]+", given) if part)
    return f"{family.strip()} {initials.upper()}".strip()


def parse_date(year: str | int | None, month: str | int | None = None, day: str | int | None = None) -> date | None:
    """A date from its parts as citations give them (a month as 3, "3", "mar" or "March"); the first of the month
    or year when a part is missing; None without a year, or for parts that make no date."""
    try:
        y = int(str(year).strip()[:4])
    except (TypeError, ValueError):
        return None
    m = 1
    if month not in (None, ""):
        text = str(month).strip().lower()
        m = int(text) if text.isdigit() else MONTHS.get(text[:3], 1)
    d = int(day) if str(day or "").strip().isdigit() else 1
    try:
        return date(y, m, d)
    except ValueError:
        return None


@dataclass
class Citation:
    """One parsed item, as the preview shows it and the import saves it (kept as JSON between the two)."""

    label: str  # "Item 2 (line 14)"
    kind: str = ItemKind.ARTICLE.value
    status: str = ItemStatus.PUBLISHED.value
    title: str = ""
    venue: str = ""
    published_on: str | None = None  # ISO date
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    authors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    duplicate: str = ""  # why it repeats an item the member has, if it does

    def as_dict(self) -> dict:
        return asdict(self)

    def check(self) -> Citation:
        """Normalise the DOI and PMID, and note what keeps the item from being saved."""
        self.title = " ".join(self.title.split())[:500]
        self.venue = " ".join(self.venue.split())[:300]
        self.volume, self.issue, self.pages = self.volume[:40], self.issue[:40], self.pages.replace("--", "-")[:40]
        self.authors = [name[:200] for name in (printed_name(a) for a in self.authors) if name]
        if not self.title:
            self.problems.append("it has no title.")
        raw_doi, self.doi = self.doi, normalize_doi(self.doi)
        if self.doi and not is_doi(self.doi):
            self.problems.append(f"“{raw_doi.strip()}” is not a DOI (a DOI looks like 10.1093/pm/pnae123).")
        self.pmid = self.pmid.strip()
        if self.pmid and not is_pmid(self.pmid):
            self.problems.append(f"“{self.pmid}” is not a PubMed id (PMIDs are 1 to 8 digits).")
        return self


def status_for(kind: str) -> str:
    """What an imported item most likely is: a talk or poster was presented, anything else published."""
    presented = {ItemKind.ABSTRACT, ItemKind.POSTER, ItemKind.PODIUM, ItemKind.GRAND_ROUNDS, ItemKind.WORKSHOP}
    return (ItemStatus.PRESENTED if kind in presented else ItemStatus.PUBLISHED).value


# -- RIS ---------------------------------------------------------------------------------------------------------

RIS_KINDS = {"JOUR": ItemKind.ARTICLE, "JFULL": ItemKind.ARTICLE, "EJOUR": ItemKind.ARTICLE,
             "ABST": ItemKind.ABSTRACT, "CONF": ItemKind.ABSTRACT, "CPAPER": ItemKind.ABSTRACT,
             "CHAP": ItemKind.CHAPTER, "BOOK": ItemKind.CHAPTER, "EBOOK": ItemKind.CHAPTER, "ECHAP": ItemKind.CHAPTER,
             "GRANT": ItemKind.GRANT}
_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")


def _ris_records(text: str) -> list[tuple[int, list[str], list[str]]]:
    """Split RIS text into records (first line number, lines, problems) by their ``ER`` lines."""
    records, lines, problems, start = [], [], [], None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _RIS_LINE.match(line)
        if start is None:
            start = number
        if match is None:
            problems.append(f"line {number} is not a RIS field (“{line.strip()[:40]}”).")
        elif match.group(1) == "TY" and lines:
            problems.append(f"a new item starts on line {number} before this one ends with ER.")
        lines.append(line)
        if match and match.group(1) == "ER":
            records.append((start, lines, problems))
            lines, problems, start = [], [], None
    if lines:
        records.append((start, lines, problems + ["it does not end with an ER line."]))
    return records


def read_ris(text: str) -> list[Citation]:
    items = []
    for n, (line, lines, problems) in enumerate(_ris_records(text), start=1):
        item = Citation(label=f"Item {n} (line {line})", problems=list(problems))
        if not lines[0].startswith("TY  -"):
            item.problems.append("it does not start with a TY (type) line.")
            items.append(item)
            continue
        fields = [text for text in lines if _RIS_LINE.match(text)]
        [entry] = rispy.loads("\n".join(fields) + ("" if fields[-1].startswith("ER") else "\nER  - ") + "\n")
        kind = RIS_KINDS.get(entry.get("type_of_reference", ""), ItemKind.ARTICLE)
        year, month, day = ((entry.get("year") or entry.get("date") or "") + "///").split("/")[:3]
        day_of = parse_date(year, month, day)
        item.kind, item.status = kind.value, status_for(kind)
        item.title = entry.get("title") or entry.get("primary_title") or ""
        item.venue = (entry.get("journal_name") or entry.get("secondary_title") or entry.get("alternate_title3")
                      or entry.get("publisher") or "")
        item.published_on = day_of.isoformat() if day_of else None
        item.volume, item.issue = entry.get("volume", ""), entry.get("number", "")
        item.pages = "-".join(p for p in (entry.get("start_page", ""), entry.get("end_page", "")) if p)
        item.doi = entry.get("doi", "")
        accession = entry.get("accession_number", "").strip()
        item.pmid = accession if PMID_PATTERN.fullmatch(accession or "x") else ""
        item.authors = entry.get("authors", []) or entry.get("first_authors", [])
        items.append(item.check())
    return items


# -- BibTeX ------------------------------------------------------------------------------------------------------

BIBTEX_KINDS = {"article": ItemKind.ARTICLE, "inbook": ItemKind.CHAPTER, "incollection": ItemKind.CHAPTER,
                "book": ItemKind.CHAPTER, "inproceedings": ItemKind.ABSTRACT, "conference": ItemKind.ABSTRACT}


def _field(entry, *names) -> str:
    for name in names:
        value = entry.fields_dict.get(name)
        if value is not None and value.value not in (None, ""):
            return str(value.value) if not isinstance(value.value, list) else value.value
    return ""


def read_bibtex(text: str) -> list[Citation]:
    library = bibtexparser.parse_string(text, append_middleware=[
        middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors(), middlewares.MonthIntMiddleware(True)])
    blocks = sorted([(entry.start_line, entry, None) for entry in library.entries]
                    + [(block.start_line, None, block) for block in library.failed_blocks], key=lambda b: b[0])
    items = []
    for n, (line, entry, failed) in enumerate(blocks, start=1):
        item = Citation(label=f"Item {n} (line {line + 1})")
        if failed is not None:
            error = getattr(failed, "error", None)
            reason = (getattr(error, "abort_reason", None) or str(error or "") or "it is not valid BibTeX.").strip()
            item.problems.append(f"it could not be read as BibTeX: {reason}")
            items.append(item)
            continue
        kind = BIBTEX_KINDS.get(entry.entry_type.lower(), ItemKind.ARTICLE)
        item.kind, item.status = kind.value, status_for(kind)
        item.title = _field(entry, "title")
        item.venue = _field(entry, "journal", "booktitle", "publisher", "howpublished")
        day_of = parse_date(_field(entry, "year"), _field(entry, "month"), _field(entry, "day"))
        item.published_on = day_of.isoformat() if day_of else None
        item.volume, item.issue = _field(entry, "volume"), _field(entry, "number", "issue")
        item.pages = _field(entry, "pages").replace("–", "-")
        item.doi, item.pmid = _field(entry, "doi"), _field(entry, "pmid")
        authors = entry.fields_dict.get("author")
        item.authors = list(authors.value) if authors is not None and isinstance(authors.value, list) else []
        items.append(item.check())
    return items


# -- MEDLINE -----------------------------------------------------------------------------------------------------

def read_medline(text: str) -> list[Citation]:
    items = []
    for n, record in enumerate(medline.read(text), start=1):
        item = Citation(label=f"Item {n} (line {record.line})", problems=list(record.problems))
        kind = medline.kind_of(record.values("PT"))
        item.kind, item.status = kind.value, status_for(kind)
        item.title = record.first("TI") or record.first("BTI")
        item.venue = record.first("TA") or record.first("JT")
        year, month, day = (record.first("DP").split() + ["", "", ""])[:3]
        day_of = parse_date(year, month, day)
        item.published_on = day_of.isoformat() if day_of else None
        item.volume, item.issue, item.pages = record.first("VI"), record.first("IP"), record.first("PG")
        item.doi = medline.doi_of(record.values("LID") + record.values("AID"))
        item.pmid = record.first("PMID")
        item.authors = record.values("AU") or record.values("FAU")
        items.append(item.check())
    return items


def read_citations(text: str) -> list[Citation]:
    """The items of a paste or file in whichever of the three formats it is (raises ``CitationError`` for text in
    none of them, or with more than ``MAX_ITEMS`` items)."""
    text = (text or "").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    start = text.lstrip()
    if start.startswith("@"):
        items = read_bibtex(text)
    elif re.search(r"^TY  -", text, re.MULTILINE):
        items = read_ris(text)
    elif re.search(r"^PMID-", text, re.MULTILINE):
        items = read_medline(text)
    else:
        raise CitationError("This is not RIS, BibTeX or MEDLINE: RIS starts with “TY  -”, BibTeX with “@article{” "
                            "(or another entry type), and PubMed's MEDLINE format with “PMID-”.")
    if not items:
        raise CitationError("No citation was found in it.")
    if len(items) > MAX_ITEMS:
        raise CitationError(f"It holds {len(items)} items; import at most {MAX_ITEMS} at a time.")
    return items
