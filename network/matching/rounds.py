"""One matching round's computation: lists, overrides and fit in; pairs, figures and reasons out.

Pure (no Flask, no database): the services load a ``RoundInput`` and store what ``run_round`` returns.

A pair can match only when the fellow listed the mentor and the mentor accepted the fellow (a mentor's
"no answer" counts as acceptable or not as the round says; the services resolve it into ``mentor_lists``).
A fellow who already has an active mentorship of the round's kind is kept as is: left out of the match (a
member has one active mentorship of a kind), with a place of their mentor if the mentor is in the pool.
Pinned pairs are fixed next (they take a place of the mentor's capacity); forbidden pairs are
struck from both lists. The rest goes to the chosen engine:

* stable: fellow-proposing deferred acceptance on the two sides' lists;
* optimal: the highest total of pair scores, where a pair's score is
  ``6 x fellow points + 4 x mentor points + fit / 10`` (a 1st choice earns ``max_choices``
  points, the last 1), so both sides' wishes count and fit breaks ties.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from network.matching.engine import blocking_pairs, optimal_match, stable_match

FELLOW_WEIGHT = 6
MENTOR_WEIGHT = 4


@dataclass
class RoundInput:
    algorithm: str  # "stable" or "optimal"
    max_choices: int
    names: dict  # user id -> name
    fellows: list  # fellow ids, in display order
    capacity: dict  # mentor id -> places in this round
    fellow_lists: dict  # fellow id -> [mentor id, ...] best first
    mentor_lists: dict  # mentor id -> [fellow id, ...] acceptable fellows, best first
    mentor_ranked: dict = field(default_factory=dict)  # (fellow, mentor) -> True when the mentor ranked explicitly
    fit: dict = field(default_factory=dict)  # (fellow, mentor) -> fit score 0-100
    explain_fit: Callable | None = None  # (fellow, mentor) -> "reasons", asked only for the pairs matched
    pins: list = field(default_factory=list)  # [(fellow, mentor)]
    forbids: set = field(default_factory=set)  # {(fellow, mentor)}
    kept: dict = field(default_factory=dict)  # fellow -> the mentor of their active mentorship of the round's kind
    unanswered: set = field(default_factory=set)  # {(fellow, mentor)} the mentor has not answered for
    no_answer_acceptable: bool = True  # how ``unanswered`` pairs were counted (for the explanations)
    kind: str = "research"  # the round's kind of mentoring, lower case, for the explanations
    _ranks: tuple | None = field(default=None, repr=False)

    def ranks(self) -> tuple[dict, dict]:
        """({(fellow, mentor): the fellow's rank of the mentor}, {(fellow, mentor): the mentor's rank}), 1 = first."""
        if self._ranks is None:
            self._ranks = ({(f, m): n for f, mentors in self.fellow_lists.items() for n, m in enumerate(mentors, 1)},
                           {(f, m): n for m, fellows in self.mentor_lists.items() for n, f in enumerate(fellows, 1)})
        return self._ranks


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def pair_score(data: RoundInput, fellow, mentor) -> int:
    """The optimal engine's weight of a pair (see the module docstring)."""
    fellow_ranks, mentor_ranks = data.ranks()
    unranked = data.max_choices + 1
    fellow_points = max(1, unranked - fellow_ranks.get((fellow, mentor), unranked))
    mentor_points = max(1, unranked - mentor_ranks.get((fellow, mentor), unranked))
    return FELLOW_WEIGHT * fellow_points + MENTOR_WEIGHT * mentor_points + round(data.fit.get((fellow, mentor), 0) / 10)


def _cleaned_lists(data: RoundInput):
    """Both sides' lists without forbidden pairs, and mutual only (pinned fellows still in)."""
    accepted = {mentor: set(fellows) for mentor, fellows in data.mentor_lists.items()}
    listed = {fellow: set(mentors) for fellow, mentors in data.fellow_lists.items()}
    forbids = data.forbids
    fellow_lists = {
        fellow: [m for m in data.fellow_lists.get(fellow, []) if m in data.capacity and fellow in accepted.get(m, ())
                 and (fellow, m) not in forbids]
        for fellow in data.fellows}
    mentor_lists = {
        mentor: [f for f in data.mentor_lists.get(mentor, []) if f in fellow_lists
                 and mentor in listed.get(f, ()) and (f, mentor) not in forbids]
        for mentor in data.capacity}
    return fellow_lists, mentor_lists


def run_round(data: RoundInput, progress=None) -> tuple[dict, list[dict]]:
    """(summary figures, one row per fellow with mentor, ranks, score and the reasons)."""
    report = progress or (lambda percent: None)
    kept = data.kept
    full_lists, full_mentor_lists = _cleaned_lists(data)
    if kept:
        # Fellows kept with their mentor are out of both sides' lists; a kept pair takes one of the mentor's places.
        full_lists = {f: ([] if f in kept else mentors) for f, mentors in full_lists.items()}
        full_mentor_lists = {m: [f for f in fellows if f not in kept] for m, fellows in full_mentor_lists.items()}
    places = dict(data.capacity)
    for mentor in kept.values():
        if mentor in places:
            places[mentor] = max(0, places[mentor] - 1)
    # Pinned fellows are placed first: out of both sides' lists, and each pin takes one of its mentor's places.
    pinned = {f: m for f, m in data.pins if f not in kept}
    fellow_lists = {f: ([] if f in pinned else mentors) for f, mentors in full_lists.items()}
    mentor_lists = {m: [f for f in fellows if f not in pinned] for m, fellows in full_mentor_lists.items()} \
        if pinned else full_mentor_lists
    capacity = dict(places)
    for mentor in pinned.values():
        capacity[mentor] = max(0, capacity.get(mentor, 0) - 1)
    report(30)
    if data.algorithm == "stable":
        matched = stable_match(fellow_lists, mentor_lists, capacity)
    else:
        scores = {(f, m): pair_score(data, f, m) for f, mentors in fellow_lists.items() for m in mentors}
        matched = optimal_match(scores, capacity)
    report(70)
    result = dict.fromkeys(data.fellows)
    result.update({f: m for f, m in matched.items() if m is not None})
    result.update(pinned)
    # Blocking pairs on the real lists and the places left after kept pairs (pins included): 0 for a stable
    # run without pins.
    blocking = blocking_pairs({f: m for f, m in result.items() if f not in kept}, full_lists, full_mentor_lists,
                              places)
    result.update(kept)
    taken = {}
    for mentor in result.values():
        if mentor is not None:
            taken[mentor] = taken.get(mentor, 0) + 1
    rows = [_kept_row(data, fellow, kept[fellow]) if fellow in kept
            else _row(data, fellow, result[fellow], fellow in pinned, full_mentor_lists, taken)
            for fellow in data.fellows]
    matched_rows = [r for r in rows if r["mentor"] is not None and not r["kept"]]
    ranks = [r["fellow_rank"] for r in matched_rows if r["fellow_rank"] is not None]
    count = len(rows)
    # The figures are of the fellows the match was for: those kept with their mentor are counted apart.
    needing = count - len(kept)
    summary = {
        "fellows": count, "mentors": len(data.capacity), "places": sum(data.capacity.values()),
        "kept": len(kept), "needing": needing,
        "matched": len(matched_rows),
        "coverage": _share(len(matched_rows), needing),
        "first_choice": _share(sum(1 for r in ranks if r == 1), needing),
        "top_three": _share(sum(1 for r in ranks if r <= 3), needing),
        "mean_rank": round(sum(ranks) / len(ranks), 2) if ranks else None,
        "total_score": sum(r["score"] for r in matched_rows),
        "blocking_pairs": len(blocking),
        "blocking": [[f, m] for f, m in blocking[:50]],
        "pins": len(pinned), "forbids": len(data.forbids),
        "no_answer_acceptable": data.no_answer_acceptable,
    }
    report(90)
    return summary, rows


def _kept_row(data, fellow, mentor) -> dict:
    """A fellow left out of the match: their active mentorship of the round's kind continues."""
    name, mentor_name = data.names.get(fellow, str(fellow)), data.names.get(mentor, str(mentor))
    fellow_rank = data.ranks()[0].get((fellow, mentor))
    in_pool = mentor in data.capacity
    why = (f"{name} already has an active {data.kind} mentorship with {mentor_name}: kept as is and left out "
           "of the match. ")
    why += (f"{mentor_name} was {name}'s {ordinal(fellow_rank)} choice. " if fellow_rank
            else f"{name} did not list {mentor_name}. ")
    why += (f"It takes one of {mentor_name}'s places in this round." if in_pool
            else f"{mentor_name} is not in this round's pool.")
    return {"fellow": fellow, "fellow_name": name, "mentor": mentor, "mentor_name": mentor_name,
            "fellow_rank": fellow_rank, "mentor_rank": None, "score": 0, "fit": None, "pinned": False,
            "kept": True, "why": why}


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _row(data, fellow, mentor, pinned, mentor_lists, taken) -> dict:
    name = data.names.get(fellow, str(fellow))
    row = {"fellow": fellow, "fellow_name": name, "mentor": mentor,
           "mentor_name": data.names.get(mentor, str(mentor)) if mentor is not None else None,
           "fellow_rank": None, "mentor_rank": None, "score": 0, "fit": None, "pinned": pinned, "kept": False,
           "why": ""}
    if mentor is None:
        row["why"] = _unmatched_reason(data, fellow, mentor_lists, taken)
        return row
    listed = data.fellow_lists.get(fellow, [])
    fellow_ranks, mentor_ranks = data.ranks()
    row["fellow_rank"] = fellow_ranks.get((fellow, mentor))
    row["mentor_rank"] = mentor_ranks.get((fellow, mentor))
    row["score"] = pair_score(data, fellow, mentor)
    fit = data.fit.get((fellow, mentor), 0)
    reasons = data.explain_fit(fellow, mentor) if data.explain_fit else ""
    row["fit"] = fit
    mentor_name = row["mentor_name"]
    parts = []
    if pinned:
        parts.append("Pinned by faculty")
    parts.append(f"{mentor_name} was {name}'s {ordinal(row['fellow_rank'])} choice" if row["fellow_rank"]
                 else f"{name} did not list {mentor_name}")
    if row["mentor_rank"] is None:
        parts.append(f"{mentor_name} did not accept {name}")
    elif data.mentor_ranked.get((fellow, mentor)):
        parts.append(f"{mentor_name} ranked {name} {ordinal(row['mentor_rank'])}")
    elif (fellow, mentor) in data.unanswered:
        parts.append(f"{mentor_name} did not answer for {name} (counts as acceptable), "
                     f"placed {ordinal(row['mentor_rank'])} by fit")
    else:
        parts.append(f"{mentor_name} accepted {name} (placed {ordinal(row['mentor_rank'])} by fit)")
    parts.append(f"fit {fit}/100" + (f": {reasons}" if reasons else ""))
    better = listed[: row["fellow_rank"] - 1] if row["fellow_rank"] else []
    if better and not pinned:
        parts.append("higher choices: " + "; ".join(
            _why_not(data, fellow, other, mentor_lists, taken) for other in better))
    elif not better and row["fellow_rank"] == 1:
        parts.append("first choice")
    row["why"] = ". ".join(p[:1].upper() + p[1:] for p in parts) + "."
    return row


def _why_not(data, fellow, mentor, mentor_lists, taken) -> str:
    mentor_name = data.names.get(mentor, str(mentor))
    if (fellow, mentor) in data.forbids:
        return f"{mentor_name} (forbidden by faculty)"
    if fellow not in mentor_lists.get(mentor, []):
        if (fellow, mentor) in data.unanswered:
            return f"{mentor_name} did not answer (counts as not acceptable)"
        return f"{mentor_name} did not accept"
    if data.algorithm == "stable":
        return f"{mentor_name} was full with fellows they ranked higher"
    if taken.get(mentor, 0) >= data.capacity.get(mentor, 0):
        return f"{mentor_name} was full (a higher total score)"
    return f"{mentor_name} (a higher total score)"


def _unmatched_reason(data, fellow, mentor_lists, taken) -> str:
    listed = data.fellow_lists.get(fellow, [])
    if not listed:
        return "Listed no mentor."
    acceptable = [m for m in listed if fellow in mentor_lists.get(m, []) and (fellow, m) not in data.forbids]
    if not acceptable:
        silent = [data.names.get(m, str(m)) for m in listed if (fellow, m) in data.unanswered]
        if silent:
            return (f"Nobody acceptable: {', '.join(silent)} did not answer (“no answer” counts as not acceptable "
                    "in this round); no other mentor they listed accepted them.")
        return "Nobody acceptable: no mentor they listed accepted them."
    if all(taken.get(m, 0) >= data.capacity.get(m, 0) for m in acceptable):
        return "All full: every mentor who accepted them filled their places" + (
            " with fellows they ranked higher." if data.algorithm == "stable" else ".")
    return "Left unmatched for a higher total score."
