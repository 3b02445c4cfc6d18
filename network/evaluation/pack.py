"""The pack's sections, each a few tables and one chart built from the same numbers: the page shows them,
and the CSV file and the workbook write the very same tables (``files``).

To add a section, append one more ``Section`` in ``build`` (its tables reach the page and both files by
themselves), or give it a ``template`` of its own to include on the page (``templates/evaluation/pack.html``).
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from network.cohorts import charts
from network.evaluation import queries
from network.evaluation.years import AcademicYear
from network.mentorship.models import MentoringType, MentorshipStatus
from network.opportunities.models import OpportunityKind
from network.programs.models import Program
from network.surveys.models import MIN_GROUP
from network.surveys.results import ClassResult, class_results

#: Fewer ratings than this are never shown, even as a count: each could be traced to its mentorship.
MIN_RATINGS = 3
#: A mentorship is on schedule when its meetings were, on average, no further apart than half as long
#: again as planned: the rule that flags an overdue mentorship on the cohort dashboard.
OVERDUE_FACTOR = 1.5
RATINGS_WITHHELD = (f"Fewer than {MIN_RATINGS} mentorships that closed this year were rated, so their ratings "
                    "(count, average and distribution) are not shown: no one's rating can be singled out.")


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list]  # the first cell names the row; None is an empty cell ("—" on the page)


@dataclass
class Section:
    key: str
    title: str
    about: str
    tables: list[Table]
    chart: str | None = None  # SVG markup
    chart_alt: str = ""
    withheld: str | None = None  # why some figures are not shown
    template: str | None = None  # a partial of its own, instead of the tables
    data: object = None  # what that partial shows (as ``results``)

    @property
    def chart_src(self) -> str:
        """The chart as a ``data:`` URI: the pack is one snapshot, so its charts travel (and print) with it."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.chart.encode()).decode()


@dataclass
class Pack:
    program: Program
    year: AcademicYear
    today: date
    sections: list[Section] = field(default_factory=list)

    @property
    def in_progress(self) -> bool:
        return self.today <= self.year.last_day


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a percentage with one decimal (None when there is no whole)."""
    return round(100 * part / whole, 1) if whole else None


def build(program: Program, year: AcademicYear, today: date) -> Pack:
    """Every section of the pack for ``program`` and ``year`` (counted up to ``today`` in a year in progress)."""
    cohorts = queries.cohorts(program, year)
    spans = queries.mentorship_spans(program, year)
    return Pack(program, year, today, [
        _coverage(cohorts, spans),
        _meetings(cohorts, spans, year, today),
        _ratings(queries.closed_mentorships(program, year)),
        _opportunities(queries.alumni_opportunities(program, year)),
        _discussions(*queries.discussion_activity(program, year), {c.id for c in cohorts}),
        _surveys(class_results(program.id, year.start_year)),
    ])


def _coverage(cohorts: list[queries.CohortRow], spans: list[queries.MentorshipSpan]) -> Section:
    # Fellows, not mentorships: two research mentors in a year still make one fellow with a research mentor.
    covered = Counter((cohort, kind) for cohort, kind, _ in {(s.cohort_id, s.type, s.mentee_id) for s in spans})
    rows = [[cohort.name, kind.label, cohort.fellows, covered.get((cohort.id, kind.value), 0),
             share(covered.get((cohort.id, kind.value), 0), cohort.fellows)]
            for cohort in cohorts for kind in MentoringType]
    chart = charts.render_bars("Share of fellows with a mentor, by type (%)", [c.name for c in cohorts],
                               {kind.label: [share(covered.get((c.id, kind.value), 0), c.fellows) for c in cohorts]
                                for kind in MentoringType}, value_range=(0, 100)) if cohorts else None
    return Section("coverage", "Mentoring coverage by cohort",
                   "The share of each cohort's fellows who had a mentor of each type at some time in the year.",
                   [Table("Fellows with a mentor, by cohort and mentoring type",
                          ["Cohort", "Mentoring type", "Fellows", "With a mentor", "Share (%)"], rows)],
                   chart, "Bar chart of the share of each cohort's fellows with a mentor of each type; the numbers "
                          "are in the table below.")


def _meetings(cohorts: list[queries.CohortRow], spans: list[queries.MentorshipSpan], year: AcademicYear,
              today: date) -> Section:
    counted_to = min(year.next_first_day, today + timedelta(days=1))
    totals = {c.id: [0, 0, 0, 0] for c in cohorts}  # mentorships, meetings held, planned, on schedule
    for span in spans:
        end = min(span.ended_on, counted_to) if span.ended_on else counted_to
        days = year.days_overlapping(span.started_on, end)
        total = totals[span.cohort_id]
        total[0] += 1
        total[1] += span.meetings
        total[2] += days // span.cadence_days
        total[3] += span.meetings >= int(days // (OVERDUE_FACTOR * span.cadence_days))
    rows = [[c.name, t[0], t[1], t[2], share(t[1], t[2]), t[3], share(t[3], t[0])]
            for c in cohorts for t in [totals[c.id]]]
    chart = charts.render_bars("Meetings held and planned, by cohort", [c.name for c in cohorts],
                               {"Held": [totals[c.id][1] for c in cohorts],
                                "Planned": [totals[c.id][2] for c in cohorts]}) if cohorts else None
    return Section("meetings", "Meeting regularity by cohort",
                   "Meetings logged in the year against the meetings each pair planned (the days it ran in the year "
                   "divided by its planned interval). A mentorship is on schedule when its meetings were, on "
                   "average, no further apart than half as long again as planned.",
                   [Table("Meetings held against the plan, by cohort",
                          ["Cohort", "Mentorships", "Meetings held", "Meetings planned", "Held of planned (%)",
                           "On schedule", "On schedule (%)"], rows)],
                   chart, "Bar chart of meetings held and planned by each cohort's mentorships; the numbers are in "
                          "the table below.")


def _ratings(closed: dict) -> Section:
    completed = sum(n for (status, _), n in closed.items() if status == MentorshipStatus.COMPLETED)
    ended = sum(n for (status, _), n in closed.items() if status == MentorshipStatus.ENDED)
    tables = [Table("Mentorships of the program's fellows that closed in the year", ["Outcome", "Mentorships"],
                    [["Completed", completed], ["Ended early", ended], ["All closed", completed + ended]])]
    distribution = [sum(n for (_, rating), n in closed.items() if rating == stars) for stars in range(1, 6)]
    rated = sum(distribution)
    section = Section("ratings", "Ratings of closed mentorships",
                      "The closing ratings (1 to 5) of the mentorships that closed in the year, as aggregates only: "
                      "mentees' comments stay private.", tables)
    if rated < MIN_RATINGS:
        section.withheld = RATINGS_WITHHELD
        return section
    mean = round(sum(stars * n for stars, n in enumerate(distribution, start=1)) / rated, 2)
    tables.append(Table("Closing ratings", ["Figure", "Value"], [["Ratings", rated], ["Average (1 to 5)", mean]]))
    tables.append(Table("Closing ratings by value", ["Rating", "Mentorships"],
                        [[str(stars), n] for stars, n in enumerate(distribution, start=1)]))
    section.chart = charts.render_bars("Closing ratings by value", [str(stars) for stars in range(1, 6)],
                                       {"Mentorships": distribution})
    section.chart_alt = ("Bar chart of how many closed mentorships got each rating from 1 to 5; the numbers are in "
                         "the table.")
    return section


def _opportunities(by_kind: dict) -> Section:
    rows = [[kind.label, by_kind.get(kind.value, 0)] for kind in OpportunityKind]
    rows.append(["All kinds", sum(by_kind.values())])
    return Section("opportunities", "Opportunities posted by alumni",
                   "Jobs, research collaborations, events and other openings the program's graduates posted in the "
                   "year (items taken down by an administrator aside).",
                   [Table("Opportunities posted by alumni, by kind", ["Kind", "Posted"], rows)],
                   charts.render_bars("Opportunities posted by alumni, by kind",
                                      [kind.label for kind in OpportunityKind],
                                      {"Posted": [by_kind.get(kind.value, 0) for kind in OpportunityKind]}),
                   "Bar chart of the opportunities the program's alumni posted in the year, by kind; the numbers "
                   "are in the table below.")


def _discussions(activity: list[queries.CategoryActivity], participants: int, cohort_ids: set[int]) -> Section:
    shown = [a for a in activity if a.cohort_id in cohort_ids or a.threads or a.posts]
    rows = [[a.name, a.threads, a.posts, a.participants] for a in shown]
    rows.append(["All the program's categories", sum(a.threads for a in activity), sum(a.posts for a in activity),
                 participants])
    chart = charts.render_bars("Discussion activity by category", [a.name for a in shown],
                               {"Threads": [a.threads for a in shown], "Posts": [a.posts for a in shown],
                                "Active participants": [a.participants for a in shown]}) if shown else None
    return Section("discussions", "Discussion activity",
                   "Threads started, posts written and members who posted in the year in the program's cohort "
                   "categories (posts held for review or removed do not count).",
                   [Table("Discussion activity by category",
                          ["Category", "Threads", "Posts", "Active participants"], rows)],
                   chart, "Bar chart of threads, posts and active participants in each of the program's categories; "
                          "the numbers are in the table below.")


def _surveys(results: list[ClassResult]) -> Section:
    """Alumni outcome survey answers saved in the year, per graduating class: the survey pages' own partial on
    the page, and the same figures as tables in the files (a class under 3 answers is merged or withheld)."""
    shown = [result for result in results if result.shown]
    summary = Table("Alumni who answered, satisfaction and scholarly output, per class",
                    ["Class", "Answered", "Mean satisfaction (1 to 5)", *(f"Rated {n}" for n in range(1, 6)),
                     "Mean publications", "Published at least once", "Mean presentations"],
                    [[r.label, r.count, r.satisfaction_mean, *r.satisfaction, r.publications_mean,
                      r.with_publication, r.presentations_mean] for r in shown])
    tallies = [Table(caption, ["Answer", *(r.label for r in shown)],
                     [[label, *(dict(getattr(r, attribute))[label] for r in shown)]
                      for label, _ in getattr(shown[0], attribute)])
               for caption, attribute in (("Alumni per practice setting", "settings"),
                                          ("Alumni per position", "positions"),
                                          ("Alumni per board certification status", "certification"),
                                          ("Alumni per academic rank", "ranks"))
               ] if shown else []
    withheld = " ".join(result.hidden_reason for result in results if not result.shown) or None
    return Section("surveys", "Alumni outcome surveys",
                   "Answers to the program's alumni outcome surveys saved in the year, per graduating class: "
                   f"aggregates only, and only for groups of at least {MIN_GROUP} alumni (a smaller class is "
                   "merged with its neighbour). The free text stays on the survey's page, for the director.",
                   [summary, *tallies] if shown else [], withheld=withheld, template="surveys/_results.html",
                   data=results)
