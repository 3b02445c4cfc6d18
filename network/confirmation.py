"""One way to confirm a destructive action, and to undo one for a short time.

A destructive button posts to its route as before. Without ``confirm=yes`` in the form the route answers
(200) with a confirmation page that says what will happen and carries the posted fields over, so the
member's choices (an outcome, a reason) reach the second POST unchanged; "Cancel" is a plain link back.
Everything happens on the server: no JavaScript ``confirm()``, keyboard and screen reader friendly, and
CSRF-checked on both posts like every other form.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import flash, render_template, request

from network.types import utcnow

#: How long a soft-deleted thing can be brought back by the member who removed it.
UNDO_WINDOW = timedelta(minutes=10)

_NOT_CARRIED = frozenset({"csrf_token", "confirm"})


def confirmed() -> bool:
    """Did the member confirm on the confirmation page?"""
    return request.form.get("confirm") == "yes"


def confirmation_page(*, title: str, consequences: str, button: str, cancel: str, details: tuple[str, ...] = ()):
    """The confirmation page for the action posted to this URL: ``consequences`` says what it does (and
    whether it can be undone), ``button`` names the action, ``cancel`` is where "Cancel" leads."""
    carried = [(name, value) for name, value in request.form.items(multi=True) if name not in _NOT_CARRIED]
    return render_template("confirm.html", title=title, consequences=consequences, details=details,
                           button=button, cancel=cancel, action=request.path, carried=carried)


def within_undo_window(done_at: datetime | None, now: datetime | None = None) -> bool:
    """Was it done recently enough to undo?"""
    return done_at is not None and (now or utcnow()) - done_at <= UNDO_WINDOW


def flash_undo(message: str, undo_url: str) -> None:
    """A success message with an "Undo" button: a POST to ``undo_url``, which checks permission and window.
    The URL rides in the category ("undo <url>") so the waiting message stays a pair of strings."""
    flash(message, f"undo {undo_url}")
