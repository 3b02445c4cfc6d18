"""Roles and outcome shorthands for the access matrix."""

from __future__ import annotations

ROLES = ("anonymous", "pending", "fellow", "alumni", "faculty", "admin")

LOGIN = "→/auth/login"
PENDING = "→/pending"
HOME = "→/"
ACCOUNT = "→/auth/account"
ADMIN_LIST = "→/admin/members/pending"


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def members(anonymous, pending, member, admin=None):
    """Outcomes for visitors, pending members, verified non-admins and admins."""
    return {"anonymous": anonymous, "pending": pending, "fellow": member, "alumni": member, "faculty": member,
            "admin": member if admin is None else admin}
