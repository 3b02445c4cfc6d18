"""What changes a survey: staff define, send and close it; the scheduler sends the anniversary invitations and
the reminders; an alumnus answers. Services add and flush, never commit; the caller commits once."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload

from network.audit.models import record
from network.cohorts.queries import hash_token  # a link's token is kept as cohort invitations keep theirs
from network.extensions import db
from network.members.models import MemberStatus, User
from network.notifications.services import notify_members
from network.programs.models import Cohort, CohortMembership, CohortRole, Program
from network.signals import account_deleted
from network.surveys.models import REMINDER_DAYS, Occasion, Survey, SurveyInvitation, SurveyResponse
from network.types import utcnow
from network.urls import public_url

log = logging.getLogger(__name__)

INVITATION = "survey-invitation"
REMINDER = "survey-reminder"
OCCASION_OF_YEARS = {1: Occasion.ONE_YEAR, 3: Occasion.THREE_YEARS}


class SurveyError(Exception):
    """The survey cannot be changed or answered that way; the message is for the user."""


def answer_path(survey_id: int) -> str:
    """The survey's page for the signed-in alumnus (the notification's link)."""
    return f"/surveys/{survey_id}/answer"


# -- defining, closing -------------------------------------------------------------

def open_survey_of(program_id: int) -> Survey | None:
    """The program's open survey, if any (a program runs one at a time)."""
    return db.session.scalars(select(Survey).where(Survey.program_id == program_id, Survey.closed_at.is_(None))
                              .order_by(Survey.id.desc())).first()


def create_survey(program: Program, actor: User, *, title: str, intro: str, at_one_year: bool,
                  at_three_years: bool) -> Survey:
    """A new survey for the program; refused while another is open (the scheduler would not know which to send)."""
    if open_survey_of(program.id) is not None:
        raise SurveyError("This program already has an open survey. Close it before you start a new one.")
    survey = Survey(program_id=program.id, title=title, intro=intro, at_one_year=at_one_year,
                    at_three_years=at_three_years, created_by_id=actor.id)
    db.session.add(survey)
    db.session.flush()
    record(actor.id, "survey.create", "alumni_survey", survey.id, program_id=program.id, title=title)
    return survey


def close_survey(survey: Survey, actor: User) -> None:
    """Close the survey: its links expire, answers can no longer change, nothing more is sent."""
    if not survey.is_open:
        raise SurveyError("This survey is already closed.")
    survey.closed_at = utcnow()
    record(actor.id, "survey.close", "alumni_survey", survey.id, program_id=survey.program_id)


# -- sending -----------------------------------------------------------------------

def _alumni(cohort_ids: list[int], survey_id: int) -> list[tuple[User, int]]:
    """(alumnus, class id) for the fellows of those graduated classes who are members and not yet invited."""
    if not cohort_ids:
        return []
    invited = select(SurveyInvitation.user_id).where(SurveyInvitation.survey_id == survey_id)
    rows = db.session.execute(
        select(User, CohortMembership.cohort_id).join(CohortMembership, CohortMembership.user_id == User.id)
        .where(CohortMembership.cohort_id.in_(cohort_ids), CohortMembership.role == CohortRole.FELLOW,
               User.status == MemberStatus.VERIFIED, User.deleted_at.is_(None), User.id.not_in(invited))
        .order_by(CohortMembership.cohort_id, User.id)).all()
    seen: set[int] = set()
    alumni = []
    for user, cohort_id in rows:  # a member in two graduated classes of the program is asked once
        if user.id not in seen:
            seen.add(user.id)
            alumni.append((user, cohort_id))
    return alumni


def _invite(survey: Survey, alumni: list[tuple[User, int]], occasion: Occasion) -> int:
    """Invite each alumnus: an invitation holding the hash of a fresh link token, a notification and a mail
    with the link (as each chose for the survey group)."""
    program = survey.program
    for user, cohort_id in alumni:
        token = secrets.token_urlsafe(32)
        db.session.add(SurveyInvitation(survey_id=survey.id, user_id=user.id, cohort_id=cohort_id, occasion=occasion,
                                        token_hash=hash_token(token)))
        notify_members([user], INVITATION, f"{program.name} asks how your career is going: {survey.title}",
                       answer_path(survey.id), target_type="alumni_survey", target_id=survey.id,
                       mail_subject=f"{program.name}: {survey.title}", mail_template="survey_invitation",
                       survey=survey, program=program, survey_link=public_url("surveys.follow_link", token=token),
                       reminder=False)
    db.session.flush()
    return len(alumni)


def send_to_class(survey: Survey, cohort: Cohort, actor: User) -> tuple[int, int]:
    """Send the survey now to a graduated class of the survey's program: (alumni invited, already invited)."""
    if not survey.is_open:
        raise SurveyError("This survey is closed: it can no longer be sent.")
    if cohort.program_id != survey.program_id or not cohort.is_graduated:
        raise SurveyError("Choose a graduated class of this program.")
    fellows = db.session.scalar(select(func.count()).select_from(CohortMembership).where(
        CohortMembership.cohort_id == cohort.id, CohortMembership.role == CohortRole.FELLOW)) or 0
    sent = _invite(survey, _alumni([cohort.id], survey.id), Occasion.ON_DEMAND)
    record(actor.id, "survey.send", "alumni_survey", survey.id, program_id=survey.program_id, cohort_id=cohort.id,
           invited=sent)
    return sent, fellows - sent


def anniversary(graduated: date, years: int) -> date:
    """The date ``years`` after ``graduated`` (29 February falls on 28 February in other years)."""
    try:
        return graduated.replace(year=graduated.year + years)
    except ValueError:
        return graduated.replace(year=graduated.year + years, day=28)


def _due_classes(survey: Survey, cohorts: list[Cohort], today: date) -> list[tuple[Cohort, Occasion]]:
    """The classes whose 1- or 3-year anniversary fell between the survey's opening and today."""
    opened = survey.created_at.date()
    due = []
    for cohort in cohorts:
        for years in survey.anniversaries:
            if opened <= anniversary(cohort.graduated_at.date(), years) <= today:
                due.append((cohort, OCCASION_OF_YEARS[years]))
    return due


def send_due(today: date | None = None) -> dict[str, int]:
    """The daily run: invite the alumni whose class reached an anniversary the open survey is sent on, and remind
    once those who have not answered 14 days after their invitation. Each alumnus is invited to a survey once
    (a unique row) and reminded once (``reminded_at``), so reruns send nothing twice."""
    today = today or utcnow().date()
    counts = {"invitations": 0, "reminders": 0}
    surveys = db.session.scalars(select(Survey).where(Survey.closed_at.is_(None))
                                 .options(joinedload(Survey.program))).all()
    for survey in surveys:
        cohorts = db.session.scalars(select(Cohort).where(Cohort.program_id == survey.program_id,
                                                          Cohort.graduated_at.is_not(None))).all()
        for cohort, occasion in _due_classes(survey, cohorts, today):
            counts["invitations"] += _invite(survey, _alumni([cohort.id], survey.id), occasion)
    counts["reminders"] = _remind(today)
    log.info("surveys: %s", counts)
    return counts


def _remind(today: date) -> int:
    """Remind, once, each invited alumnus who has not answered an open survey 14 days after the invitation."""
    cutoff = datetime.combine(today, time.max, tzinfo=UTC) - timedelta(days=REMINDER_DAYS)
    answered = select(SurveyResponse.id).where(SurveyResponse.survey_id == SurveyInvitation.survey_id,
                                               SurveyResponse.user_id == SurveyInvitation.user_id)
    due = db.session.execute(
        select(SurveyInvitation, User).join(User, User.id == SurveyInvitation.user_id)
        .join(Survey, Survey.id == SurveyInvitation.survey_id)
        .where(Survey.closed_at.is_(None), SurveyInvitation.reminded_at.is_(None),
               SurveyInvitation.sent_at <= cutoff, ~answered.exists(), User.deleted_at.is_(None))
        .options(joinedload(SurveyInvitation.survey).joinedload(Survey.program))
        .order_by(SurveyInvitation.id)).all()
    now = utcnow()
    for invitation, user in due:
        survey = invitation.survey
        notify_members([user], REMINDER, f"Reminder: {survey.program.name} would still like your answers",
                       answer_path(survey.id), target_type="alumni_survey", target_id=survey.id,
                       mail_subject=f"Reminder: {survey.title}", mail_template="survey_invitation",
                       survey=survey, program=survey.program, reminder=True,
                       # The first mail holds the only copy of the signed link; this one opens the survey page,
                       # which asks for the same sign-in.
                       survey_link=public_url("surveys.answer", survey_id=survey.id))
        invitation.reminded_at = now
    return len(due)


# -- answering ---------------------------------------------------------------------

def find_invitation(token: str) -> SurveyInvitation | None:
    """The invitation a link's token belongs to, if any."""
    return db.session.scalars(select(SurveyInvitation).where(SurveyInvitation.token_hash == hash_token(token))
                              .options(joinedload(SurveyInvitation.survey))).first()


def invitation_of(survey_id: int, user_id: int) -> SurveyInvitation | None:
    """The member's invitation to the survey, with the survey, its program and the class."""
    return db.session.scalars(select(SurveyInvitation).where(SurveyInvitation.survey_id == survey_id,
                                                             SurveyInvitation.user_id == user_id)
                              .options(joinedload(SurveyInvitation.survey).joinedload(Survey.program),
                                       joinedload(SurveyInvitation.cohort))).first()


def response_of(invitation: SurveyInvitation) -> SurveyResponse | None:
    """The alumnus's own answers to the survey, if they answered."""
    return db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == invitation.survey_id,
                                                           SurveyResponse.user_id == invitation.user_id)).first()


ANSWER_FIELDS = ("practice_setting_id", "position", "certification_status", "certification_id", "certification_year",
                 "academic_rank", "publications", "presentations", "satisfaction", "comments")


def save_response(invitation: SurveyInvitation, **answers) -> SurveyResponse:
    """Save or change the alumnus's answers; refused once the survey is closed."""
    if not invitation.survey.is_open:
        raise SurveyError("This survey is closed: answers can no longer be changed.")
    unknown = set(answers) - set(ANSWER_FIELDS)
    if unknown:
        raise TypeError(f"unknown answers: {sorted(unknown)}")
    response = response_of(invitation)
    if response is None:
        response = SurveyResponse(survey_id=invitation.survey_id, user_id=invitation.user_id,
                                  cohort_id=invitation.cohort_id)
        db.session.add(response)
    for name, value in answers.items():
        setattr(response, name, value)
    db.session.flush()
    return response


# -- the member's data -------------------------------------------------------------

def export_answers(user: User) -> list[dict]:
    """The member's survey invitations and answers for "Download your data" (one query)."""
    rows = db.session.execute(
        select(SurveyInvitation, SurveyResponse).join(Survey, Survey.id == SurveyInvitation.survey_id)
        .outerjoin(SurveyResponse, (SurveyResponse.survey_id == SurveyInvitation.survey_id)
                   & (SurveyResponse.user_id == SurveyInvitation.user_id))
        .where(SurveyInvitation.user_id == user.id)
        .options(joinedload(SurveyInvitation.survey).joinedload(Survey.program),
                 joinedload(SurveyResponse.practice_setting), joinedload(SurveyResponse.certification))
        .order_by(SurveyInvitation.sent_at, SurveyInvitation.id)).all()
    data = []
    for invitation, response in rows:
        entry = {"program": invitation.survey.program.name, "survey": invitation.survey.title,
                 "asked": invitation.occasion.label, "sent_at": invitation.sent_at.isoformat(),
                 "answers": None}
        if response is not None:
            entry["answers"] = {
                "practice_setting": response.practice_setting.name if response.practice_setting else None,
                "position": response.position.label,
                "board_certification": response.certification_status.label,
                "board": response.certification.name if response.certification else None,
                "certified_in": response.certification_year,
                "academic_rank": response.academic_rank.label if response.academic_rank else None,
                "publications_since_graduation": response.publications,
                "presentations_since_graduation": response.presentations,
                "satisfaction_with_training": response.satisfaction, "comments": response.comments,
                "answered_at": response.submitted_at.isoformat(), "changed_at": response.updated_at.isoformat()}
        data.append(entry)
    return data


@account_deleted.connect
def anonymise_answers(user: User, **_) -> None:
    """A deleted account's answers lose their member and free text (``signals.account_deleted``): the program keeps
    only what its aggregate figures count. The invitations, and with them the links, are deleted."""
    db.session.execute(update(SurveyResponse).where(SurveyResponse.user_id == user.id)
                       .values(user_id=None, comments="", anonymised=True))
    db.session.execute(delete(SurveyInvitation).where(SurveyInvitation.user_id == user.id))
