"""What the survey pages read: a program's surveys with their figures, and a survey's classes with how many were
invited and answered. Each is one query, whatever the program's size."""

from __future__ import annotations

from sqlalchemy import func, select

from network.extensions import db
from network.programs.models import Cohort, CohortMembership, CohortRole
from network.surveys.models import Survey, SurveyInvitation, SurveyResponse


def surveys_of(program_id: int) -> list[tuple[Survey, int, int]]:
    """The program's surveys, newest first, each with how many alumni were invited and how many answered."""
    invited = (select(func.count()).where(SurveyInvitation.survey_id == Survey.id)
               .correlate(Survey).scalar_subquery())
    answered = (select(func.count()).where(SurveyResponse.survey_id == Survey.id)
                .correlate(Survey).scalar_subquery())
    return [tuple(row) for row in db.session.execute(
        select(Survey, invited, answered).where(Survey.program_id == program_id)
        .order_by(Survey.created_at.desc(), Survey.id.desc())).all()]


def survey_classes(survey: Survey) -> list[tuple[Cohort, int, int, int]]:
    """The program's graduated classes, newest first: (class, fellows, invited, answered) for this survey."""
    fellows = (select(func.count()).where(CohortMembership.cohort_id == Cohort.id,
                                          CohortMembership.role == CohortRole.FELLOW)
               .correlate(Cohort).scalar_subquery())
    invited = (select(func.count()).where(SurveyInvitation.cohort_id == Cohort.id,
                                          SurveyInvitation.survey_id == survey.id)
               .correlate(Cohort).scalar_subquery())
    answered = (select(func.count()).where(SurveyResponse.cohort_id == Cohort.id,
                                           SurveyResponse.survey_id == survey.id)
                .correlate(Cohort).scalar_subquery())
    return [tuple(row) for row in db.session.execute(
        select(Cohort, fellows, invited, answered)
        .where(Cohort.program_id == survey.program_id, Cohort.graduated_at.is_not(None))
        .order_by(Cohort.end_date.desc(), Cohort.id.desc())).all()]
