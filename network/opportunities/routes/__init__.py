"""Opportunity pages, one module per page group: ``board`` (the board, the archive, the member's list),
``opportunity`` (one opportunity's page), ``posting`` (post, edit, close, reopen, remove), ``engagement``
(bookmarks, interest, RSVPs) and ``calendars`` (calendar files, the personal feed, the digest settings).
Each route: load (404 for what the member may not see), check (403), validate, call a service, commit
once, flash, redirect."""

# Importing the view modules registers their views on the blueprint.
from network.opportunities.routes import board, calendars, engagement, opportunity, posting  # noqa: F401
from network.opportunities.routes.blueprint import bp

__all__ = ["bp"]
