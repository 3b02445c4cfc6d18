"""The discussions' view of the patient-identifier detector (``network.text.phi``), kept for its callers.

The guard errs towards asking: a match never blocks a post by itself, it asks the author to
confirm (or, in a case-discussion category, holds the post for a moderator). The detection itself,
and what it must leave alone (spinal levels, doses, pain scores, codes, citations), lives in
``network.text.phi`` and is measured by ``benchmarks/phi.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from network.text import phi, phi_guard

# The words the discussion pages have always shown; kinds the old guard did not know use the detector's.
_LABELS = {"dob": "date of birth", "ssn": "social security number", "mrn": "medical record number",
           "email": "email address", "phone": "phone number", "address": "street address", "age": "age over 89",
           "name": "patient name", "date": "full date (a date tied to a patient)"}


@dataclass(frozen=True)
class Match:
    kind: str
    label: str
    start: int
    end: int
    text: str
    # Strong identifiers (a cued name, MRN, SSN, date of birth, street address) are never waved through.
    strong: bool = False


def find_phi(text: str | None) -> list[Match]:
    """Likely patient identifiers in ``text``, in order, without overlaps."""
    if not text:
        return []
    return [Match(span.kind, _LABELS.get(span.kind, span.label), span.start, span.end, text[span.start:span.end],
                  span.strong)
            for span in phi.find_phi(text)]


def any_strong(matches: list[Match]) -> bool:
    """Whether a match is a strong identifier, which no confirmation can publish."""
    return any(match.strong for match in matches)


def highlight(text: str, matches: list[Match]) -> Markup:
    """``text`` as escaped HTML with each match wrapped in ``<mark>`` (the shared form highlighter)."""
    return phi_guard.highlight(text, matches)


def marked_identifiers(texts: dict[int, str]) -> dict[int, Markup]:
    """``{key: text}`` to ``{key: the text as HTML with its likely identifiers highlighted}`` for the texts
    that have any: what a post's history and the moderation queue show."""
    marked = {}
    for key, text in texts.items():
        matches = find_phi(text)
        if matches:
            marked[key] = highlight(text, matches)
    return marked
