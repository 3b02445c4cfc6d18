"""The administrators' wing, a module per page group: the dashboard, members and their verification,
programs and their staff, the taxonomy, identity providers, the audit log."""

# Importing the view modules registers their views on ``bp`` (so F401, "unused", does not apply).
from network.admin.routes import audit, dashboard, identity_providers, members, programs, taxonomy  # noqa: F401
from network.admin.routes.blueprint import bp

__all__ = ["bp"]
