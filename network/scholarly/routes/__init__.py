"""The scholarly blueprint: a member's items (list, add, edit, delete, link authors), the import, co-authors'
confirmations, and what the profile page and the mentorship workspace show of it."""

from network.scholarly.routes import importing, items  # noqa: F401  (their views register on the blueprint)
from network.scholarly.routes.blueprint import bp

__all__ = ["bp"]
