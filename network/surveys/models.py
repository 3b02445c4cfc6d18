"""A program's alumni outcome survey, the invitation of each alumnus to it, and their answers.

The questions are fixed (the issue's list, the same each year so classes compare): practice setting
(the taxonomy's), position, board certification (status, board, year), academic rank (the profile's),
scholarly output since graduation, satisfaction with training (1 to 5) and free text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.profiles.models import AcademicRank
from network.programs.models import Cohort, Program
from network.taxonomy.models import BoardCertification, PracticeSetting
from network.types import LabelledEnum, enum_column, intpk, member_fk, utc_now, utc_updated

#: The answers of a class are shown only when at least this many alumni answered (else merged or hidden).
MIN_GROUP = 3
#: An invitation left unanswered this many days gets one reminder.
REMINDER_DAYS = 14
#: The anniversaries (years after graduation) a survey may be sent on by itself.
ANNIVERSARIES = (1, 3)


class Position(LabelledEnum):
    ATTENDING = "attending", "Attending or staff physician"
    LEADERSHIP = "leadership", "Medical director or division chief"
    EDUCATOR = "educator", "Program or associate program director"
    OWNER = "owner", "Practice owner or partner"
    TRAINING = "training", "In further training"
    RESEARCH = "research", "Mainly research"
    NOT_PRACTISING = "not_practising", "Not practising clinically"
    OTHER = "other", "Other"


class CertificationStatus(LabelledEnum):
    CERTIFIED = "certified", "Board certified"
    ELIGIBLE = "eligible", "Board eligible, not yet certified"
    NOT_CERTIFIED = "not_certified", "Not board certified"


class Occasion(LabelledEnum):
    """Why an alumnus was asked: an anniversary of their graduation, or staff sent it to their class."""

    ONE_YEAR = "one_year", "1 year after graduation"
    THREE_YEARS = "three_years", "3 years after graduation"
    ON_DEMAND = "on_demand", "Sent by program staff"


class Survey(db.Model):
    __tablename__ = "alumni_survey"

    id: Mapped[intpk]
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    intro: Mapped[str] = mapped_column(Text, default="")
    at_one_year: Mapped[bool] = mapped_column(default=True)
    at_three_years: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[utc_now]
    closed_at: Mapped[datetime | None]

    program: Mapped[Program] = relationship()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def anniversaries(self) -> tuple[int, ...]:
        """The years after graduation this survey goes out by itself."""
        return tuple(years for years, on in ((1, self.at_one_year), (3, self.at_three_years)) if on)


class SurveyInvitation(db.Model):
    """One alumnus asked to answer one survey (at most once: the scheduler and staff both skip the invited)."""

    __tablename__ = "alumni_survey_invitation"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"),
                      Index("ix_alumni_survey_invitation_due", "survey_id", "reminded_at", "sent_at"))

    id: Mapped[intpk]
    survey_id: Mapped[int] = mapped_column(ForeignKey("alumni_survey.id", ondelete="CASCADE"))
    user_id: Mapped[member_fk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    occasion: Mapped[Occasion] = mapped_column(enum_column(Occasion, "survey_occasion", 16))
    # Only a SHA-256 of the link's token is kept: the mail holds the only copy of the secret.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[utc_now]
    reminded_at: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship()
    cohort: Mapped[Cohort] = relationship()


class SurveyResponse(db.Model):
    """An alumnus's answers, editable until the survey closes. When the account is deleted the row loses its
    member and its free text and keeps only what the program's aggregate figures count."""

    __tablename__ = "alumni_survey_response"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"),
                      CheckConstraint("satisfaction BETWEEN 1 AND 5", name="satisfaction_1_to_5"),
                      CheckConstraint("publications >= 0 AND presentations >= 0", name="output_not_negative"))

    id: Mapped[intpk]
    survey_id: Mapped[int] = mapped_column(ForeignKey("alumni_survey.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    practice_setting_id: Mapped[int | None] = mapped_column(ForeignKey("practice_setting.id", ondelete="SET NULL"))
    position: Mapped[Position] = mapped_column(enum_column(Position, "survey_position", 16))
    certification_status: Mapped[CertificationStatus] = mapped_column(
        enum_column(CertificationStatus, "survey_certification_status", 16))
    certification_id: Mapped[int | None] = mapped_column(ForeignKey("board_certification.id", ondelete="SET NULL"))
    certification_year: Mapped[int | None]
    academic_rank: Mapped[AcademicRank | None] = mapped_column(enum_column(AcademicRank, "survey_academic_rank"))
    publications: Mapped[int] = mapped_column(default=0)
    presentations: Mapped[int] = mapped_column(default=0)
    satisfaction: Mapped[int]
    comments: Mapped[str] = mapped_column(Text, default="")
    anonymised: Mapped[bool] = mapped_column(default=False, server_default=false())
    submitted_at: Mapped[utc_now]
    updated_at: Mapped[utc_updated]

    survey: Mapped[Survey] = relationship()
    cohort: Mapped[Cohort] = relationship()
    practice_setting: Mapped[PracticeSetting | None] = relationship()
    certification: Mapped[BoardCertification | None] = relationship()
