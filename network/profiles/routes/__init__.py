"""Profiles, a module per page group: finding and seeing members (the directory, profile pages, photos,
saved people), editing my profile and photo, and my own data (download it, delete the account)."""

# Importing the view modules registers their views on ``bp`` (so F401, "unused", does not apply).
from network.profiles.routes import editing, members, own_data  # noqa: F401
from network.profiles.routes.blueprint import bp

__all__ = ["bp"]
