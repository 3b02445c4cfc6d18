"""The home page lists no rows of its own: it gathers the other areas' (mentoring, discussions,
opportunities, notifications), and every area's hook fills those for every page."""

from __future__ import annotations


def populate(app, people, named, count):
    return None
