"""URL slugs from names."""

from __future__ import annotations

import re


def slugify(text: str, max_length: int, fallback: str) -> str:
    """Lower-case ASCII words joined by hyphens, at most ``max_length`` long; ``fallback`` if none remain."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:max_length] or fallback
