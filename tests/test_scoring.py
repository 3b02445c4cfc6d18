"""The mentor score: a pure function, tested without an app."""

from __future__ import annotations

import ast
from pathlib import Path

from network.matching.scoring import WEIGHTS, Mentee, Mentor, recommend, score

FELLOW = Mentee(id=1, specialty_id=1, background_id=3, background_name="PM&R", interest_ids=frozenset({10, 11, 12}),
                time_zone="America/Chicago", country="US", region="TX", career_goal="research")


def mentor(id, name="Dr. M", **fields):
    defaults = dict(types=frozenset({"research"}), capacity=4, active=2, specialty_id=1, background_id=None,
                    interests={}, time_zone="", country="", region="", paths=frozenset())
    defaults.update(fields)
    return Mentor(id=id, name=name, **defaults)


def test_the_reason_reads_as_the_issue_says():
    m = mentor(2, background_id=3, interests={10: "Neuromodulation", 11: "Research methods"})
    result = score(FELLOW, m, "research")
    assert result.reason == "also trained in PM&R; shares neuromodulation and research methods; 2 of 4 places free"
    assert 0 < result.score <= 100


def test_each_factor_raises_the_score():
    base = score(FELLOW, mentor(2), "research").score
    for extra in ({"background_id": 3}, {"interests": {10: "Cancer pain"}}, {"time_zone": "America/Chicago"},
                  {"country": "US", "region": "tx"}, {"paths": frozenset({"faculty"})}, {"active": 0}):
        assert score(FELLOW, mentor(2, **extra), "research").score > base, extra


def test_mentors_who_cannot_take_the_mentee_are_left_out():
    assert score(FELLOW, mentor(2, types=frozenset({"career"})), "research") is None
    assert score(FELLOW, mentor(2, active=4), "research") is None
    assert score(FELLOW, mentor(1), "research") is None  # oneself


def test_ordering_and_deterministic_ties():
    strong = mentor(5, "Dr. Zed", background_id=3, interests={10: "A", 11: "B", 12: "C"}, time_zone="America/Chicago")
    tie_b = mentor(4, "Dr. Bee")
    tie_a = mentor(3, "Dr. Ada")
    tie_a2 = mentor(2, "Dr. Ada")
    ranked = recommend(FELLOW, [tie_b, strong, tie_a, tie_a2], "research")
    assert [r.mentor.id for r in ranked] == [5, 2, 3, 4]
    assert [r.mentor.id for r in recommend(FELLOW, [tie_a, tie_b, tie_a2, strong], "research")] == [5, 2, 3, 4]


def test_shared_interests_are_capped_and_counted():
    many = mentor(2, interests={10: "A", 11: "B", 12: "C"})
    assert "shares a, b and c" in score(FELLOW, many, "research").reason
    wide = Mentee(id=1, interest_ids=frozenset(range(10, 16)))
    result = score(wide, mentor(2, interests={i: f"T{i}" for i in range(10, 16)}), "research")
    assert "and 3 more" in result.reason


def test_weights_live_in_one_place_and_the_module_imports_no_flask():
    assert set(WEIGHTS) == {"specialty", "background", "interest", "time_zone", "region", "career", "capacity"}
    # The engine, the scores and a round's computation are pure; the web side of matching rounds
    # (models, services, routes, forms, demo) lives beside them and may import the app.
    pure = {"network.matching", "network.matching.engine", "network.matching.scoring", "network.matching.rounds"}
    for name in ("__init__", "engine", "scoring", "rounds"):
        path = Path("network/matching") / f"{name}.py"
        tree = ast.parse(path.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert not {module.split(".")[0] for module in imported} & {"flask", "flask_sqlalchemy", "sqlalchemy"}, path
        assert {module for module in imported if module.startswith("network")} <= pure, path
