"""The weekly brief for program staff (``flask digest program-staff``): what changed in their programs' cockpits
since last week's brief (fellows newly without a mentor of a type, mentorships newly overdue) and the matching
rounds whose lists close in the next 14 days.

Each run writes one row per staff member and ISO week (``StaffBrief``, in a savepoint) before any mail: a
second run that week, or a run racing this one, finds it and sends nothing. The row keeps what the cockpit
showed, which next week's brief is compared with. Only the member's own programs are ever read for them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, select

from network.cockpit.models import StaffBrief
from network.cockpit.queries import fellows_of, open_rounds, overdue_rows
from network.cohorts.dashboard import TYPES
from network.database import added_once
from network.extensions import db
from network.mail.services import queue_email
from network.members.models import MemberStatus, Role, User
from network.mentorship.models import Mentorship, MentorshipStatus
from network.notifications.services import deliveries
from network.opportunities.digest import iso_week
from network.programs.models import Cohort, Program, ProgramStaff
from network.signals import account_deleted
from network.text.words import plural
from network.types import utcnow
from network.urls import public_url

log = logging.getLogger(__name__)

#: The mail's kind, which is also its preference group (so its one-click unsubscribe stops it).
BRIEF = "program-brief"
#: Round deadlines this close are listed every week.
DEADLINE_DAYS = 14
#: A brief compares with the member's last brief at most this old (a missed week still compares).
LOOKBACK = timedelta(days=35)


@dataclass
class ProgramState:
    """One program's cockpit as the brief sees it: keys for comparing, and what the mail says about each."""

    program: Program
    uncovered: dict[str, tuple[str, str]] = field(default_factory=dict)  # "fellow id:type" -> (fellow, type)
    overdue: dict[str, str] = field(default_factory=dict)  # "mentorship id" -> "Dr. A and Dr. B (research)"
    deadlines: list[str] = field(default_factory=list)


def program_state(program: Program, now: datetime) -> ProgramState:
    """What the brief needs of one program, in five queries whatever its size."""
    state = ProgramState(program)
    cohorts = dict(db.session.execute(select(Cohort.id, Cohort.name).where(Cohort.program_id == program.id,
                                                                           Cohort.graduated_at.is_(None))).all())
    if not cohorts:
        return state
    ids = list(cohorts)
    fellows = fellows_of(ids)
    covered: dict[int, set[str]] = {}
    names: dict[int, tuple[str, int]] = {}
    active = and_(Mentorship.mentee_id == User.id, Mentorship.status == MentorshipStatus.ACTIVE)
    for cohort_id, user_id, name, kind in db.session.execute(
            select(fellows.c.cohort_id, User.id, User.name, Mentorship.type)
            .join(User, User.id == fellows.c.user_id).outerjoin(Mentorship, active)):
        names[user_id] = (name, cohort_id)
        covered.setdefault(user_id, set())
        if kind is not None:
            covered[user_id].add(str(kind))
    for user_id, (name, cohort_id) in sorted(names.items(), key=lambda item: item[1][0]):
        for kind in TYPES:
            if kind.value not in covered[user_id]:
                state.uncovered[f"{user_id}:{kind.value}"] = (f"{name} ({cohorts[cohort_id]})", kind.label.lower())
    for row in overdue_rows(ids, now.date(), named=True):
        state.overdue[str(row.id)] = f"{row.mentee_name} and {row.mentor_name} ({row.type.label.lower()})"
    seen = set()
    for round_id, title, deadline, _ in open_rounds(ids):
        if round_id not in seen and now <= deadline <= now + timedelta(days=DEADLINE_DAYS):
            seen.add(round_id)
            state.deadlines.append(f"{title}: lists close {deadline:%A %-d %B}")
    return state


def send_program_briefs(now: datetime | None = None) -> dict[str, int]:
    """Queue this week's brief for every program staff member who has none yet. The caller commits."""
    now = now or utcnow()
    week = iso_week(now)
    counts = {"sent": 0, "already": 0, "nothing": 0, "off": 0}
    staff: dict[int, list[int]] = {}
    for user_id, program_id in db.session.execute(
            select(ProgramStaff.user_id, ProgramStaff.program_id).join(User, User.id == ProgramStaff.user_id)
            .where(User.status == MemberStatus.VERIFIED, User.role == Role.FACULTY, User.deleted_at.is_(None))
            .order_by(ProgramStaff.user_id, ProgramStaff.program_id)):
        staff.setdefault(user_id, []).append(program_id)
    if not staff:
        return counts
    done = set(db.session.scalars(select(StaffBrief.user_id).where(StaffBrief.week == week)))
    last = {}
    for user_id, snapshot in db.session.execute(
            select(StaffBrief.user_id, StaffBrief.snapshot).where(StaffBrief.week != week,
                                                                  StaffBrief.sent_at >= now - LOOKBACK)
            .order_by(StaffBrief.sent_at)):
        last[user_id] = snapshot  # the newest wins
    mails = {user_id: delivery.mails for user_id, delivery in deliveries(staff, BRIEF).items()}
    members = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(list(staff))))}
    programs = {program.id: program for program in db.session.scalars(
        select(Program).where(Program.id.in_({pid for ids in staff.values() for pid in ids})))}
    states: dict[int, ProgramState] = {}
    for user_id, program_ids in staff.items():
        if user_id in done:
            counts["already"] += 1
            continue
        mine = [states.get(pid) or states.setdefault(pid, program_state(programs[pid], now)) for pid in program_ids]
        snapshot = {"uncovered": sorted(k for s in mine for k in s.uncovered),
                    "overdue": sorted(k for s in mine for k in s.overdue)}
        before = last.get(user_id) or {"uncovered": [], "overdue": []}
        sections = [(s.program, _by_fellow(s, set(before["uncovered"])),
                     [text for key, text in s.overdue.items() if key not in set(before["overdue"])], s.deadlines)
                    for s in mine]
        sections = [section for section in sections if any(section[1:])]
        wanted = mails.get(user_id, False) and bool(sections)
        if not added_once(StaffBrief(user_id=user_id, week=week, snapshot=snapshot, mailed=wanted, sent_at=now)):
            counts["already"] += 1  # a run racing this one wrote the member's week first
            continue
        if not sections:
            counts["nothing"] += 1
            continue
        if not wanted:
            counts["off"] += 1
            continue
        member = members[user_id]
        queue_email(BRIEF, member.email, f"Your programs this week: {_headline(sections)}", "program_brief",
                    user=member, sections=[(program, public_url("cockpit.show", program_id=program.id), *rest)
                                           for program, *rest in sections], first=user_id not in last)
        counts["sent"] += 1
    log.info("program staff brief %s: %s", week, counts)
    return counts


def _by_fellow(state: ProgramState, known: set[str]) -> list[str]:
    """The fellows newly without a mentor of some type, one line each: "Dr. A (Class of 2027): research, career"."""
    lines: dict[str, list[str]] = {}
    for key, (fellow, kind) in state.uncovered.items():
        if key not in known:
            lines.setdefault(fellow, []).append(kind)
    return [f"{fellow}: {', '.join(kinds)}" for fellow, kinds in lines.items()]


def _headline(sections) -> str:
    uncovered = sum(len(s[1]) for s in sections)
    overdue = sum(len(s[2]) for s in sections)
    deadlines = sum(len(s[3]) for s in sections)
    parts = [f"{uncovered} new without a mentor" if uncovered else "", f"{overdue} newly overdue" if overdue else "",
             f"{plural(deadlines, 'round deadline')} soon" if deadlines else ""]
    return ", ".join(part for part in parts if part)


@account_deleted.connect
def _forget_briefs(user: User, **_details) -> None:
    """A deleted account takes its weekly briefs' record (what its programs' cockpits showed) with it."""
    db.session.execute(delete(StaffBrief).where(StaffBrief.user_id == user.id))
