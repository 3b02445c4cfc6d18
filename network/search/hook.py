"""The one hook that keeps the index current: every flush rewrites the index rows it made stale.

It runs after the flush (new objects have their keys; every ``before_flush`` listener has added what
it adds) and reads the flush's own record of what changed: the new, changed and deleted objects of
indexed models (a change counts only if it touches an attribute the index ``watch``es) and the
changes to other models an index ``depends_on`` (an interest renamed, a member renamed or
deactivated, a thread retitled). The rows are written on the session's connection, so they commit
or roll back with the change itself.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from network.search.index import REGISTRY, Indexed, Related, load, write


def _dependents() -> dict[type, list[tuple[Indexed, Related]]]:
    """For each model that other indexes depend on: which indexes, and how."""
    table: dict[type, list[tuple[Indexed, Related]]] = {}
    for index in REGISTRY.values():
        for related in index.depends_on:
            table.setdefault(related.model, []).append((index, related))
    return table


def _changed(obj, names: tuple[str, ...]) -> bool:
    attributes = inspect(obj).attrs
    return any(attributes[name].history.has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _keep_index_current(session: Session, flush_context) -> None:
    dependents = _dependents()
    stale: dict[Indexed, dict] = {}  # index -> key -> object
    gone: dict[Indexed, set] = {}
    related: dict[tuple[Indexed, Related], list] = {}
    for obj in session.deleted:
        index = REGISTRY.get(type(obj))
        if index is not None:
            gone.setdefault(index, set()).add(getattr(obj, index.key))
    for obj in (*session.new, *session.dirty):
        model = type(obj)
        index = REGISTRY.get(model)
        if index is not None and (obj in session.new or _changed(obj, index.watch)):
            stale.setdefault(index, {})[getattr(obj, index.key)] = obj
        for index, depends in dependents.get(model, ()):
            if obj not in session.new and _changed(obj, depends.names):
                related.setdefault((index, depends), []).append(obj)
    for (index, depends), changed in related.items():
        known = stale.setdefault(index, {})
        for obj in load(session, index, depends.keys(changed), known):
            known[getattr(obj, index.key)] = obj
    for index in stale.keys() | gone.keys():
        removed = gone.get(index, set())
        write(session, index, [obj for key, obj in stale.get(index, {}).items() if key not in removed], removed)
