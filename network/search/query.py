"""Finding rows by words: the one way the directory, the board and discussion search match an index."""

from __future__ import annotations

from sqlalchemy import func, literal_column, select, table

from network.search.index import VECTOR_COLUMN, Indexed
from network.search.terms import MAX_TERMS, fts5_expression, search_terms, tsquery_expression

#: A "websearch" box reads more words: a discussion search is often a phrase.
WEBSEARCH_TERMS = 12


def expression(index: Indexed, dialect: str, words: str | None) -> str | None:
    """What ``match`` looks for when a member types ``words`` (None when there is no word to look for):
    the value of its ``expression``, so a statement built once can run with other words."""
    terms = search_terms(words, WEBSEARCH_TERMS if index.query == "websearch" else MAX_TERMS)
    if not terms:
        return None
    if index.query == "websearch":
        return words if dialect == "postgresql" else fts5_expression(terms, every_prefix=False)
    return tsquery_expression(terms) if dialect == "postgresql" else fts5_expression(terms)


def tsquery(index: Indexed, expression):
    """The PostgreSQL query of an ``expression`` (for ranking or headlines beside ``match``)."""
    parse = func.websearch_to_tsquery if index.query == "websearch" else func.to_tsquery
    return parse("english", expression)


def match(statement, index: Indexed, dialect: str, expression, ranked: bool = False):
    """``statement`` (which selects from ``index.model``) narrowed to the rows whose document matches
    ``expression`` (a value or a bound parameter), and the best-first order (None unless ``ranked``)."""
    if dialect == "postgresql":
        query = tsquery(index, expression)
        vector = literal_column(f"{index.table}.{VECTOR_COLUMN}")
        return statement.where(vector.op("@@")(query)), func.ts_rank(vector, query).desc() if ranked else None
    fts = literal_column(index.fts_table)
    if not ranked:
        matches = select(literal_column("rowid")).select_from(table(index.fts_table)).where(fts.op("MATCH")(expression))
        return statement.where(index.key_column.in_(matches)), None
    # bm25() only works in the query that runs the MATCH, so rank inside a derived table.
    matches = (select(literal_column("rowid").label("key"), func.bm25(fts).label("rank"))
               .select_from(table(index.fts_table)).where(fts.op("MATCH")(expression))
               .subquery("fts_match"))
    return statement.join(matches, matches.c.key == index.key_column), matches.c.rank
