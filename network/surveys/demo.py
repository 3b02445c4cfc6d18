"""Demo survey: Northbridge's alumni outcome survey, sent to its two graduated classes. The Class of 2025 has 2
answers (under the threshold of 3, so its results merge with the Class of 2026's 4); the demo alumna, Dr. Sofia
Martins of the Class of 2026, has the survey in her notifications and has not answered yet."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from network.extensions import db
from network.members.models import User
from network.notifications.models import Notification
from network.profiles.models import AcademicRank
from network.programs.models import Cohort, Program, ProgramRole, ProgramStaff
from network.surveys import services
from network.surveys.models import CertificationStatus, Position, Survey, SurveyInvitation
from network.taxonomy.models import BoardCertification, PracticeSetting
from network.types import utcnow

#: Answers by alumnus: (setting slug, position, certification, board slug, year, rank, publications,
#: presentations, satisfaction, comment).
ANSWERS = {
    "alumni01.northbridge@example.org": ("academic", Position.ATTENDING, CertificationStatus.CERTIFIED,
                                         "aba-pain-medicine", 2025, AcademicRank.ASSISTANT, 3, 4, 5,
                                         "The neuromodulation rotation made my first year as an attending far "
                                         "easier. More protected research time would have helped."),
    "alumni02.northbridge@example.org": ("private-practice", Position.OWNER, CertificationStatus.ELIGIBLE, None,
                                         None, None, 0, 1, 4, ""),
    "alumni12.northbridge@example.org": ("hospital-employed", Position.ATTENDING, CertificationStatus.ELIGIBLE,
                                         None, None, None, 0, 0, 4,
                                         "Practice management and coding were never taught; I learned them "
                                         "the hard way."),
    "alumni13.northbridge@example.org": ("academic", Position.ATTENDING, CertificationStatus.CERTIFIED,
                                         "abpmr-pain-medicine", 2026, AcademicRank.INSTRUCTOR, 1, 2, 5, ""),
    "alumni14.northbridge@example.org": ("va-military", Position.ATTENDING, CertificationStatus.ELIGIBLE, None,
                                         None, None, 0, 1, 3, "Ultrasound teaching was excellent."),
    "alumni15.northbridge@example.org": ("academic", Position.TRAINING, CertificationStatus.NOT_CERTIFIED, None,
                                         None, None, 2, 3, 5, ""),
}


def seed_surveys() -> int:
    """Idempotent: does nothing once the program has a survey. Returns the answers made."""
    program = db.session.scalars(select(Program).where(Program.slug == "northbridge-pain")).first()
    if program is None or db.session.scalar(select(Survey.id).where(Survey.program_id == program.id)):
        return 0
    director = db.session.scalars(select(User).join(ProgramStaff, ProgramStaff.user_id == User.id).where(
        ProgramStaff.program_id == program.id, ProgramStaff.role == ProgramRole.DIRECTOR)).first()
    classes = db.session.scalars(select(Cohort).where(Cohort.program_id == program.id,
                                                      Cohort.graduated_at.is_not(None),
                                                      Cohort.name.in_(["Class of 2025", "Class of 2026"]))
                                 .order_by(Cohort.end_date)).all()
    if director is None or len(classes) < 2:
        return 0
    now = utcnow()
    survey = services.create_survey(program, director, title="Northbridge alumni outcomes 2026",
                                    intro="Five minutes of your time helps next year's fellows.", at_one_year=True,
                                    at_three_years=True)
    survey.created_at = now - timedelta(days=12)
    # Sent 11 and 10 days ago: the 14-day reminders are not due yet (the first `flask surveys send` after
    # three days sends them).
    for days_ago, cohort in zip((11, 10), classes, strict=True):
        services.send_to_class(survey, cohort, director)
        sent_at = now - timedelta(days=days_ago)
        invited = select(SurveyInvitation.user_id).where(SurveyInvitation.survey_id == survey.id,
                                                         SurveyInvitation.cohort_id == cohort.id)
        db.session.execute(update(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id,
                                                          SurveyInvitation.cohort_id == cohort.id)
                           .values(sent_at=sent_at), execution_options={"synchronize_session": False})
        db.session.execute(update(Notification).where(Notification.target_type == "alumni_survey",
                                                      Notification.target_id == survey.id,
                                                      Notification.user_id.in_(invited))
                           .values(created_at=sent_at), execution_options={"synchronize_session": False})
    db.session.expire_all()
    settings = {s.slug: s.id for s in db.session.scalars(select(PracticeSetting))}
    boards = {b.slug: b.id for b in db.session.scalars(select(BoardCertification))}
    members = {u.email: u.id for u in db.session.scalars(select(User).where(User.email.in_(ANSWERS)))}
    made = 0
    for email, (setting, position, status, board, year, rank, papers, talks, satisfaction, comment) in ANSWERS.items():
        invitation = services.invitation_of(survey.id, members.get(email, 0))
        if invitation is None:
            continue
        services.save_response(invitation, practice_setting_id=settings.get(setting), position=position,
                               certification_status=status, certification_id=boards.get(board) if board else None,
                               certification_year=year, academic_rank=rank, publications=papers,
                               presentations=talks, satisfaction=satisfaction, comments=comment)
        made += 1
    db.session.flush()
    return made
