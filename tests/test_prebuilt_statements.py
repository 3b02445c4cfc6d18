"""Statements built once are declared one way, ``network.database.prebuilt``: one statement per builder,
named by what it reads or writes, its arguments only how the SQL is shaped."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import Select
from sqlalchemy.sql import Executable

from network.database import PREBUILT, prebuilt

NETWORK = Path(__file__).resolve().parent.parent / "network"
#: Calls that make a statement (or a part of one).
STATEMENT_MAKERS = {"select", "insert", "update", "delete", "union_all", "union", "exists", "with_card_columns",
                    "visible_members"}
#: Decorators that keep what a function returns.
KEEPERS = {"cache", "lru_cache"}


def _name(node) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _functions():
    for path in sorted(NETWORK.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef):
                yield f"{path.relative_to(NETWORK.parent)}:{node.lineno} {node.name}", node


def _makes_statements(function: ast.FunctionDef) -> bool:
    return any(isinstance(node, ast.Call) and _name(node) in STATEMENT_MAKERS for node in ast.walk(function))


def test_statements_are_kept_only_through_prebuilt():
    """A ``functools.cache`` or ``lru_cache`` around a statement is a second registry of statements."""
    kept_by_hand = [where for where, function in _functions()
                    if any(_name(d) in KEEPERS for d in function.decorator_list) and _makes_statements(function)]
    assert kept_by_hand == []


def test_a_prebuilt_builder_returns_one_statement_named_for_it():
    """No namespaces or tuples of statements to index into: one builder, one statement, one name."""
    builders = [(where, function) for where, function in _functions()
                if any(_name(d) == "prebuilt" for d in function.decorator_list)]
    assert len(builders) >= 15
    for where, function in builders:
        assert function.name.endswith("_statement"), where
        returns = [node.value for node in ast.walk(function) if isinstance(node, ast.Return)]
        assert returns and not any(isinstance(value, ast.Tuple) or _name(value) == "SimpleNamespace"
                                   for value in returns), where


def test_a_prebuilt_statement_is_built_once_per_shape():
    calls = []

    @prebuilt
    def _numbers_statement(limit: int) -> Select:
        from sqlalchemy import literal, select

        calls.append(limit)
        return select(literal(1)).limit(limit)

    try:
        assert _numbers_statement(5) is _numbers_statement(5)
        assert _numbers_statement(6) is not _numbers_statement(5)
        assert calls == [5, 6]
        assert isinstance(_numbers_statement(5), Executable)
    finally:
        PREBUILT.remove(_numbers_statement)

