"""Find likely patient identifiers in a draft post. Pure functions: no Flask, no database.

The guard errs towards asking: a match never blocks a post by itself, it asks the author to
confirm (or, in a case-discussion category, holds the post for a moderator). Clinical shorthand
— spinal levels (L4-L5, C7), doses (10 mg), durations (3 months), pain scores (5/10), blood
pressures (120/80), CPT and ICD codes — must not trip it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_NUMERIC_DATE = r"(?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|[12]\d|3[01])[/.-](?:19|20)?\d\d"
_ISO_DATE = r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
_WORD_DATE = (rf"(?:{_MONTHS}\.?\s+(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d"
              rf"|(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+(?:19|20)\d\d)")
_ANY_DATE = rf"(?:{_NUMERIC_DATE}|{_ISO_DATE}|{_WORD_DATE})"
_STREET_TYPES = (r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|court|ct|way|place|pl|"
                 r"terrace|circle|highway|hwy|parkway|pkwy)")

#: (kind, human label, pattern). Order matters only for overlapping matches: earlier wins.
PATTERNS: list[tuple[str, str, re.Pattern]] = [
    ("dob", "date of birth",
     re.compile(rf"\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|born(?: on)?)\s*[:#-]?\s*{_ANY_DATE}", re.IGNORECASE)),
    ("ssn", "social security number",
     re.compile(r"\b(?:ssn\s*[:#]?\s*)?(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b", re.IGNORECASE)),
    ("mrn", "medical record number",
     re.compile(r"\b(?:mrn|mr#|mr\s*no\.?|medical record(?: number| no\.?| #)?|chart(?: number| no\.?| #)|"
                r"acct(?:ount)?\s*(?:#|no\.?|number)|patient id)\s*[:#]?\s*[A-Z]{0,3}\d[\d-]{4,}\b", re.IGNORECASE)),
    ("email", "email address", re.compile(r"\b[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")),
    ("phone", "phone number",
     re.compile(r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])")),
    ("address", "street address",
     re.compile(rf"\b\d{{1,5}}\s+(?:[A-Z][a-z]+\.?\s+){{1,3}}{_STREET_TYPES}\b\.?", re.IGNORECASE)),
    ("age", "age over 89",
     re.compile(r"\b(?:(?:9\d|1[0-1]\d)[\s-]?(?:years?|yrs?|y)[\s-]?(?:old|o\b|/o)|(?:9\d|1[0-1]\d)\s?yo\b|"
                r"(?:aged?|age:)\s*(?:9\d|1[0-1]\d)\b)", re.IGNORECASE)),
    ("name", "patient name",
     re.compile(r"\b(?:patient|pt\.?|client|gentleman|lady|man|woman|boy|girl)\s+(?:named|called|by the name of|"
                r"whose name is|name is|name:)\s+[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?"
                r"|\b(?:patient|pt\.?)\s+(?:Mr|Mrs|Ms|Miss)\.?\s+[A-Z][a-z'-]+")),
    ("date", "full date (a date tied to a patient)", re.compile(rf"\b{_ANY_DATE}\b", re.IGNORECASE)),
    ("mrn", "long identifier number", re.compile(r"(?<![\w.,/-])\d{8,12}(?![\w.,/-])")),
]


@dataclass(frozen=True)
class Match:
    kind: str
    label: str
    start: int
    end: int
    text: str


def find_phi(text: str | None) -> list[Match]:
    """Likely patient identifiers in ``text``, in order, without overlaps."""
    if not text:
        return []
    found: list[Match] = []
    taken: list[tuple[int, int]] = []
    for kind, label, pattern in PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            found.append(Match(kind, label, start, end, m.group(0)))
    return sorted(found, key=lambda match: match.start)


def highlight(text: str, matches: list[Match]) -> str:
    """``text`` as escaped HTML with each match wrapped in ``<mark>``."""
    parts = []
    position = 0
    for match in matches:
        parts.append(html.escape(text[position:match.start]))
        parts.append(f'<mark title="{html.escape(match.label)}">{html.escape(match.text)}</mark>')
        position = match.end
    parts.append(html.escape(text[position:]))
    return "".join(parts)
