"""Matching rounds' pages: open a round, rank, review, preview with explanations, overrides, runs, publish,
export; a module per page group, all on one blueprint."""

from __future__ import annotations

# Importing the view modules registers their views on ``bp``.
from network.matching.routes import lists, opening, preview, publishing  # noqa: F401
from network.matching.routes.blueprint import bp

__all__ = ["bp"]
