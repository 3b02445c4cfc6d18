"""A program's survey results per graduating class, aggregates only, never fewer than 3 alumni in a figure.

The rule national graduate surveys follow: a class's answers are shown only when at least ``MIN_GROUP`` (3)
alumni answered. A smaller class is merged with its neighbour (the next class to graduate, or the class
before it for the newest) until the group reaches 3 ("Classes of 2023–2024"); a group that still does not
(the program has fewer than 3 answers in all) is hidden, with a sentence saying why. The free text is not in
these results: only the program's director reads it (``comments``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from statistics import fmean

from sqlalchemy import Select, select

from network.extensions import db
from network.profiles.models import AcademicRank
from network.programs.models import Cohort
from network.surveys.models import MIN_GROUP, CertificationStatus, Position, Survey, SurveyResponse
from network.taxonomy.models import PracticeSetting
from network.years import AcademicYear

NO_SETTING = "Other or none"
NO_RANK = "No academic appointment"


@dataclass(frozen=True)
class ClassResult:
    """One graduating class, or several merged, and the aggregate figures of their answers.

    ``label`` is "Class of 2025" or "Classes of 2023–2024" (``classes`` lists the classes' names). When the group
    has fewer than 3 answers it is hidden: ``hidden_reason`` says why in a sentence for the page, ``count`` is None
    and every figure is empty or None; show the sentence, never a number. Otherwise ``count`` alumni answered and:

    - ``settings``, ``positions``, ``certification``, ``ranks``: ``(label, alumni)`` pairs, every option in the
      same order in every result of one call (zeros included), so the results tabulate side by side;
    - ``satisfaction``: how many answered 1, 2, 3, 4 and 5; ``satisfaction_mean`` their mean;
    - ``publications_mean`` and ``presentations_mean`` since graduation, ``with_publication`` how many have
      published at least once.
    """

    label: str
    classes: tuple[str, ...]
    count: int | None
    hidden_reason: str | None = None
    settings: tuple[tuple[str, int], ...] = ()
    positions: tuple[tuple[str, int], ...] = ()
    certification: tuple[tuple[str, int], ...] = ()
    ranks: tuple[tuple[str, int], ...] = ()
    satisfaction: tuple[int, ...] = ()
    satisfaction_mean: float | None = None
    publications_mean: float | None = None
    presentations_mean: float | None = None
    with_publication: int | None = None

    @property
    def shown(self) -> bool:
        return self.hidden_reason is None


def _answers() -> Select:
    """The answers with their class and practice setting: one row each, the figures only (no member, no text)."""
    return (select(SurveyResponse.user_id, SurveyResponse.updated_at, Cohort.id, Cohort.name, Cohort.end_date,
                   PracticeSetting.name, PracticeSetting.position, SurveyResponse.position,
                   SurveyResponse.certification_status, SurveyResponse.academic_rank, SurveyResponse.publications,
                   SurveyResponse.presentations, SurveyResponse.satisfaction)
            .join(Cohort, Cohort.id == SurveyResponse.cohort_id)
            .outerjoin(PracticeSetting, PracticeSetting.id == SurveyResponse.practice_setting_id))


def survey_results(survey_id: int) -> list[ClassResult]:
    """The results of one survey, per class (one query)."""
    return group_results(db.session.execute(_answers().where(SurveyResponse.survey_id == survey_id)).all())


def class_results(program_id: int, academic_year: int | None = None) -> list[ClassResult]:
    """The program's alumni outcome results per graduating class, oldest class first, for the annual evaluation.

    ``academic_year`` 2026 means July 2026 to June 2027: the answers last saved in that year, whichever of the
    program's surveys they answered. ``None`` means every answer the program holds. An alumnus who answered
    several surveys counts once, with their latest answers; the answers of deleted accounts count, anonymised.

    The rule of 3 applies (see ``ClassResult``): a class under 3 answers is merged with its neighbour, and a group
    still under 3 comes back hidden, with its reason. One query, whatever the program's size; the result holds no
    member's name and no free text.
    """
    query = _answers().join(Survey, Survey.id == SurveyResponse.survey_id).where(Survey.program_id == program_id)
    if academic_year is not None:
        year = AcademicYear(academic_year)
        query = query.where(SurveyResponse.updated_at >= year.starts_at, SurveyResponse.updated_at < year.ends_before)
    latest: dict[int, tuple] = {}
    anonymous = []
    for row in db.session.execute(query).all():
        if row[0] is None:
            anonymous.append(row)
        elif row[0] not in latest or row[1] > latest[row[0]][1]:
            latest[row[0]] = row
    return group_results([*latest.values(), *anonymous])


def group_classes(counts: list[tuple[object, int]]) -> list[list[object]]:
    """Classes (keys, oldest first, with their number of answers) grouped so that each group has at least
    ``MIN_GROUP`` answers: a small class joins the next, and a small remainder joins the group before it. Only
    when all of them together fall short is the one group left under the threshold."""
    groups: list[list[object]] = []
    current: list[object] = []
    answered = 0
    for key, count in counts:
        current.append(key)
        answered += count
        if answered >= MIN_GROUP:
            groups.append(current)
            current, answered = [], 0
    if current:
        if groups:
            groups[-1].extend(current)
        else:
            groups.append(current)
    return groups


def _label(classes: list[tuple[str, int]]) -> str:
    if len(classes) == 1:
        return classes[0][0]
    first, last = classes[0][1], classes[-1][1]
    return f"Classes of {first}" if first == last else f"Classes of {first}–{last}"


def _tally(values: list[str], options: list[str]) -> tuple[tuple[str, int], ...]:
    counted = Counter(values)
    return tuple((option, counted[option]) for option in options)


def group_results(rows) -> list[ClassResult]:
    """Rows of ``_answers()`` as results per class (or merged classes), oldest first."""
    by_class: dict[int, list] = {}
    names: dict[int, tuple[str, int]] = {}
    for row in sorted(rows, key=lambda r: (r[4], r[2])):
        by_class.setdefault(row[2], []).append(row)
        names[row[2]] = (row[3], row[4].year)
    settings = sorted({(row[6] or 0, row[5]) for row in rows if row[5] is not None})
    options = {
        "settings": [name for _, name in settings] + ([NO_SETTING] if any(row[5] is None for row in rows) else []),
        "positions": [p.label for p in Position],
        "certification": [c.label for c in CertificationStatus],
        "ranks": [r.label for r in AcademicRank] + [NO_RANK],
    }
    results = []
    for group in group_classes([(cohort_id, len(answers)) for cohort_id, answers in by_class.items()]):
        answers = [row for cohort_id in group for row in by_class[cohort_id]]
        classes = [names[cohort_id] for cohort_id in group]
        label = _label(classes)
        class_names = tuple(name for name, _ in classes)
        if len(answers) < MIN_GROUP:
            results.append(ClassResult(label, class_names, None, hidden_reason=(
                f"Fewer than {MIN_GROUP} alumni of the {label[0].lower() + label[1:]} have answered, so "
                "their results are not shown: with so few, anyone could tell who said what.")))
            continue
        satisfaction = Counter(row[12] for row in answers)
        results.append(ClassResult(
            label, class_names, len(answers),
            settings=_tally([row[5] or NO_SETTING for row in answers], options["settings"]),
            positions=_tally([Position(row[7]).label for row in answers], options["positions"]),
            certification=_tally([CertificationStatus(row[8]).label for row in answers], options["certification"]),
            ranks=_tally([AcademicRank(row[9]).label if row[9] else NO_RANK for row in answers], options["ranks"]),
            satisfaction=tuple(satisfaction[score] for score in range(1, 6)),
            satisfaction_mean=round(fmean(row[12] for row in answers), 1),
            publications_mean=round(fmean(row[10] for row in answers), 1),
            presentations_mean=round(fmean(row[11] for row in answers), 1),
            with_publication=sum(1 for row in answers if row[10] > 0)))
    return results


def comments(survey_id: int) -> list[str]:
    """The survey's free-text answers, oldest first, without names or classes: for the program's director only
    (``permissions.can_read_survey_comments``)."""
    return list(db.session.scalars(select(SurveyResponse.comments).where(
        SurveyResponse.survey_id == survey_id, SurveyResponse.comments != "")
        .order_by(SurveyResponse.submitted_at, SurveyResponse.id)))
