"""The words of a search box, and the match expressions each database reads them as."""

from __future__ import annotations

import re

#: How many words a search box reads; the rest are ignored.
MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str | None, limit: int = MAX_TERMS) -> list[str]:
    """The words of a search box, lower-cased, at most ``limit``; punctuation and operators are dropped,
    so no query syntax reaches the database."""
    return _WORD.findall((query or "").lower())[:limit]


def fts5_expression(terms: list[str], every_prefix: bool = True) -> str:
    """An FTS5 MATCH expression needing every term: each quoted, as a prefix (or only the last one)."""
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    if every_prefix:
        return " ".join(word + "*" for word in quoted)
    return " ".join(quoted[:-1] + [quoted[-1] + "*"])


def tsquery_expression(terms: list[str]) -> str:
    """A PostgreSQL ``to_tsquery`` text needing every term, each as a prefix."""
    return " & ".join(f"{term}:*" for term in terms)


#: Control characters: stripped from indexed text, so a snippet's highlight marks (control characters
#: too) can only be the database's.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def without_controls(words: str | None) -> str:
    return _CONTROLS.sub(" ", words or "")
