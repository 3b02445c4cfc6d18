"""What the cohort pages read: the roster, the invitations page by state, who is in the cohort or invited
already (to invite nobody twice), an invitation by its link, the latest graduation, the recent roster
imports and the fellows' mentorships for the export. Nothing here writes; the dashboard's numbers are in
``network.cohorts.dashboard``."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from network.cohorts.models import Graduation, Invitation, InvitationStatus, RosterImport
from network.extensions import db
from network.members.models import User
from network.mentorship.models import Mentorship
from network.programs.models import Cohort, CohortMembership, CohortRole
from network.types import utcnow

#: How many invitations the roster page lists at a time.
INVITATIONS_PER_PAGE = 50


#: The roster's order, ``[(column, descending)]``: by role in the cohort, then by joining date (the id breaks
#: ties, so the API can page it by these keys).
ROSTER_ORDER = ((CohortMembership.role, True), (CohortMembership.joined_at, False), (CohortMembership.id, False))


def roster(cohort: Cohort) -> Select:
    """A ``select`` of the cohort's memberships, each with the member and their training background, not yet
    in ``ROSTER_ORDER`` (the API adds it with its page)."""
    return (select(CohortMembership).where(CohortMembership.cohort_id == cohort.id)
            .options(joinedload(CohortMembership.user).joinedload(User.training_background)))


def roster_members(cohort: Cohort) -> list[CohortMembership]:
    """The cohort's memberships in ``ROSTER_ORDER``, each with the member and their training background."""
    return db.session.scalars(roster(cohort).order_by(
        *(column.desc() if descending else column.asc() for column, descending in ROSTER_ORDER))).all()


def fellow_count(cohort: Cohort) -> int:
    """How many fellows the cohort has."""
    return db.session.scalar(select(func.count()).select_from(CohortMembership).where(
        CohortMembership.cohort_id == cohort.id, CohortMembership.role == CohortRole.FELLOW))


def invitation_states(cohort: Cohort, now: datetime) -> dict[str, int]:
    """How many of the cohort's invitations are in each state, in one query (a sent invitation past its
    expiry counts as expired)."""
    states = {state.value: 0 for state in InvitationStatus}
    for status, count, past_expiry in db.session.execute(
            select(Invitation.status, func.count(), func.sum(case((Invitation.expires_at <= now, 1), else_=0)))
            .where(Invitation.cohort_id == cohort.id).group_by(Invitation.status)).all():
        if status == InvitationStatus.SENT:
            states[InvitationStatus.EXPIRED.value] += past_expiry or 0
            count -= past_expiry or 0
        states[str(status)] += count
    return states


#: The invitations' order, newest first, ``[(column, descending)]``.
INVITATIONS_ORDER = ((Invitation.created_at, True), (Invitation.id, True))


def invitations(cohort: Cohort, now: datetime, state: str | None) -> Select:
    """A ``select`` of the cohort's invitations in ``state`` (all: None; a sent invitation past its expiry is
    expired), not yet ordered."""
    query = select(Invitation).where(Invitation.cohort_id == cohort.id)
    if state == InvitationStatus.EXPIRED:
        query = query.where(Invitation.status == InvitationStatus.SENT, Invitation.expires_at <= now)
    elif state == InvitationStatus.SENT:
        query = query.where(Invitation.status == InvitationStatus.SENT, Invitation.expires_at > now)
    elif state:
        query = query.where(Invitation.status == InvitationStatus(state))
    return query


def invitations_page(cohort: Cohort, now: datetime, state: str | None, page: int) -> list[Invitation]:
    """One page of the cohort's invitations in ``state`` (all: None), newest first."""
    return db.session.scalars(invitations(cohort, now, state).order_by(Invitation.created_at.desc(),
                                                                       Invitation.id.desc())
                              .limit(INVITATIONS_PER_PAGE).offset((page - 1) * INVITATIONS_PER_PAGE)).all()


def roster_emails(cohort: Cohort) -> set[str]:
    """Emails of the cohort's members, in one query."""
    return set(db.session.scalars(select(User.email).join(CohortMembership, CohortMembership.user_id == User.id)
                                  .where(CohortMembership.cohort_id == cohort.id)))


def live_invitation_emails(cohort: Cohort, now: datetime | None = None) -> set[str]:
    """Emails with a usable invitation into the cohort, in one query."""
    return set(db.session.scalars(select(Invitation.email).where(
        Invitation.cohort_id == cohort.id, Invitation.status == InvitationStatus.SENT,
        Invitation.expires_at > (now or utcnow()))))


def existing_emails(emails) -> set[str]:
    """Which of ``emails`` belong to an account already, in one query (their mail says: sign in and accept)."""
    emails = list(emails)
    return set(db.session.scalars(select(User.email).where(User.email.in_(emails)))) if emails else set()


def hash_token(token: str) -> str:
    """What is stored of an invitation link's token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def find_invitation(token: str) -> Invitation | None:
    """The invitation of a link's token, with its cohort and program; None for an unknown token."""
    if not token or len(token) > 100:
        return None
    return db.session.scalars(select(Invitation).where(Invitation.token_hash == hash_token(token))
                              .options(selectinload(Invitation.cohort).selectinload(Cohort.program))).first()


def latest_graduation(cohort: Cohort) -> Graduation | None:
    """The cohort's latest graduation (undone or not), if it ever graduated."""
    return db.session.scalars(select(Graduation).where(Graduation.cohort_id == cohort.id)
                              .order_by(Graduation.graduated_at.desc(), Graduation.id.desc()).limit(1)).first()


def recent_imports(cohort: Cohort) -> list:
    """The cohort's last five roster imports, as plain rows."""
    return db.session.execute(
        select(RosterImport.id, RosterImport.filename, RosterImport.status, RosterImport.created_at,
               func.coalesce(RosterImport.imported_at, RosterImport.created_at))
        .where(RosterImport.cohort_id == cohort.id).order_by(RosterImport.id.desc()).limit(5)).all()


def fellows_mentorships(cohort: Cohort) -> list[Mentorship]:
    """Every mentorship of the cohort's fellows, by fellow, type and start, with both members."""
    fellow_ids = (select(CohortMembership.user_id).where(CohortMembership.cohort_id == cohort.id,
                                                         CohortMembership.role == CohortRole.FELLOW)
                  .scalar_subquery())
    return db.session.scalars(
        select(Mentorship).where(Mentorship.mentee_id.in_(fellow_ids))
        .options(selectinload(Mentorship.mentee), selectinload(Mentorship.mentor))
        .order_by(Mentorship.mentee_id, Mentorship.type, Mentorship.started_at)).all()
