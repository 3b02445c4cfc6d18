"""Alumni surveys: the prepared class grows by alumni, each invited, answering and writing a comment."""

from __future__ import annotations

from sqlalchemy import insert

from network.extensions import db
from tests.budget import _rows

#: The results are read by the program's director (the matrix's administrator directs it): free text included.
VIEWERS = {"surveys.results_page": "admin", "surveys.show": "admin", "surveys.index": "admin",
           "surveys.create": "admin", "surveys.chart": "admin"}


def populate(app, people, named, count):
    from network.programs.models import CohortMembership
    from network.surveys.models import SurveyInvitation, SurveyResponse
    from network.types import utcnow

    if "survey" not in named:
        return
    now = utcnow()
    with app.app_context():
        alumni = _rows.members(count, role="alumni", prefix="Graduate")
        cohort = named["survey_cohort"]
        db.session.execute(insert(CohortMembership), [
            {"cohort_id": cohort, "user_id": a, "role": "fellow", "joined_at": now} for a in alumni])
        db.session.execute(insert(SurveyInvitation), [
            {"survey_id": named["survey"], "user_id": a, "cohort_id": cohort, "occasion": "on_demand",
             "token_hash": f"{a:064d}", "sent_at": now} for a in alumni])
        db.session.execute(insert(SurveyResponse), [
            {"survey_id": named["survey"], "user_id": a, "cohort_id": cohort, "position": "attending",
             "certification_status": "certified", "publications": n % 4, "presentations": n % 3,
             "satisfaction": 1 + n % 5, "comments": f"Comment {n}", "anonymised": False, "submitted_at": now,
             "updated_at": now} for n, a in enumerate(alumni)])
        db.session.commit()
