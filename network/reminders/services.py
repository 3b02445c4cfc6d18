"""Reminders for mentorships that stopped meeting and requests left unanswered."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.extensions import db
from network.mentorship.models import Mentorship, MentorshipRequest, MentorshipStatus, RequestStatus, every, time_ago
from network.notifications.services import notify_members
from network.reminders.models import ReminderLog
from network.types import utcnow

log = logging.getLogger(__name__)

MEETING = "reminder-meeting"
REQUEST = "reminder-request"
#: A request waits this long before its mentor is reminded.
REQUEST_WAIT = timedelta(days=7)
#: No item is reminded more often than this.
QUIET = timedelta(days=7)


def recently_reminded(kind: str, target_ids: list[int]) -> set[int]:
    if not target_ids:
        return set()
    return set(db.session.scalars(select(ReminderLog.target_id).where(
        ReminderLog.kind == kind, ReminderLog.target_id.in_(target_ids),
        ReminderLog.sent_at > utcnow() - QUIET)))


def send_reminders(today: date | None = None) -> dict[str, int]:
    """Remind both members of each overdue mentorship (no meeting for half as long again as planned) and the mentor
    of each request pending 7 days; at most once a week per item. Safe to rerun (the caller commits)."""
    today = today or utcnow().date()
    counts = {"meetings": 0, "requests": 0}
    active = db.session.scalars(
        select(Mentorship).where(Mentorship.status == MentorshipStatus.ACTIVE)
        .options(selectinload(Mentorship.mentee), selectinload(Mentorship.mentor))).all()
    overdue = [m for m in active if m.is_overdue(today)]
    done = recently_reminded(MEETING, [m.id for m in overdue])
    for mentorship in overdue:
        if mentorship.id in done:
            continue
        since = mentorship.last_met_on or mentorship.started_at.date()
        weeks = (today - since).days // 7
        plan = f"You planned to meet every {every(mentorship.cadence_days)}; " + (
            f"your last meeting was {time_ago(today - since)} ago." if mentorship.last_met_on
            else f"you have not met since you started {time_ago(today - since)} ago.")
        for member, other in ((mentorship.mentee, mentorship.mentor), (mentorship.mentor, mentorship.mentee)):
            notify_members([member], MEETING, f"Time to meet {other.name}: no meeting logged in {weeks} weeks",
                           f"/mentorship/{mentorship.id}", target_type="mentorship", target_id=mentorship.id,
                           mail_subject=f"Reminder: plan your next meeting with {other.name}",
                           mail_template="reminder",
                           body=f"{plan} Log a meeting or change the plan in your workspace.")
        db.session.add(ReminderLog(kind=MEETING, target_id=mentorship.id))
        counts["meetings"] += 1
    waiting = db.session.scalars(
        select(MentorshipRequest).where(MentorshipRequest.status == RequestStatus.PENDING,
                                        MentorshipRequest.created_at <= utcnow() - REQUEST_WAIT)
        .options(selectinload(MentorshipRequest.mentee), selectinload(MentorshipRequest.mentor))).all()
    done = recently_reminded(REQUEST, [r.id for r in waiting])
    for request in waiting:
        if request.id in done:
            continue
        days = (utcnow() - request.created_at).days
        notify_members([request.mentor], REQUEST, f"{request.mentee.name} has waited {days} days for your answer",
                       "/mentorship/requests", target_type="mentorship_request", target_id=request.id,
                       mail_subject=f"Reminder: {request.mentee.name} is waiting for your answer",
                       mail_template="reminder",
                       body="Accept or decline the request, so they can look elsewhere if needed.")
        db.session.add(ReminderLog(kind=REQUEST, target_id=request.id))
        counts["requests"] += 1
    log.info("reminders: %s", counts)
    return counts
