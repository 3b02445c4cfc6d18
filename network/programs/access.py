"""Who manages which program: admins every program, faculty the programs they are staff of.

Other areas call these predicates; they read only the programs' own tables.
"""

from __future__ import annotations

from sqlalchemy import select

from network.extensions import db
from network.members.models import Role
from network.programs.models import ProgramStaff


def managed_program_ids(user) -> frozenset[int]:
    """The ids of the programs ``user`` is staff of, queried once per loaded user."""
    cached = getattr(user, "_managed_program_ids", None)
    if cached is None:
        if not (user and user.is_authenticated and user.is_verified and user.role == Role.FACULTY):
            cached = frozenset()
        else:
            cached = frozenset(db.session.scalars(
                select(ProgramStaff.program_id).where(ProgramStaff.user_id == user.id)))
        user._managed_program_ids = cached
    return cached


def can_manage_program(user, program) -> bool:
    """Admins manage every program; faculty only the programs they are staff of."""
    if program is None or not (user and user.is_authenticated and user.is_verified):
        return False
    if user.role == Role.ADMIN:
        return True
    return program.id in managed_program_ids(user)


def can_manage_cohort(user, cohort) -> bool:
    """A cohort is managed by whoever manages its program."""
    if cohort is None or not (user and user.is_authenticated and user.is_verified):
        return False
    if user.role == Role.ADMIN:
        return True
    return cohort.program_id in managed_program_ids(user)


def manages_any_program(user) -> bool:
    """Admins, and faculty who are staff of at least one program (shows the Programs menu)."""
    if not (user and user.is_authenticated and user.is_verified):
        return False
    return user.role == Role.ADMIN or bool(managed_program_ids(user))
