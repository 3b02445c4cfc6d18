"""What a model contributes to the full-text index, and the one writer of index rows.

A model declares its index once, next to its columns (``register(Indexed(...))``): the SQLite FTS5
table (its ``rowid`` is the model's key) and its columns, the document written into them, which
attributes the document reads, whether an object belongs in the index at all, and which changes
to *other* models make its document stale. On PostgreSQL the same document goes into the model
table's ``search_vector`` column (a tsvector with a GIN index), field by field with its weight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.util import identity_key

#: The PostgreSQL column every indexed table carries.
VECTOR_COLUMN = "search_vector"


@dataclass(frozen=True)
class Related:
    """A change to any of ``names`` (attributes of ``model``, another model) makes some indexed documents
    stale: ``keys`` gives their keys from the changed objects, as a list, or as a ``select`` of one column."""

    model: type
    names: tuple[str, ...]
    keys: Callable[[list], Iterable[int] | Select]


def _always(_obj) -> bool:
    return True


@dataclass(frozen=True, eq=False)
class Indexed:
    """One model's part of the full-text index."""

    model: type
    #: The SQLite FTS5 virtual table; its ``rowid`` is the model's ``key``.
    fts_table: str
    #: The searchable text of an object: one string per field, in the order of ``fields``.
    document: Callable[[object], tuple[str, ...]]
    #: The model's attributes the document (or ``listed``) reads: a change to any of them reindexes the object.
    watch: tuple[str, ...]
    #: The model's primary key attribute: the FTS5 ``rowid`` (and the row's key on PostgreSQL).
    key: str = "id"
    #: The FTS5 columns, each with its PostgreSQL weight (``None``: unweighted).
    fields: tuple[tuple[str, str | None], ...] = (("document", None),)
    #: Whether the object belongs in the index (the others are left out, so a search can rank inside it).
    listed: Callable[[object], bool] = _always
    #: Changes to other models that make documents of this one stale.
    depends_on: tuple[Related, ...] = ()
    #: The relationships a document reads, loaded together when many objects are read at once.
    load: tuple[str, ...] = ()
    #: How the search box reads words: "prefix" (every word, each as a prefix) or "websearch" (every
    #: word, the last as a prefix on SQLite; PostgreSQL's ``websearch_to_tsquery`` syntax).
    query: str = "prefix"
    _statements: dict = field(default_factory=dict, repr=False)

    @property
    def table(self) -> str:
        return self.model.__table__.name

    @property
    def key_column(self):
        return getattr(self.model, self.key)

    def loader_options(self) -> list:
        return [selectinload(getattr(self.model, name)) for name in self.load]

    def statements(self, dialect: str) -> tuple:
        """(write, drop) for this dialect, built once: write takes ``id`` and one parameter per field."""
        if dialect not in self._statements:
            # The S608 findings below are safe: table and column names come from the model's declaration,
            # and every value is a bound parameter.
            names = [name for name, _weight in self.fields]
            if dialect == "postgresql":
                parts = [f"setweight(to_tsvector('english', :{name}), '{weight}')" if weight
                         else f"to_tsvector('english', :{name})" for name, weight in self.fields]
                where = f"WHERE {self.key_column.expression.name} = :id"
                write = [text(f"UPDATE {self.table} SET {VECTOR_COLUMN} = {' || '.join(parts)} {where}")]  # noqa: S608
                drop = text(f"UPDATE {self.table} SET {VECTOR_COLUMN} = NULL {where}")  # noqa: S608
            else:
                drop = text(f"DELETE FROM {self.fts_table} WHERE rowid = :id")  # noqa: S608
                write = [drop, text(f"INSERT INTO {self.fts_table} (rowid, {', '.join(names)}) "  # noqa: S608
                                    f"VALUES (:id, {', '.join(':' + name for name in names)})")]
            self._statements[dialect] = (write, drop)
        return self._statements[dialect]

    def parameters(self, obj) -> dict:
        values = self.document(obj)
        return {"id": getattr(obj, self.key), **{name: value or "" for (name, _weight), value
                                                  in zip(self.fields, values, strict=True)}}


#: Every indexed model, by class. Filled by ``register`` as the models modules are imported.
REGISTRY: dict[type, Indexed] = {}


def register(index: Indexed) -> Indexed:
    """Declare a model's part of the index (once, in its models module)."""
    REGISTRY[index.model] = index
    return index


def index_of(model: type) -> Indexed:
    return REGISTRY[model]


def write(session: Session, index: Indexed, objects: Iterable, gone: Iterable[int] = ()) -> None:
    """Rewrite the index rows of ``objects`` (or drop those no longer ``listed``) and drop the rows of the
    keys in ``gone`` (rows deleted, or about to be), in the session's transaction; one statement per kind
    of change."""
    connection = session.connection()
    dialect = connection.dialect.name
    gone = list(gone)
    written, dropped = [], []
    for obj in objects:
        if index.listed(obj):
            written.append(index.parameters(obj))
        else:
            dropped.append({"id": getattr(obj, index.key)})
    if dialect != "postgresql":  # a deleted row takes its tsvector with it; its FTS5 row must go
        dropped += [{"id": key} for key in gone]
    if not (written or dropped or gone):
        return
    statements, drop_statement = index.statements(dialect)
    if dropped:
        connection.execute(drop_statement, dropped)
    for statement in statements if written else ():
        connection.execute(statement, written)


def load(session: Session, index: Indexed, keys: Iterable[int] | Select, known: dict) -> list:
    """The objects of ``index.model`` with these keys (those in ``known`` or the session first; the others
    in one query, with the index's loader options)."""
    if isinstance(keys, Select):
        keys = session.scalars(keys).all()
    objects, missing = [], []
    for key in dict.fromkeys(keys):
        if key is None or key in known:
            continue
        obj = session.identity_map.get(identity_key(index.model, key))
        if obj is not None:
            objects.append(obj)
        else:
            missing.append(key)
    if missing:
        objects += session.scalars(select(index.model).where(index.key_column.in_(missing))
                                   .options(*index.loader_options())).all()
    return objects


def reindex(session: Session, objects: Iterable) -> None:
    """Rewrite the index rows of these objects now: for writes the flush hook does not see (Core
    ``insert()``/``update()`` statements, objects whose document changed through another table)."""
    by_index: dict[Indexed, list] = {}
    for obj in objects:
        by_index.setdefault(REGISTRY[type(obj)], []).append(obj)
    for index, items in by_index.items():
        write(session, index, items)


def reindex_where(session: Session, model: type, *criteria) -> None:
    """Rewrite the index rows of every ``model`` object matching ``criteria`` (a bulk change)."""
    index = REGISTRY[model]
    write(session, index, session.scalars(select(model).where(*criteria).options(*index.loader_options())).all())


def drop(session: Session, model: type, keys: Iterable[int]) -> None:
    """Remove the index rows of these keys: before a Core ``delete()`` of their rows."""
    write(session, REGISTRY[model], (), gone=keys)
