"""A run's rows for people: what publishing made of each participant, in their words (the notifications and
the round page), and the pairs as the CSV a program downloads. No queries and no Flask: they read what the run stored.
"""

from __future__ import annotations

import csv
import io

from network.matching.models import MatchingRound, MatchingRun

#: What an unmatched participant is told; never said to one who has a mentor of the round's kind.
NOT_MATCHED = "you were not matched this time"


def published_outcome(row: dict) -> dict:
    """What publishing made of a run's row: its ``published`` state, mentor, mentor's name and note (a row
    published before outcomes were kept became a mentorship if it had a mentor)."""
    return row.get("published") or {"state": "new" if row["mentor"] else "unmatched", "mentor": row["mentor"],
                                    "mentor_name": row["mentor_name"], "note": ""}


def fellow_result_line(matching_round: MatchingRound, row: dict) -> str:
    """What publishing made of a fellow's row, in their words (the notification and the round page)."""
    outcome = published_outcome(row)
    kind = matching_round.type.label.lower()
    state, name = outcome["state"], outcome["mentor_name"]
    if state == "new":
        return f"{name} is your {kind} mentor"
    if state == "kept":
        return f"your {kind} mentorship with {name} continues"
    if state == "not_created" and name:
        return f"your {kind} mentorship with {name} continues; no new mentorship with {row['mentor_name']}"
    if state == "not_created":
        return f"the match paired you with {row['mentor_name']}, but they had no place left, so no mentorship " \
               "was created"
    return NOT_MATCHED


def mentor_results(rows: list[dict]) -> dict[int, dict[str, list[str]]]:
    """Each mentor's fellows once the round is published: new mentees, mentorships that continue, and pairs
    of the run that did not become mentorships; in one pass over the rows."""
    found: dict[int, dict[str, list[str]]] = {}

    def of(mentor_id):
        return found.setdefault(mentor_id, {"new": [], "kept": [], "not_created": []})

    for row in rows:
        outcome = published_outcome(row)
        if outcome["state"] in ("new", "kept"):
            of(outcome["mentor"])[outcome["state"]].append(row["fellow_name"])
        elif outcome["state"] == "not_created":
            of(row["mentor"])["not_created"].append(row["fellow_name"])
    return found


def mentor_result(rows: list[dict], mentor_id: int) -> dict[str, list[str]]:
    """One mentor's fellows by outcome (``mentor_results``), empty lists when the run gave them none."""
    return mentor_results(rows).get(mentor_id) or {"new": [], "kept": [], "not_created": []}


def mentor_result_line(found: dict[str, list[str]]) -> str:
    """A mentor's fellows by outcome, in the mentor's words."""
    parts = []
    if found["new"]:
        parts.append(f"you will mentor {', '.join(found['new'])}")
    if found["kept"]:
        parts.append(f"your mentorship with {', '.join(found['kept'])} continues")
    if found["not_created"]:
        parts.append(f"no new mentorship with {', '.join(found['not_created'])}, who could not take it")
    return "; ".join(parts) or NOT_MATCHED


def export_csv(run: MatchingRun) -> str:
    """The run's pairs as CSV, one row per fellow."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["fellow", "mentor", "fellow's rank of mentor", "mentor's rank of fellow", "score", "fit",
                     "pinned", "explanation"])
    for pair in run.pairs:
        writer.writerow([_cell(pair["fellow_name"]), _cell(pair["mentor_name"] or ""), pair["fellow_rank"] or "",
                         pair["mentor_rank"] or "", pair["score"], pair["fit"] if pair["fit"] is not None else "",
                         "yes" if pair["pinned"] else "", _cell(pair["why"])])
    return out.getvalue()


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas in names (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
