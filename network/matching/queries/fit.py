"""The profiles the fit score reads, for two readers: a fellow choosing among the pool (with the reasons,
seen as that fellow may see them) and a run (every listed pair's fit, and the engine's whole input).

A location counts only where the reader may see it: a fellow sees their connections' shared locations;
a run, kept and read by every manager of the round, only locations shared with all members.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, select

from network.extensions import db
from network.matching.models import Choice, MatchingRound, Override, OverrideKind, Participant, Side
from network.matching.queries.participation import active_mentors_of
from network.matching.rounds import RoundInput
from network.matching.scoring import Mentee, Mentor, fit_reasons, fit_score, score
from network.members.models import User
from network.mentorship.models import mentor_topic
from network.permissions import reaches_others
from network.profiles.models import Profile, profile_interest
from network.profiles.privacy import connected_member_ids
from network.taxonomy.models import Interest, PracticeSetting, Specialty


@dataclass
class _Person:
    """One member as the fit score reads them, from one row of ``_people``."""

    id: int
    name: str
    background_id: int | None
    background_name: str | None
    role: str
    specialty_id: int | None
    time_zone: str
    country: str
    region: str
    career_goal: str | None
    practice: str | None
    location_visibility: str | None
    connected: bool  # to the viewer ``_people`` was read for (False when read for nobody in particular)

    def location(self, seen: bool) -> dict:
        """The time zone, country and region as the score reads them: empty unless ``seen``."""
        if not seen:
            return {"time_zone": "", "country": "", "region": ""}
        return {"time_zone": self.time_zone, "country": self.country, "region": self.region}

    @property
    def location_reaches_others(self) -> bool:
        """Whether the viewer read for (never this person) may see the location; for nobody in particular,
        whether every member may."""
        return reaches_others(self.location_visibility, connected=self.connected)


def _people(user_ids: list[int], viewer_id: int | None = None) -> dict[int, _Person]:
    """Names and the profile fields the fit score reads, and whether each is connected to ``viewer_id``,
    in one query."""
    connected = User.id.in_(connected_member_ids(viewer_id)) if viewer_id is not None else literal(False)
    rows = db.session.execute(
        select(User.id, User.name, User.training_background_id, Specialty.name, User.role,
               Profile.primary_specialty_id, Profile.time_zone, Profile.country, Profile.region, Profile.career_goal,
               PracticeSetting.slug, Profile.location_visibility, connected.label("connected"))
        .outerjoin(Specialty, Specialty.id == User.training_background_id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .outerjoin(PracticeSetting, PracticeSetting.id == Profile.practice_setting_id)
        .where(User.id.in_(user_ids))).all()
    return {r[0]: _Person(r[0], r[1], r[2], r[3], str(r[4]), r[5], r[6] or "", r[7] or "", r[8] or "",
                          r[9].value if r[9] else None, r[10], r[11], bool(r[12])) for r in rows}


def _interests(user_ids: list[int]) -> dict[int, dict[int, str]]:
    """Profile interests of everyone, plus mentoring topics of mentors: user id -> {interest id: name}."""
    found: dict[int, dict[int, str]] = {}
    for owner, interest_id, name in db.session.execute(
            select(profile_interest.c.profile_id, Interest.id, Interest.name)
            .join(Interest, Interest.id == profile_interest.c.interest_id)
            .where(profile_interest.c.profile_id.in_(user_ids))
            .union_all(select(mentor_topic.c.mentor_id, Interest.id, Interest.name)
                       .join(Interest, Interest.id == mentor_topic.c.interest_id)
                       .where(mentor_topic.c.mentor_id.in_(user_ids)))):
        found.setdefault(owner, {})[interest_id] = name
    return found


def _mentee(person: _Person, interests: dict, location_seen: bool) -> Mentee:
    """The fellow's side of the fit score."""
    return Mentee(id=person.id, specialty_id=person.specialty_id, background_id=person.background_id,
                  background_name=person.background_name, interest_ids=frozenset(interests.get(person.id, {})),
                  career_goal=person.career_goal, **person.location(location_seen))


def _mentor(person: _Person, kind: str, capacity: int, interests: dict, location_seen: bool) -> Mentor:
    """The mentor's side of the fit score, offering the round's kind with its places in the round."""
    return Mentor(id=person.id, name=person.name, types=frozenset([kind]), capacity=max(capacity, 1), active=0,
                  specialty_id=person.specialty_id, background_id=person.background_id,
                  interests=interests.get(person.id, {}), paths=frozenset({person.role, person.practice} - {None}),
                  **person.location(location_seen))


def pool_for_fellow(matching_round: MatchingRound, fellow: User) -> list[dict]:
    """The pool's mentors with their fit for this fellow and the reasons, best fit first (four queries).

    A mentor's location counts only where the fellow may see it (the reasons and the fit would tell it)."""
    mentors = db.session.execute(select(Participant.user_id, Participant.capacity)
                                 .where(Participant.round_id == matching_round.id, Participant.side == Side.MENTOR)
                                 ).all()
    ids = [m.user_id for m in mentors] + [fellow.id]
    details = _people(ids, viewer_id=fellow.id)
    interests = _interests(ids)
    mentee = _mentee(details[fellow.id], interests, location_seen=True)  # the fellow's own
    kind = matching_round.type.value
    rows = []
    for mentor_id, capacity in mentors:
        person = details.get(mentor_id)
        if person is None:
            continue
        mentor = _mentor(person, kind, capacity, interests, person.location_reaches_others)
        result = score(mentee, mentor, kind)
        rows.append({"id": mentor_id, "name": person.name, "role": person.role, "capacity": capacity,
                     "fit": result.score if result else 0,
                     "reasons": "; ".join(r for r in result.reasons if "places free" not in r) if result else ""})
    rows.sort(key=lambda r: (-r["fit"], r["name"].lower(), r["id"]))
    return rows


def round_input(matching_round: MatchingRound) -> RoundInput:
    """Everything the engine needs for this round, in seven queries whatever the round's size.

    A run's fits and reasons are kept and read by every manager of the round, who need not be connected
    to the fellow or the mentor: a location counts in them only when its owner shares it with all members.
    """
    people = db.session.execute(select(Participant.user_id, Participant.side, Participant.capacity,
                                       Participant.accept_any)
                                .where(Participant.round_id == matching_round.id)
                                .order_by(Participant.id)).all()
    fellows = [p.user_id for p in people if p.side == Side.FELLOW]
    mentors = {p.user_id: p for p in people if p.side == Side.MENTOR}
    choices = db.session.execute(select(Choice.fellow_id, Choice.mentor_id, Choice.fellow_rank, Choice.mentor_accepts,
                                        Choice.mentor_rank)
                                 .where(Choice.round_id == matching_round.id).order_by(Choice.fellow_rank)).all()
    ids = [p.user_id for p in people]
    details = _people(ids)
    interests = _interests(ids)
    kind = matching_round.type.value
    mentor_data = {m: _mentor(details[m], kind, p.capacity, interests, details[m].location_reaches_others)
                   for m, p in mentors.items() if m in details}
    mentees = {f: _mentee(details[f], interests, details[f].location_reaches_others) for f in fellows if f in details}
    fit = {}
    fellow_lists: dict[int, list[int]] = {f: [] for f in fellows}
    by_mentor: dict[int, list] = {m: [] for m in mentor_data}
    no_answer_acceptable = matching_round.no_answer_acceptable
    unanswered = set()
    # Plain tuples unpacked positionally: this loop runs once per listed pair (50,000 in a large round).
    for fellow_id, mentor_id, fellow_rank, accepts, mentor_rank in choices:
        if fellow_id not in fellow_lists or mentor_id not in mentor_data:
            continue
        fellow_lists[fellow_id].append(mentor_id)
        score_of_pair = fit_score(mentees[fellow_id], mentor_data[mentor_id], kind) or 0
        fit[(fellow_id, mentor_id)] = score_of_pair
        # An explicit "not acceptable" stands even for a mentor who accepts anyone; no answer counts as the
        # round says (or as acceptable for a mentor who accepts anyone).
        if accepts is None and not mentors[mentor_id].accept_any:
            unanswered.add((fellow_id, mentor_id))
            acceptable = no_answer_acceptable
        else:
            acceptable = accepts is not False
        if acceptable:
            # The mentor's order: explicit ranks first, then the others by fit, then the fellow's rank.
            by_mentor[mentor_id].append((mentor_rank is None, mentor_rank or 0, -score_of_pair, fellow_rank,
                                         fellow_id))

    def explain_fit(fellow_id, mentor_id) -> str:
        if fellow_id not in mentees or mentor_id not in mentor_data:
            return ""
        return "; ".join(r for r in fit_reasons(mentees[fellow_id], mentor_data[mentor_id]) if "places free" not in r)

    ranked = {}
    mentor_lists = {m: [] for m in mentors}
    for mentor_id, rows in by_mentor.items():
        rows.sort()
        mentor_lists[mentor_id] = [row[4] for row in rows]
        ranked.update({(row[4], mentor_id): True for row in rows if not row[0]})
    override_rows = db.session.execute(select(Override.fellow_id, Override.mentor_id, Override.kind)
                                       .where(Override.round_id == matching_round.id)).all()
    # Fellows who already have an active mentorship of the round's kind are kept with that mentor.
    active = active_mentors_of(select(Participant.user_id).where(Participant.round_id == matching_round.id,
                                                                 Participant.side == Side.FELLOW),
                               matching_round.type)
    names = {i: p.name for i, p in details.items()}
    for mentor_id, mentor_name in active.values():
        names.setdefault(mentor_id, mentor_name)
    return RoundInput(
        algorithm=matching_round.algorithm.value, max_choices=matching_round.max_choices,
        names=names, fellows=fellows,
        capacity={m: p.capacity for m, p in mentors.items()}, fellow_lists=fellow_lists, mentor_lists=mentor_lists,
        mentor_ranked=ranked, fit=fit, explain_fit=explain_fit,
        pins=[(o.fellow_id, o.mentor_id) for o in override_rows if o.kind == OverrideKind.PIN
              and o.fellow_id in fellow_lists and o.mentor_id in mentors],
        forbids={(o.fellow_id, o.mentor_id) for o in override_rows if o.kind == OverrideKind.FORBID},
        kept={f: mentor for f, (mentor, _) in active.items() if f in fellow_lists},
        unanswered=unanswered, no_answer_acceptable=no_answer_acceptable, kind=matching_round.type.label.lower())
