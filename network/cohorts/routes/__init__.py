"""Running a cohort: ``roster`` (the roster, invitations and placements), ``roster_import`` (the CSV
roster import), ``dashboard`` (the dashboard, its charts and the CSV exports), ``graduation``, and
``invitations`` (the public page where an invited person accepts). ``loading`` holds what they load first."""

from __future__ import annotations

# Importing the view modules registers their views on the blueprint.
from network.cohorts.routes import dashboard, graduation, invitations, roster, roster_import  # noqa: F401
from network.cohorts.routes.blueprint import bp

__all__ = ["bp"]
