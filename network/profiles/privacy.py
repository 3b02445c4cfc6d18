"""Who is connected to whom, for the privacy rule ``network.permissions.can_see``."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from network.mentorship.models import Mentorship, MentorshipStatus
from network.programs.models import Cohort, CohortMembership


def viewer_program_ids(viewer_id) -> Select:
    """A ``select`` of the ids of the programs the viewer belongs to (any cohort, any role)."""
    return (select(Cohort.program_id)
            .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
            .where(CohortMembership.user_id == viewer_id))


def connected_member_ids(viewer_id: int) -> Select:
    """A ``select`` of the members connected to the viewer: the people of the viewer's programs,
    and the viewer's active mentors and mentees."""
    program_mates = (select(CohortMembership.user_id.label("user_id"))
                     .join(Cohort, Cohort.id == CohortMembership.cohort_id)
                     .where(Cohort.program_id.in_(viewer_program_ids(viewer_id))))
    mentees = select(Mentorship.mentee_id).where(Mentorship.mentor_id == viewer_id,
                                                 Mentorship.status == MentorshipStatus.ACTIVE)
    mentors = select(Mentorship.mentor_id).where(Mentorship.mentee_id == viewer_id,
                                                 Mentorship.status == MentorshipStatus.ACTIVE)
    return program_mates.union(mentees, mentors)


def viewer_partner_ids(viewer_id) -> Select:
    """A ``select`` of the members the viewer mentors or is mentored by (active mentorships), as ``id``."""
    return (select((Mentorship.mentee_id + Mentorship.mentor_id - viewer_id).label("id"))
            .where(or_(Mentorship.mentee_id == viewer_id, Mentorship.mentor_id == viewer_id),
                   Mentorship.status == MentorshipStatus.ACTIVE))
