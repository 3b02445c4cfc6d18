"""One opportunity as its pages show it: the opportunity with its poster and tags, what the viewing member did
with it (bookmark, interest, RSVP) and its counts, and for its poster the interested members and the event's
answers. Reads only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from network import permissions
from network.extensions import db
from network.members.models import User
from network.opportunities.models import Bookmark, ExpressionOfInterest, Opportunity, Rsvp, RsvpStatus
from network.profiles.models import Profile
from network.profiles.privacy import connected_member_ids


def load_opportunity(opportunity_id: int, *, lock: bool = False) -> Opportunity | None:
    """An opportunity with everything its page shows, in one query plus one per tag list. ``lock`` holds its
    row until the transaction ends, so two changes of its state take turns and the second sees the first's."""
    query = (select(Opportunity).where(Opportunity.id == opportunity_id)
             .options(joinedload(Opportunity.poster), joinedload(Opportunity.practice_setting),
                      selectinload(Opportunity.interests), selectinload(Opportunity.specialties)))
    return db.session.scalars(query.with_for_update(of=Opportunity) if lock else query).first()


@dataclass
class ViewerState:
    """What the viewing member did with one opportunity."""

    bookmarked: bool = False
    expression: ExpressionOfInterest | None = None
    rsvp: Rsvp | None = None


def viewer_state(user_id: int, opportunity_id: int) -> ViewerState:
    """The member's bookmark, interest and RSVP for one opportunity, in one query."""
    row = db.session.execute(
        select(exists().where(Bookmark.user_id == user_id, Bookmark.opportunity_id == opportunity_id),
               ExpressionOfInterest, Rsvp)
        .select_from(User)
        .outerjoin(ExpressionOfInterest, and_(ExpressionOfInterest.user_id == User.id,
                                              ExpressionOfInterest.opportunity_id == opportunity_id))
        .outerjoin(Rsvp, and_(Rsvp.user_id == User.id, Rsvp.opportunity_id == opportunity_id))
        .where(User.id == user_id)
    ).first()
    if row is None:
        return ViewerState()
    return ViewerState(bool(row[0]), row[1], row[2])


def rsvp_counts(opportunity_id: int) -> dict[str, int]:
    """How many answered each way, every status present (zero when nobody did)."""
    rows = db.session.execute(select(Rsvp.status, func.count()).where(Rsvp.opportunity_id == opportunity_id)
                              .group_by(Rsvp.status)).all()
    counts = {status.value: 0 for status in RsvpStatus}
    counts.update({str(status): n for status, n in rows})
    return counts


def interest_count(opportunity_id: int) -> int:
    """How many members said they are interested."""
    return db.session.scalar(select(func.count()).select_from(ExpressionOfInterest)
                             .where(ExpressionOfInterest.opportunity_id == opportunity_id)) or 0


@dataclass
class InterestedMember:
    """One line of the poster's list of interested members."""

    expression: ExpressionOfInterest
    user: User
    email: str | None  # only when the member's email visibility lets the viewer see it


def interested_members(viewer_id: int, opportunity: Opportunity) -> list[InterestedMember]:
    """Who said they are interested, oldest first, each email shown as its owner's privacy setting allows."""
    rows = db.session.execute(
        select(ExpressionOfInterest, User, Profile.email_visibility)
        .join(User, User.id == ExpressionOfInterest.user_id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(ExpressionOfInterest.opportunity_id == opportunity.id, User.deleted_at.is_(None))
        .order_by(ExpressionOfInterest.created_at, ExpressionOfInterest.id)
    ).all()
    ids = [user.id for _, user, _ in rows]
    connected = set()
    if ids:
        related = connected_member_ids(viewer_id).subquery()
        column = next(iter(related.c))
        connected = set(db.session.scalars(select(column).where(column.in_(ids))))
    result = []
    for expression, user, visibility in rows:
        level = str(visibility) if visibility is not None else "connected"  # the profile default
        shown = permissions.can_see(level, viewer_id=viewer_id, owner_id=user.id, connected=user.id in connected)
        result.append(InterestedMember(expression, user, user.email if shown else None))
    return result


def attendees(opportunity: Opportunity) -> dict[str, list[tuple[Rsvp, User]]]:
    """The event's answers by status for its organiser: going, waitlist (in promotion order), maybe."""
    rows = db.session.execute(
        select(Rsvp, User).join(User, User.id == Rsvp.user_id)
        .where(Rsvp.opportunity_id == opportunity.id, Rsvp.status != RsvpStatus.NOT_GOING,
               User.deleted_at.is_(None))
        .order_by(Rsvp.responded_at, Rsvp.id)).all()
    grouped: dict[str, list[tuple[Rsvp, User]]] = {"going": [], "waitlisted": [], "maybe": []}
    for rsvp, user in rows:
        grouped[str(rsvp.status)].append((rsvp, user))
    return grouped
