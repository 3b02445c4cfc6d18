"""The board's statement is chosen by which filters are set (a ``BoardShape``, read by name), not by their
values: filters of one shape share one statement, whatever the words, tags or dates."""

from __future__ import annotations

from network.opportunities.queries.board import BoardFilters, BoardShape, _board_count_statement, _board_statement


def test_the_shape_names_which_filters_are_set():
    shape = BoardShape.of(BoardFilters(kinds=["job"], interest_ids=[3], location="Boston", work_mode="junk",
                                       q="ketamine"))
    assert shape == BoardShape(kinds=True, interests=True, specialty=False, mine=False, location=True,
                               work_mode="", deadline=False, words=True)
    assert BoardShape.of(BoardFilters(work_mode="remote_only", deadline_days=7, mine=True, q="  ")) == BoardShape(
        kinds=False, interests=False, specialty=False, mine=True, location=False, work_mode="remote_only",
        deadline=True, words=False)


def test_filters_of_one_shape_share_one_statement():
    first = BoardShape.of(BoardFilters(kinds=["job"], q="ketamine", specialty_id=2))
    second = BoardShape.of(BoardFilters(kinds=["event", "webinar"], q="nerve blocks", specialty_id=9))
    assert first == second
    assert _board_statement(first, "sqlite", False, "newest") is _board_statement(second, "sqlite", False, "newest")
    assert _board_count_statement(first, "sqlite", True) is _board_count_statement(second, "sqlite", True)
    other = BoardShape.of(BoardFilters(kinds=["job"], q="ketamine"))
    assert _board_statement(other, "sqlite", False, "newest") is not _board_statement(first, "sqlite", False, "newest")
