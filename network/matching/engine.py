"""Exact matching engines: stable (NRMP-style deferred acceptance) and optimal (maximum total score).

Pure: plain data in, plain data out; no Flask, no database. Identities are any hashable values.

* ``stable_match`` is mentee-proposing deferred acceptance with capacities (the
  hospitals/residents problem). Its result is the mentee-optimal stable matching, which
  is unique for given preference lists.
* ``optimal_match`` maximises the sum of pair scores. Each mentor is expanded into
  ``capacity`` identical slot columns, each mentee gets one private "unmatched" column, and
  scipy's sparse LAPJVsp solver finds a minimum-cost full matching of the mentee rows.
  Costs are ``M - score`` for a real slot and ``M`` for the unmatched column, with
  ``M = max(score) + 1``: every row is matched once, so the total cost is
  ``rows * M - (sum of matched scores)`` whatever the number of real matches, and
  minimising it maximises the score. All costs are >= 1 (the sparse solver reads an
  explicit zero as a missing edge). Pairs with a negative score are dropped first: leaving
  the mentee unmatched (score 0) is strictly better than any of them.
* ``blocking_pairs`` lists the pairs who would both rather have each other.

Bad input raises ``ValueError`` naming the offending item.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

__all__ = ["blocking_pairs", "optimal_match", "stable_match"]


def _check_capacity(capacity: Mapping) -> None:
    for mentor, places in capacity.items():
        if isinstance(places, bool) or not isinstance(places, int):
            # The contract: every kind of bad input is a ValueError naming the item.
            raise ValueError(f"capacity of mentor {mentor!r} must be a whole number, not {places!r}")
        if places < 0:
            raise ValueError(f"capacity of mentor {mentor!r} is negative ({places})")


def _rank_tables(mentee_prefs: Mapping, mentor_prefs: Mapping, capacity: Mapping) -> dict:
    """Validate both sides' lists and return mentor -> {mentee: rank} (0 = most preferred)."""
    _check_capacity(capacity)
    for mentor in capacity:
        if mentor not in mentor_prefs:
            raise ValueError(f"capacity given for unknown mentor {mentor!r}")
    for mentee, mentors in mentee_prefs.items():
        seen = set()
        for mentor in mentors:
            if mentor not in mentor_prefs:
                raise ValueError(f"mentee {mentee!r} lists unknown mentor {mentor!r}")
            if mentor in seen:
                raise ValueError(f"mentee {mentee!r} lists mentor {mentor!r} twice")
            seen.add(mentor)
    ranks = {}
    for mentor, mentees in mentor_prefs.items():
        if mentor not in capacity:
            raise ValueError(f"no capacity given for mentor {mentor!r}")
        table = {}
        for position, mentee in enumerate(mentees):
            if mentee not in mentee_prefs:
                raise ValueError(f"mentor {mentor!r} lists unknown mentee {mentee!r}")
            if mentee in table:
                raise ValueError(f"mentor {mentor!r} lists mentee {mentee!r} twice")
            table[mentee] = position
        ranks[mentor] = table
    return ranks


def stable_match(mentee_prefs: Mapping[Hashable, Sequence], mentor_prefs: Mapping[Hashable, Sequence],
                 capacity: Mapping[Hashable, int]) -> dict:
    """The mentee-optimal stable matching: every mentee -> its mentor, or None."""
    ranks = _rank_tables(mentee_prefs, mentor_prefs, capacity)
    # Each mentor's current holds as a max-heap on rank: (-rank, mentee). Ranks are distinct
    # within one mentor, so mentees themselves are never compared.
    holds = {mentor: [] for mentor in mentor_prefs}
    next_choice = dict.fromkeys(mentee_prefs, 0)
    free = list(mentee_prefs)
    heappush, heapreplace = heapq.heappush, heapq.heapreplace
    while free:
        mentee = free.pop()
        choices = mentee_prefs[mentee]
        position = next_choice[mentee]
        while position < len(choices):
            mentor = choices[position]
            position += 1
            rank = ranks[mentor].get(mentee)
            if rank is None:  # the mentor did not list this mentee
                continue
            held = holds[mentor]
            if len(held) < capacity[mentor]:
                heappush(held, (-rank, mentee))
                break
            if held and -held[0][0] > rank:  # displaces the mentor's least preferred hold
                _, displaced = heapreplace(held, (-rank, mentee))
                free.append(displaced)
                break
        next_choice[mentee] = position
    result = dict.fromkeys(mentee_prefs)
    for mentor, held in holds.items():
        for _, mentee in held:
            result[mentee] = mentor
    return result


def blocking_pairs(matching: Mapping, mentee_prefs: Mapping[Hashable, Sequence],
                   mentor_prefs: Mapping[Hashable, Sequence], capacity: Mapping[Hashable, int]) -> list[tuple]:
    """Every (mentee, mentor) pair who list each other and would both rather be together."""
    ranks = _rank_tables(mentee_prefs, mentor_prefs, capacity)
    assigned = {mentor: [] for mentor in mentor_prefs}
    for mentee, mentor in matching.items():
        if mentee not in mentee_prefs:
            raise ValueError(f"matching names unknown mentee {mentee!r}")
        if mentor is None:
            continue
        if mentor not in mentor_prefs:
            raise ValueError(f"matching gives mentee {mentee!r} unknown mentor {mentor!r}")
        assigned[mentor].append(mentee)
    # A mentor's least preferred assigned mentee; one the mentor never listed counts as worst.
    worst = {}
    for mentor, mentees in assigned.items():
        table = ranks[mentor]
        worst[mentor] = max((table.get(mentee, math.inf) for mentee in mentees), default=-1)
    pairs = []
    for mentee, mentors in mentee_prefs.items():
        current = matching.get(mentee)
        for mentor in mentors:
            if mentor == current:
                break  # every later mentor is less wanted than the current one
            rank = ranks[mentor].get(mentee)
            if rank is None:
                continue
            if len(assigned[mentor]) < capacity[mentor] or rank < worst[mentor]:
                pairs.append((mentee, mentor))
    return pairs


def _score_arrays(scores: Mapping, capacity: Mapping):
    """Validate ``scores`` and index it: (mentees, mentors, mentee index, mentor index, score arrays).

    The checks run as C-level passes (``map``, ``set``, numpy) and look item by item only to name
    the offending one: this is most of ``optimal_match``'s own time next to the solver's.
    """
    _check_capacity(capacity)
    keys = list(scores)
    values = list(scores.values())
    if set(map(type, keys)) - {tuple} or set(map(len, keys)) - {2}:
        bad = next(k for k in keys if not isinstance(k, tuple) or len(k) != 2)
        raise ValueError(f"score key {bad!r} is not a (mentee, mentor) pair")
    if set(map(type, values)) - {int, float}:
        for key, score in zip(keys, values, strict=True):
            if isinstance(score, bool) or not isinstance(score, (int, float, np.integer, np.floating)):
                raise ValueError(f"score of pair {key!r} is not a number: {score!r}")
    score_array = np.array(values, dtype=np.float64)
    if not np.isfinite(score_array).all():
        bad = int(np.flatnonzero(~np.isfinite(score_array))[0])
        raise ValueError(f"score of pair {keys[bad]!r} is not finite: {values[bad]!r}")
    mentee_keys = [k[0] for k in keys]
    mentor_keys = [k[1] for k in keys]
    mentee_index = {mentee: i for i, mentee in enumerate(dict.fromkeys(mentee_keys))}
    mentor_index = {mentor: i for i, mentor in enumerate(dict.fromkeys(mentor_keys))}
    for mentor in mentor_index:
        if mentor not in capacity:
            bad = next(k for k in keys if k[1] == mentor)
            raise ValueError(f"pair {bad!r} names unknown mentor {mentor!r}")
    rows = np.fromiter(map(mentee_index.__getitem__, mentee_keys), dtype=np.int64, count=len(keys))
    cols = np.fromiter(map(mentor_index.__getitem__, mentor_keys), dtype=np.int64, count=len(keys))
    return list(mentee_index), list(mentor_index), rows, cols, score_array


def optimal_match(scores: Mapping[tuple, float], capacity: Mapping[Hashable, int]) -> dict:
    """The assignment with the highest total score: every mentee in ``scores`` -> mentor or None."""
    mentees, mentors, rows, cols, values = _score_arrays(scores, capacity)
    result = dict.fromkeys(mentees)
    keep = values >= 0  # a negative pair is always worse than leaving the mentee unmatched
    rows, cols, values = rows[keep], cols[keep], values[keep]
    if not len(values):
        return result
    # A mentor needs no more slots than mentees who could take one.
    places = np.array([capacity[mentor] for mentor in mentors], dtype=np.int64)
    slots = np.minimum(places, np.bincount(cols, minlength=len(mentors)))
    first_slot = np.cumsum(slots) - slots
    slot_count = int(slots.sum())
    # Repeat every pair once per slot of its mentor: pair p gets columns first_slot[m] .. + slots[m].
    repeats = slots[cols]
    keep = repeats > 0
    rows, cols, values, repeats = rows[keep], cols[keep], values[keep], repeats[keep]
    edge_rows = np.repeat(rows, repeats)
    offsets = np.arange(int(repeats.sum()), dtype=np.int64) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    edge_cols = np.repeat(first_slot[cols], repeats) + offsets
    big = float(values.max()) + 1.0 if len(values) else 1.0
    edge_costs = np.repeat(big - values, repeats)
    count = len(mentees)
    unmatched = np.arange(count, dtype=np.int64)
    graph = csr_matrix(
        (np.concatenate([edge_costs, np.full(count, big)]),
         (np.concatenate([edge_rows, unmatched]), np.concatenate([edge_cols, unmatched + slot_count]))),
        shape=(count, slot_count + count))
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
    slot_owner = np.repeat(np.arange(len(mentors)), slots)
    for row, col in zip(matched_rows.tolist(), matched_cols.tolist(), strict=True):
        if col < slot_count:
            result[mentees[row]] = mentors[slot_owner[col]]
    return result
