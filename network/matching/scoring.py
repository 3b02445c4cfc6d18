"""How well a mentor fits a mentee for one kind of mentoring, with the reasons in plain words.

Pure: plain data in, plain data out; no Flask, no database. The weights live in one place.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from operator import itemgetter

MENTORING_TYPES = ("research", "clinical", "career", "wellness")
TYPE_LABELS = {"research": "Research", "clinical": "Clinical / procedural", "career": "Career",
               "wellness": "Wellness"}

#: Points for each part of the fit; the score is their sum scaled to 0–100.
WEIGHTS = {
    "specialty": 10,  # same primary specialty
    "background": 20,  # trained in the same specialty before fellowship
    "interest": 10,  # per shared interest or topic, up to MAX_SHARED_INTERESTS
    "time_zone": 10,  # same time zone (easy to meet)
    "region": 5,  # same country and region when time zones differ
    "career": 15,  # the mentor's path matches the mentee's career goal
    "capacity": 10,  # scaled by the share of places still free
}
MAX_SHARED_INTERESTS = 3
MAX_POINTS = sum(WEIGHTS.values()) + WEIGHTS["interest"] * (MAX_SHARED_INTERESTS - 1)

# Career goal -> the mentor settings or roles that fit it.
CAREER_FIT = {
    "academic": {"academic", "faculty"},
    "private_practice": {"private-practice", "hospital-employed"},
    "research": {"faculty", "academic", "research"},
}


@dataclass(frozen=True)
class Mentee:
    id: int
    specialty_id: int | None = None
    background_id: int | None = None
    background_name: str | None = None
    interest_ids: frozenset[int] = frozenset()
    time_zone: str = ""
    country: str = ""
    region: str = ""
    career_goal: str | None = None


@dataclass(slots=True)
class Mentor:
    id: int
    name: str
    types: frozenset[str]
    capacity: int
    active: int
    specialty_id: int | None = None
    background_id: int | None = None
    interests: dict[int, str] = field(default_factory=dict)  # interests and mentoring topics, id -> name
    time_zone: str = ""
    country: str = ""
    region: str = ""
    paths: frozenset[str] = frozenset()  # role and practice-setting slugs, e.g. {"alumni", "private-practice"}

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.active)


@dataclass(frozen=True)
class Recommendation:
    mentor: Mentor
    score: int  # 0–100
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def _names(names: list[str]) -> str:
    names = [n.lower() if n[:1].isupper() and not n[1:2].isupper() else n for n in names]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _points(mentee: Mentee, mentor: Mentor, mentoring_type: str) -> float | None:
    """The raw points, or None when the mentor cannot take this mentee (cheap: run for every mentor)."""
    free = mentor.capacity - mentor.active
    if free <= 0 or mentor.id == mentee.id or mentoring_type not in mentor.types:
        return None
    points = WEIGHTS["capacity"] * free / max(mentor.capacity, 1)
    if mentee.background_id is not None and mentee.background_id == mentor.background_id:
        points += WEIGHTS["background"]
    if mentee.specialty_id is not None and mentee.specialty_id == mentor.specialty_id:
        points += WEIGHTS["specialty"]
    if mentor.interests:
        shared = sum(1 for i in mentee.interest_ids if i in mentor.interests)
        points += WEIGHTS["interest"] * min(shared, MAX_SHARED_INTERESTS)
    if mentee.time_zone and mentee.time_zone == mentor.time_zone:
        points += WEIGHTS["time_zone"]
    elif mentee.country and mentee.country == mentor.country and mentee.region and \
            mentee.region.lower() == mentor.region.lower():
        points += WEIGHTS["region"]
    if mentee.career_goal in CAREER_FIT and CAREER_FIT[mentee.career_goal] & mentor.paths:
        points += WEIGHTS["career"]
    return points


def _reasons(mentee: Mentee, mentor: Mentor) -> tuple[str, ...]:
    """The plain-language reasons behind the points (only for the mentors shown)."""
    reasons: list[str] = []
    if mentee.background_id is not None and mentee.background_id == mentor.background_id:
        reasons.append(f"also trained in {mentee.background_name}" if mentee.background_name else
                       "same training background")
    shared = sorted(mentor.interests[i] for i in mentee.interest_ids if i in mentor.interests)
    if shared:
        reasons.append("shares " + _names(shared[:MAX_SHARED_INTERESTS])
                       + (f" and {len(shared) - MAX_SHARED_INTERESTS} more" if len(shared) > MAX_SHARED_INTERESTS
                          else ""))
    if mentee.time_zone and mentee.time_zone == mentor.time_zone:
        reasons.append("same time zone")
    elif mentee.country and mentee.country == mentor.country and mentee.region and \
            mentee.region.lower() == mentor.region.lower():
        reasons.append("same region")
    if mentee.career_goal in CAREER_FIT and CAREER_FIT[mentee.career_goal] & mentor.paths:
        reasons.append({"academic": "on an academic path", "private_practice": "in practice as you plan to be",
                        "research": "does research"}[mentee.career_goal])
    reasons.append(f"{mentor.free} of {mentor.capacity} places free")
    return tuple(reasons)


def score(mentee: Mentee, mentor: Mentor, mentoring_type: str) -> Recommendation | None:
    """The fit of ``mentor`` for ``mentee`` in ``mentoring_type``; None when the mentor cannot take it."""
    points = _points(mentee, mentor, mentoring_type)
    if points is None:
        return None
    return Recommendation(mentor=mentor, score=round(100 * points / MAX_POINTS), reasons=_reasons(mentee, mentor))


def recommend(mentee: Mentee, mentors: list[Mentor], mentoring_type: str, limit: int = 20) -> list[Recommendation]:
    """The best mentors first; ties broken by name, then id, so the order never wobbles.

    Every mentor gets points; only the ``limit`` shown get their reasons written out.
    """
    scored = []
    for mentor in mentors:
        points = _points(mentee, mentor, mentoring_type)
        if points is not None:
            scored.append((-round(100 * points / MAX_POINTS), mentor.name.lower(), mentor.id, mentor))
    best = heapq.nsmallest(limit, scored, key=itemgetter(0, 1, 2))
    return [Recommendation(mentor=mentor, score=-negative, reasons=_reasons(mentee, mentor))
            for negative, _, _, mentor in best]


def fit_score(mentee: Mentee, mentor: Mentor, mentoring_type: str) -> int | None:
    """The 0–100 fit alone, without writing the reasons (for scoring many pairs at once)."""
    points = _points(mentee, mentor, mentoring_type)
    return None if points is None else round(100 * points / MAX_POINTS)


def fit_reasons(mentee: Mentee, mentor: Mentor) -> tuple[str, ...]:
    """The plain-language reasons behind a fit (only for the pairs someone will read)."""
    return _reasons(mentee, mentor)
