"""Full-text search over SQLite FTS5 or PostgreSQL tsvector: one indexer for every searchable model.

Declare: each searchable model registers, in its models module, what it contributes
(``register(Indexed(Model, fts_table=..., document=..., watch=..., depends_on=...))``, see
``network.search.index``). ``REGISTRY`` then holds every indexed model; a test checks that every
index table of the database has its declaration.

Keep current: one session hook (``network.search.hook``) rewrites, after every flush and in its
transaction, the rows of the indexed objects the flush created, changed (in a ``watch``ed
attribute) or deleted, and of those a change to a related model made stale (``depends_on``).
Writes the flush does not see — Core ``insert()``/``update()``/``delete()`` statements and
``session.connection().execute(...)`` — must call ``reindex(session, objects)``,
``reindex_where(session, Model, *criteria)`` or ``drop(session, Model, keys)`` themselves.

Find: ``search_terms`` reads a search box; ``expression`` turns its words into what an index
matches and ``match`` narrows a statement to the matching rows (optionally with the best-first order).
"""

from network.search import hook  # noqa: F401  (registers the flush hook)
from network.search.index import REGISTRY, Indexed, Related, drop, index_of, register, reindex, reindex_where
from network.search.query import expression, match, tsquery
from network.search.terms import MAX_TERMS, search_terms, without_controls

__all__ = ["MAX_TERMS", "REGISTRY", "Indexed", "Related", "drop", "expression", "index_of", "match", "register",
           "reindex", "reindex_where", "search_terms", "tsquery", "without_controls"]
