"""Editing the vocabularies: add, rename, retire, restore. Audit-logged; never commits."""

from __future__ import annotations

from sqlalchemy import func, select

from network.audit.models import record
from network.extensions import db
from network.text.slugs import slugify
from network.types import utcnow


class DuplicateTerm(Exception):
    """Another term of this vocabulary already has the name."""


def _term_slug(name: str) -> str:
    return slugify(name, 64, "term")


def _check_unique(model, name: str, exclude_id: int | None = None) -> None:
    query = select(model.id).where(func.lower(model.name) == name.lower())
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise DuplicateTerm(name)


def add_term(model, name: str, actor_id: int):
    """A new term at the end of the list."""
    _check_unique(model, name)
    slug, n = _term_slug(name), 1
    while db.session.scalar(select(model.id).where(model.slug == slug)) is not None:
        n += 1
        slug = f"{_term_slug(name)[:60]}-{n}"
    position = (db.session.scalar(select(func.max(model.position))) or 0) + 1
    term = model(name=name, slug=slug, position=position)
    db.session.add(term)
    db.session.flush()
    record(actor_id, "taxonomy.add", model.__tablename__, term.id, name=name)
    return term


def rename_term(term, name: str, actor_id: int) -> None:
    """Rename a term; the flush reindexes every profile and opportunity that carries it (``network.search``)."""
    model = type(term)
    _check_unique(model, name, exclude_id=term.id)
    old = term.name
    term.name = name
    record(actor_id, "taxonomy.rename", model.__tablename__, term.id, old=old, new=name)
    db.session.flush()


def retire_term(term, actor_id: int) -> None:
    """Stop offering a term; members who chose it keep it."""
    if term.retired_at is None:
        term.retired_at = utcnow()
        record(actor_id, "taxonomy.retire", type(term).__tablename__, term.id, name=term.name)


def restore_term(term, actor_id: int) -> None:
    if term.retired_at is not None:
        term.retired_at = None
        record(actor_id, "taxonomy.restore", type(term).__tablename__, term.id, name=term.name)

