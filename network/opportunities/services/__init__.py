"""What members do with opportunities, one module per job: ``posting`` (post, edit, close, reopen, remove),
``engagement`` (bookmarks and expressions of interest), ``rsvp`` (answers, capacity and the waitlist) and
``preferences`` (the calendar feed and the weekly digest). Services add and flush, raise the domain errors
below, never commit; what the pages read is in ``network.opportunities.queries``."""

from __future__ import annotations


class OpportunityError(Exception):
    """A request the domain refuses; ``field`` names the form field it is about, if any."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(OpportunityError):
    """The opportunity is not in a state that allows this (closed, over, already done)."""

    status = 409
