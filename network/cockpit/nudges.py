"""Staff reminders ("nudges") from the cockpit's lists: a notification and a mail with the staff member's note,
at most once per item a week (the reminders' log), each one audited.

The note is free text another member reads: the route checks it for patient identifiers first
(``network.forms.PhiGuarded``), as other surfaces without moderators do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network.audit.models import record
from network.cockpit.lists import Entry, nudge_kind
from network.cockpit.queries import WITHOUT
from network.cohorts import services as cohort_services
from network.cohorts.models import Invitation
from network.extensions import db
from network.members.models import User
from network.notifications.services import notify_members
from network.programs.models import Program
from network.reminders.models import ReminderLog
from network.reminders.services import recently_reminded
from network.text.words import plural

log = logging.getLogger(__name__)

#: The notification kind of every staff reminder (its own preference group, "Reminders from your program").
NUDGE = "nudge"


@dataclass
class NudgeResult:
    reminded: list[str] = field(default_factory=list)  # who was reminded, by name (or address)
    recent: list[str] = field(default_factory=list)  # skipped: reminded of this in the last 7 days
    turned_off: list[str] = field(default_factory=list)  # skipped: they turned these reminders off


def _message(key: str, entry: Entry, member_id: int, program: Program) -> tuple[str, str]:
    """The notification's title and link for one member reminded from list ``key``."""
    if key in WITHOUT:
        kind = WITHOUT[key].label.lower()
        return f"{program.name}: please find a {kind} mentor", f"/mentorship/recommendations?type={WITHOUT[key].value}"
    if key == "overdue":
        other = next(name for person_id, name in entry.people if person_id != member_id)
        return f"{program.name}: please plan your next meeting with {other}", f"/mentorship/{entry.target_id}"
    if key == "waiting-requests":
        return f"{program.name}: {entry.detail}; please answer the request", "/mentorship/requests"
    if key == "not-ranked":
        return f"{program.name}: please rank your mentors ({entry.detail})", f"/matching/{entry.round_id}"
    return f"{program.name}: please answer the fellows who listed you ({entry.detail})", f"/matching/{entry.round_id}"


def remind(actor: User, program: Program, key: str, entries: list[Entry], note: str) -> NudgeResult:
    """Remind the people of ``entries`` (items of list ``key`` of ``program``), skipping items reminded from
    this list in the last 7 days. Both members of an overdue mentorship are reminded together. The caller
    commits."""
    result = NudgeResult()
    kind = nudge_kind(key)
    recent = recently_reminded(kind, [entry.target_id for entry in entries])
    due = [entry for entry in entries if entry.target_id not in recent]
    result.recent = [_names(entry) for entry in entries if entry.target_id in recent]
    if key == "invitations":
        invitations = {invitation.id: invitation for invitation in db.session.scalars(
            select(Invitation).where(Invitation.id.in_([entry.target_id for entry in due]))
            .options(selectinload(Invitation.cohort)))}
        for entry in due:
            cohort_services.resend(invitations[entry.target_id], actor, note)
            _log(actor, program, key, entry, [], note)
            result.reminded.append(entry.email)
        return result
    members = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_({person_id for entry in due for person_id, _ in entry.people})))}
    for entry in due:
        told = []
        for person_id, name in entry.people:
            title, link = _message(key, entry, person_id, program)
            if notify_members([members[person_id]], NUDGE, title, link, target_type=key, target_id=entry.target_id,
                              mail_subject=f"A reminder from {actor.name}: {title}", mail_template="nudge",
                              note=note, sender=actor, program=program):
                told.append(person_id)
                result.reminded.append(name)
            else:
                result.turned_off.append(name)
        if told:
            _log(actor, program, key, entry, told, note)
    return result


def _names(entry: Entry) -> str:
    return " and ".join(name for _, name in entry.people) or entry.email


def _log(actor: User, program: Program, key: str, entry: Entry, member_ids: list[int], note: str) -> None:
    """The week's mark for the item, and the audit entry (whether there was a note, never its words)."""
    db.session.add(ReminderLog(kind=nudge_kind(key), target_id=entry.target_id))
    record(actor.id, "cockpit.remind", key, entry.target_id, program_id=program.id, members=member_ids,
           with_note=bool(note))
    log.info("%s reminded %s from %s of program %s", actor.id, entry.target_id, key, program.id)


def summary(result: NudgeResult) -> str:
    """The flash after a reminder: how many were reminded, and who was skipped and why."""
    reminded = len(result.reminded)
    parts = [f"Reminded {plural(reminded, 'person', 'people')}"
             + (f": {', '.join(result.reminded[:10])}{'…' if reminded > 10 else ''}." if reminded else ".")]
    if result.recent:
        parts.append(f"Not reminded, as they were reminded of this in the last 7 days (one reminder a week at most): "
                     f"{', '.join(result.recent)}.")
    if result.turned_off:
        parts.append(f"Not reminded, as they turned off reminders from their program: {', '.join(result.turned_off)}.")
    return " ".join(parts)
