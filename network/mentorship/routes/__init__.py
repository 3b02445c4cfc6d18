"""Mentoring pages: ``mentors`` (my mentoring, mentor settings, recommendations, asking a mentor),
``requests`` (answering and withdrawing requests) and ``workspace`` (a mentorship's agreement, goals,
meetings and its end)."""

from __future__ import annotations

# Importing the view modules registers their views on the blueprint.
from network.mentorship.routes import mentors, requests, workspace  # noqa: F401  (registers the views)
from network.mentorship.routes.blueprint import bp

__all__ = ["bp"]
