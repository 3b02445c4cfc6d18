"""How well a mentor fits a mentee for one kind of mentoring, with the reasons in plain words.

Pure: plain data in, plain data out; no Flask, no database. The weights live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
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


def score(mentee: Mentee, mentor: Mentor, mentoring_type: str) -> Recommendation | None:
    """The fit of ``mentor`` for ``mentee`` in ``mentoring_type``; None when the mentor cannot take it."""
    if mentoring_type not in mentor.types or mentor.free <= 0 or mentor.id == mentee.id:
        return None
    points = 0.0
    reasons: list[str] = []
    if mentee.background_id is not None and mentee.background_id == mentor.background_id:
        points += WEIGHTS["background"]
        reasons.append(f"also trained in {mentee.background_name}" if mentee.background_name else
                       "same training background")
    if mentee.specialty_id is not None and mentee.specialty_id == mentor.specialty_id:
        points += WEIGHTS["specialty"]
    shared = sorted((mentor.interests[i] for i in mentee.interest_ids if i in mentor.interests))
    if shared:
        points += WEIGHTS["interest"] * min(len(shared), MAX_SHARED_INTERESTS)
        reasons.append("shares " + _names(shared[:MAX_SHARED_INTERESTS])
                       + (f" and {len(shared) - MAX_SHARED_INTERESTS} more" if len(shared) > MAX_SHARED_INTERESTS
                          else ""))
    if mentee.time_zone and mentee.time_zone == mentor.time_zone:
        points += WEIGHTS["time_zone"]
        reasons.append("same time zone")
    elif mentee.country and mentee.country == mentor.country and mentee.region and \
            mentee.region.lower() == mentor.region.lower():
        points += WEIGHTS["region"]
        reasons.append("same region")
    if mentee.career_goal in CAREER_FIT and CAREER_FIT[mentee.career_goal] & mentor.paths:
        points += WEIGHTS["career"]
        reasons.append({"academic": "on an academic path", "private_practice": "in practice as you plan to be",
                        "research": "does research"}[mentee.career_goal])
    points += WEIGHTS["capacity"] * mentor.free / max(mentor.capacity, 1)
    reasons.append(f"{mentor.free} of {mentor.capacity} places free")
    return Recommendation(mentor=mentor, score=round(100 * points / MAX_POINTS), reasons=tuple(reasons))


def recommend(mentee: Mentee, mentors: list[Mentor], mentoring_type: str, limit: int = 20) -> list[Recommendation]:
    """The best mentors first; ties broken by name, then id, so the order never wobbles."""
    scored = [r for r in (score(mentee, m, mentoring_type) for m in mentors) if r is not None]
    scored.sort(key=lambda r: (-r.score, r.mentor.name.lower(), r.mentor.id))
    return scored[:limit]
