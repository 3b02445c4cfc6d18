"""Who is connected to whom, for the privacy rule ``network.permissions.can_see``."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from network.extensions import db
from network.mentorship.models import Mentorship, MentorshipStatus
from network.permissions import can_see
from network.profiles.models import Profile
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


def emails_shown(viewer_id: int, user_ids) -> set[int]:
    """Which of ``user_ids`` let the viewer see their email, as their profile pages would (``can_see`` at
    their email's level; a member without a profile shows it to nobody else), in one query."""
    ids = list(user_ids)
    if not ids:
        return set()
    rows = db.session.execute(select(Profile.user_id, Profile.email_visibility,
                                     Profile.user_id.in_(connected_member_ids(viewer_id)))
                              .where(Profile.user_id.in_(ids)))
    return {user_id for user_id, level, connected in rows
            if can_see(level, viewer_id=viewer_id, owner_id=user_id, connected=bool(connected))}
