"""Counts in words: "1 invitation", "2 invitations", never the noun with a bracketed "s"."""

from __future__ import annotations


def plural(count: int, singular: str, many: str | None = None) -> str:
    """``count`` and the noun in the form that agrees with it; ``many`` for irregular plurals
    (``plural(n, "entry", "entries")``), else the singular with an "s"."""
    noun = singular if count == 1 else (many or f"{singular}s")
    return f"{count:,} {noun}"
