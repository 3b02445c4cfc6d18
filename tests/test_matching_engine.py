"""The matching engines against brute force and scipy's dense solver, on random instances."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from network.matching import blocking_pairs, optimal_match, stable_match

# --- instances -------------------------------------------------------------------------------


@st.composite
def preference_instances(draw, max_mentees=5, max_mentors=4, max_capacity=3):
    """Random strict lists on both sides (any subset, any order) and capacities 0..max."""
    mentees = [f"e{i}" for i in range(draw(st.integers(0, max_mentees)))]
    mentors = [f"m{j}" for j in range(draw(st.integers(0, max_mentors)))]
    mentee_prefs = {e: draw(st.permutations(mentors).map(lambda p: p[: draw(st.integers(0, len(p)))]))
                    for e in mentees}
    mentor_prefs = {m: draw(st.permutations(mentees).map(lambda p: p[: draw(st.integers(0, len(p)))]))
                    for m in mentors}
    capacity = {m: draw(st.integers(0, max_capacity)) for m in mentors}
    return mentee_prefs, mentor_prefs, capacity


@st.composite
def score_instances(draw, max_mentees=5, max_mentors=3, max_capacity=2, negative=True):
    mentees = [f"e{i}" for i in range(draw(st.integers(1, max_mentees)))]
    mentors = [f"m{j}" for j in range(draw(st.integers(1, max_mentors)))]
    low = -20 if negative else 1
    scores = {}
    for e in mentees:
        listed = draw(st.lists(st.sampled_from(mentors), min_size=1, unique=True))
        for m in listed:
            scores[(e, m)] = draw(st.integers(low, 50))
    capacity = {m: draw(st.integers(0, max_capacity)) for m in mentors}
    return scores, capacity


# --- brute force -----------------------------------------------------------------------------


def acceptable(mentee_prefs, mentor_prefs):
    return {e: [m for m in ms if e in mentor_prefs[m]] for e, ms in mentee_prefs.items()}


def all_matchings(options, capacity):
    """Every assignment of each mentee to one of its options or None, within capacity."""
    mentees = list(options)
    for choice in itertools.product(*[[None, *options[e]] for e in mentees]):
        counts = {}
        for m in choice:
            if m is not None:
                counts[m] = counts.get(m, 0) + 1
        if all(n <= capacity[m] for m, n in counts.items()):
            yield dict(zip(mentees, choice, strict=True))


def brute_force_mentee_optimal(mentee_prefs, mentor_prefs, capacity):
    options = acceptable(mentee_prefs, mentor_prefs)
    stable = [m for m in all_matchings(options, capacity)
              if not blocking_pairs(m, mentee_prefs, mentor_prefs, capacity)]

    def rank(e, m):
        return len(mentee_prefs[e]) if m is None else mentee_prefs[e].index(m)

    best = [m for m in stable if all(all(rank(e, m[e]) <= rank(e, other[e]) for e in m) for other in stable)]
    assert len(best) == 1, "the mentee-optimal stable matching exists and is unique"
    return best[0]


def total(scores, matching):
    return sum(scores[(e, m)] for e, m in matching.items() if m is not None)


def brute_force_best_total(scores, capacity):
    options = {}
    for (e, m) in scores:
        options.setdefault(e, []).append(m)
    return max(total(scores, m) for m in all_matchings(options, capacity))


def dense_best_total(scores, capacity):
    """scipy's dense Hungarian solver on the same slot-expanded problem, built independently."""
    mentees = sorted({e for e, _ in scores})
    columns = [m for m in sorted(capacity) for _ in range(capacity[m])]
    forbidden = 1e9
    cost = np.full((len(mentees), len(columns) + len(mentees)), forbidden)
    for i, e in enumerate(mentees):
        for j, m in enumerate(columns):
            if (e, m) in scores:
                cost[i, j] = -scores[(e, m)]
        cost[i, len(columns) + i] = 0  # unmatched
    rows, cols = linear_sum_assignment(cost)
    return -int(cost[rows, cols].sum())


def check_constraints(matching, capacity, allowed):
    counts = {}
    for e, m in matching.items():
        if m is not None:
            assert allowed(e, m), (e, m)
            counts[m] = counts.get(m, 0) + 1
    for m, n in counts.items():
        assert n <= capacity[m], m


# --- stable_match ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(preference_instances())
def test_stable_match_is_the_brute_force_mentee_optimal_stable_matching(instance):
    mentee_prefs, mentor_prefs, capacity = instance
    result = stable_match(mentee_prefs, mentor_prefs, capacity)
    assert set(result) == set(mentee_prefs)
    check_constraints(result, capacity, lambda e, m: m in mentee_prefs[e] and e in mentor_prefs[m])
    assert blocking_pairs(result, mentee_prefs, mentor_prefs, capacity) == []
    assert result == brute_force_mentee_optimal(mentee_prefs, mentor_prefs, capacity)


@settings(max_examples=60, deadline=None)
@given(preference_instances(max_mentees=40, max_mentors=12, max_capacity=5))
def test_stable_match_on_larger_instances_has_no_blocking_pair(instance):
    mentee_prefs, mentor_prefs, capacity = instance
    result = stable_match(mentee_prefs, mentor_prefs, capacity)
    check_constraints(result, capacity, lambda e, m: m in mentee_prefs[e] and e in mentor_prefs[m])
    assert blocking_pairs(result, mentee_prefs, mentor_prefs, capacity) == []


def test_stable_match_mentee_proposing_example():
    # Both mentees want X; X prefers b. a falls back to Y; c is listed by nobody it wants.
    result = stable_match({"a": ["X", "Y"], "b": ["X"], "c": ["X"]},
                          {"X": ["b", "a", "c"], "Y": ["a"]}, {"X": 1, "Y": 1})
    assert result == {"a": "Y", "b": "X", "c": None}


def test_blocking_pairs_finds_an_unstable_pair():
    prefs = {"a": ["X", "Y"], "b": ["X", "Y"]}
    mentors = {"X": ["a", "b"], "Y": ["a", "b"]}
    assert blocking_pairs({"a": "Y", "b": "X"}, prefs, mentors, {"X": 1, "Y": 1}) == [("a", "X")]
    assert blocking_pairs({"a": None, "b": None}, prefs, mentors, {"X": 1, "Y": 1}) == [
        ("a", "X"), ("a", "Y"), ("b", "X"), ("b", "Y")]


@pytest.mark.parametrize(("mentee_prefs", "mentor_prefs", "capacity", "named"), [
    ({"a": ["Z"]}, {"X": []}, {"X": 1}, "'Z'"),
    ({"a": ["X", "X"]}, {"X": []}, {"X": 1}, "'X' twice"),
    ({"a": []}, {"X": ["b"]}, {"X": 1}, "'b'"),
    ({"a": []}, {"X": ["a", "a"]}, {"X": 1}, "'a' twice"),
    ({"a": []}, {"X": []}, {"X": -1}, "'X' is negative"),
    ({"a": []}, {"X": []}, {"X": 1.5}, "'X' must be a whole number"),
    ({"a": []}, {"X": []}, {}, "no capacity given for mentor 'X'"),
])
def test_stable_match_rejects_bad_input_naming_the_item(mentee_prefs, mentor_prefs, capacity, named):
    with pytest.raises(ValueError, match=named):
        stable_match(mentee_prefs, mentor_prefs, capacity)


# --- optimal_match ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(score_instances())
def test_optimal_match_equals_brute_force(instance):
    scores, capacity = instance
    result = optimal_match(scores, capacity)
    assert set(result) == {e for e, _ in scores}
    check_constraints(result, capacity, lambda e, m: (e, m) in scores)
    assert total(scores, result) == brute_force_best_total(scores, capacity)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_optimal_match_equals_scipy_dense_solver_on_medium_instances(seed):
    rng = random.Random(seed)
    mentors = [f"m{j}" for j in range(rng.randint(5, 25))]
    capacity = {m: rng.randint(0, 4) for m in mentors}
    scores = {(f"e{i}", m): rng.randint(-10, 100)
              for i in range(rng.randint(10, 60)) for m in rng.sample(mentors, rng.randint(1, 5))}
    result = optimal_match(scores, capacity)
    check_constraints(result, capacity, lambda e, m: (e, m) in scores)
    assert total(scores, result) == dense_best_total(scores, capacity)


def test_optimal_match_leaves_a_mentee_unmatched_rather_than_take_a_negative_pair():
    scores = {("a", "X"): 10, ("b", "X"): 9, ("b", "Y"): -3, ("c", "Y"): 0.5}
    assert optimal_match(scores, {"X": 1, "Y": 2}) == {"a": "X", "b": None, "c": "Y"}


def test_optimal_match_prefers_the_larger_total_over_more_first_choices():
    # Greedy would give X to a (10) and leave b with nothing: 10. The optimum is 9 + 8 = 17.
    scores = {("a", "X"): 10, ("a", "Y"): 8, ("b", "X"): 9}
    assert optimal_match(scores, {"X": 1, "Y": 1}) == {"a": "Y", "b": "X"}


@pytest.mark.parametrize(("scores", "capacity", "named"), [
    ({("a", "Z"): 1}, {"X": 1}, "unknown mentor 'Z'"),
    ({("a", "X"): "high"}, {"X": 1}, "not a number: 'high'"),
    ({("a", "X"): True}, {"X": 1}, "not a number: True"),
    ({("a", "X"): float("nan")}, {"X": 1}, "not finite"),
    ({("a", "X"): 1}, {"X": -2}, "'X' is negative"),
    ({"a": 1}, {"X": 1}, "'a' is not a .mentee, mentor. pair"),
])
def test_optimal_match_rejects_bad_input_naming_the_item(scores, capacity, named):
    with pytest.raises(ValueError, match=named):
        optimal_match(scores, capacity)


def test_optimal_match_with_no_usable_pairs_leaves_everyone_unmatched():
    assert optimal_match({("a", "X"): -1, ("b", "X"): 4}, {"X": 0}) == {"a": None, "b": None}
    assert optimal_match({}, {}) == {}
