"""Who is connected to whom, for the privacy rule ``network.permissions.can_see``."""

from __future__ import annotations

from sqlalchemy import Select, select

from network.programs.models import Cohort, CohortMembership


def viewer_program_ids(viewer_id: int) -> Select:
    """A ``select`` of the ids of the programs the viewer belongs to (any cohort, any role)."""
    return (select(Cohort.program_id)
            .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
            .where(CohortMembership.user_id == viewer_id))


def connected_member_ids(viewer_id: int) -> Select:
    """A ``select`` of the members connected to the viewer: the people of the viewer's programs."""
    return (select(CohortMembership.user_id)
            .join(Cohort, Cohort.id == CohortMembership.cohort_id)
            .where(Cohort.program_id.in_(viewer_program_ids(viewer_id))))
