"""The board's full-text index: SQLite FTS5 or PostgreSQL tsvector, chosen by dialect.

The migration creates ``opportunity_fts`` (SQLite) or ``opportunity.search_vector`` with a GIN
index (PostgreSQL). Mapper events write the index in the same transaction as every insert or
update that changes ``Opportunity.search_document``, so no code path can forget it and it never lags.
"""

from __future__ import annotations

import re

from sqlalchemy import event, func, inspect, literal_column, select, table, text

from network.opportunities.models import Opportunity

MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str) -> list[str]:
    """The words of a search box, at most ``MAX_TERMS``; punctuation and operators are dropped."""
    return _WORD.findall((query or "").lower())[:MAX_TERMS]


def _write(connection, opportunity_id: int, document: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("UPDATE opportunity SET search_vector = to_tsvector('english', :doc) WHERE id = :id"),
                           {"doc": document, "id": opportunity_id})
    else:
        connection.execute(text("DELETE FROM opportunity_fts WHERE rowid = :id"), {"id": opportunity_id})
        connection.execute(text("INSERT INTO opportunity_fts (rowid, document) VALUES (:id, :doc)"),
                           {"id": opportunity_id, "doc": document})


@event.listens_for(Opportunity, "after_insert")
def _index_new(mapper, connection, target) -> None:
    _write(connection, target.id, target.search_document or "")


@event.listens_for(Opportunity, "after_update")
def _index_changed(mapper, connection, target) -> None:
    if inspect(target).attrs.search_document.history.has_changes():
        _write(connection, target.id, target.search_document or "")


@event.listens_for(Opportunity, "after_delete")
def _unindex(mapper, connection, target) -> None:
    if connection.dialect.name != "postgresql":
        connection.execute(text("DELETE FROM opportunity_fts WHERE rowid = :id"), {"id": target.id})


def search_expression(dialect: str, terms: list[str]) -> str:
    """What ``apply_search`` matches for these terms (every one, as a prefix): the value of its parameter."""
    if dialect == "postgresql":
        return " & ".join(f"{term}:*" for term in terms)
    return " ".join('"' + term.replace('"', "") + '"*' for term in terms)


def apply_search(statement, dialect: str, expression):
    """``statement`` narrowed to opportunities whose document matches ``expression``, a parameter whose value
    ``search_expression`` gives: the statement is built once and run with other words."""
    if dialect == "postgresql":
        return statement.where(literal_column("opportunity.search_vector").op("@@")(func.to_tsquery("english",
                                                                                                     expression)))
    matches = (select(literal_column("rowid")).select_from(table("opportunity_fts"))
               .where(literal_column("opportunity_fts").op("MATCH")(expression)))
    return statement.where(Opportunity.id.in_(matches))
