"""What the mentoring pages read besides the services: the recommendation cards' mentors, what already
links a fellow to a mentor (for "Ask to mentor"), the kinds a request may name, and past mentorships."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, bindparam, literal, null, or_, select, union_all
from sqlalchemy.orm import joinedload

from network.database import prebuilt
from network.extensions import db
from network.members.models import Role, User
from network.mentorship.models import (
    MentoringType,
    MentorSettings,
    Mentorship,
    MentorshipRequest,
    MentorshipStatus,
    RequestStatus,
)
from network.permissions import can_see
from network.profiles.models import Profile
from network.profiles.privacy import connected_member_ids


@dataclass(frozen=True, slots=True)
class MentorCard:
    """What a recommendation card shows of a mentor besides the name: the location only where the mentor
    lets the viewer see it (``network.permissions.can_see``), so a template cannot show a hidden one."""

    role: Role
    photo_version: int
    institution: str
    place: str


@prebuilt
def _card_statement():
    """The cards' columns for a page of mentors, with whether each is connected to the viewer, in one query."""
    viewer_id = bindparam("viewer_id", type_=Integer)
    return (select(User.id, User.role, Profile.photo_version, Profile.institution, Profile.city, Profile.region,
                   Profile.country, Profile.location_visibility,
                   User.id.in_(connected_member_ids(viewer_id)).label("connected"))
            .outerjoin(Profile, Profile.user_id == User.id)
            .where(User.id.in_(bindparam("ids", expanding=True))))


def mentor_cards(viewer_id: int, mentor_ids: list[int]) -> dict[int, MentorCard]:
    """Photo, role, institution and (where visible to ``viewer_id``) location of each mentor shown."""
    if not mentor_ids:
        return {}
    cards = {}
    for row in db.session.connection().execute(_card_statement(), {"viewer_id": viewer_id, "ids": list(mentor_ids)}):
        place = ""
        if row.location_visibility is not None and can_see(row.location_visibility, viewer_id=viewer_id,
                                                           owner_id=row.id, connected=bool(row.connected)):
            place = ", ".join(part for part in (row.city, row.region, row.country) if part)
        cards[row.id] = MentorCard(row.role, row.photo_version or 0, row.institution or "", place)
    return cards


@dataclass(frozen=True, slots=True)
class Tie:
    """What already links a fellow to a mentor: a request ``asked`` and waiting, or an active mentorship
    (``mentor``); or ``full``, the mentor has no place free."""

    kind: str
    type: MentoringType | None
    id: int | None
    since: object


@prebuilt
def _ties_statement():
    fellow, mentor = bindparam("fellow_id", type_=Integer), bindparam("mentor_id", type_=Integer)
    return union_all(
        select(literal("asked").label("kind"), MentorshipRequest.type, MentorshipRequest.id,
               MentorshipRequest.created_at.label("since"))
        .where(MentorshipRequest.mentee_id == fellow, MentorshipRequest.mentor_id == mentor,
               MentorshipRequest.status == RequestStatus.PENDING),
        select(literal("mentor"), Mentorship.type, Mentorship.id, Mentorship.started_at)
        .where(Mentorship.mentee_id == fellow, Mentorship.mentor_id == mentor,
               Mentorship.status == MentorshipStatus.ACTIVE),
        select(literal("full"), null(), null(), null())
        .where(MentorSettings.user_id == mentor, MentorSettings.active_mentees >= MentorSettings.capacity))


def ties_between(fellow_id: int, mentor_id: int) -> list[Tie]:
    """The fellow's waiting requests to and active mentorships with the mentor, and whether the mentor is
    full, in one query (for the profile page's "Ask to mentor")."""
    return [Tie(*row) for row in db.session.execute(_ties_statement(),
                                                   {"fellow_id": fellow_id, "mentor_id": mentor_id})]


def request_types(fellow: User, settings: MentorSettings) -> tuple[list[MentoringType], MentoringType | None]:
    """The kinds of mentoring the mentor offers (every kind if their settings name none) and the first of
    them the fellow has no mentor for yet: what the request form offers and starts on."""
    offered = [t for t in MentoringType if t.value in (settings.types or [])] or list(MentoringType)
    taken = set(db.session.scalars(select(Mentorship.type).where(
        Mentorship.mentee_id == fellow.id, Mentorship.status == MentorshipStatus.ACTIVE)))
    return offered, next((t for t in offered if t not in taken), None)


def past_mentorships(user: User, limit: int = 100) -> list[Mentorship]:
    """The member's completed and ended mentorships, as mentee or mentor, latest ended first, with both
    members, in one query."""
    return db.session.scalars(
        select(Mentorship).where(or_(Mentorship.mentee_id == user.id, Mentorship.mentor_id == user.id),
                                 Mentorship.status != MentorshipStatus.ACTIVE)
        .options(joinedload(Mentorship.mentee), joinedload(Mentorship.mentor))
        .order_by(Mentorship.ended_at.desc(), Mentorship.id.desc()).limit(limit)).all()
