"""A program with graduated classes, its staff, and a survey sent to the classes, for the survey tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from network.extensions import db

ANSWER = {"practice_setting_id": None, "position": "attending", "certification_status": "eligible",
          "certification_id": None, "certification_year": None, "academic_rank": None, "publications": 1,
          "presentations": 2, "satisfaction": 4, "comments": ""}


@dataclass
class World:
    program: int
    survey: int
    director: object
    coordinator: object
    other_director: object
    classes: dict = field(default_factory=dict)  # year -> cohort id
    alumni: dict = field(default_factory=dict)  # year -> [Member]


def build(app, make_user, sizes: dict[int, int], slug: str = "survey-program", send: bool = True) -> World:
    """A program whose classes graduated in June of each year of ``sizes`` (with that many alumni), a director, a
    coordinator, another program's director, and an open survey sent to every class (unless ``send`` is False)."""
    from network.programs.models import Cohort, CohortMembership, CohortRole, Program, ProgramStaff
    from network.surveys import services

    director = make_user(role="faculty", name="Dr. Director")
    coordinator = make_user(role="faculty", name="Dr. Coordinator")
    other_director = make_user(role="faculty", name="Dr. Elsewhere")
    alumni = {year: [make_user(role="alumni", name=f"Dr. Alum {year}-{n}") for n in range(size)]
              for year, size in sizes.items()}
    with app.app_context():
        program = Program(slug=slug, name="Survey Program", institution="Survey Hospital")
        other = Program(slug=slug + "-other", name="Other Program", institution="Other Hospital")
        db.session.add_all([program, other])
        db.session.flush()
        db.session.add_all([ProgramStaff(program_id=program.id, user_id=director.id, role="director"),
                            ProgramStaff(program_id=program.id, user_id=coordinator.id, role="coordinator"),
                            ProgramStaff(program_id=other.id, user_id=other_director.id, role="director")])
        classes = {}
        for year in sizes:
            cohort = Cohort(program_id=program.id, name=f"Class of {year}", start_date=date(year - 1, 7, 1),
                            end_date=date(year, 6, 30), graduated_at=datetime(year, 6, 30, tzinfo=UTC))
            db.session.add(cohort)
            db.session.flush()
            classes[year] = cohort.id
            db.session.add_all([CohortMembership(cohort_id=cohort.id, user_id=member.id, role=CohortRole.FELLOW)
                                for member in alumni[year]])
        db.session.flush()
        from network.members.models import User

        actor = db.session.get(User, director.id)
        survey = services.create_survey(db.session.get(Program, program.id), actor, title="Outcomes", intro="",
                                        at_one_year=True, at_three_years=True)
        if send:
            for cohort_id in classes.values():
                services.send_to_class(survey, db.session.get(Cohort, cohort_id), actor)
        db.session.commit()
        return World(program.id, survey.id, director, coordinator, other_director, classes, alumni)


def answer(app, survey_id: int, member, **changes) -> None:
    """``member`` answers the survey (through the service, as the answer page does)."""
    from network.surveys import services

    with app.app_context():
        invitation = services.invitation_of(survey_id, member.id)
        services.save_response(invitation, **{**ANSWER, **changes})
        db.session.commit()


def form(**changes) -> dict:
    """The answer page's form data."""
    data = {key: "" if value is None else str(value) for key, value in {**ANSWER, **changes}.items()}
    return data
