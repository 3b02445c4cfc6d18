"""Reads of the vocabularies: every one's active terms (what the forms and filters offer), in one query."""

from __future__ import annotations

from sqlalchemy import literal, select, union_all

from network.database import prebuilt
from network.extensions import db
from network.taxonomy.models import VOCABULARIES


@prebuilt
def _active_terms_statement():
    """The active terms of every vocabulary: (vocabulary key, id, slug, name), in each one's display order."""
    terms = union_all(*(select(literal(key).label("vocabulary"), model.id, model.slug, model.name, model.position)
                        .where(model.retired_at.is_(None))
                        for key, (model, _label) in VOCABULARIES.items())).subquery()
    return (select(terms.c.vocabulary, terms.c.id, terms.c.slug, terms.c.name)
            .order_by(terms.c.vocabulary, terms.c.position, terms.c.name))


def active_vocabularies() -> dict[str, list[list]]:
    """Each vocabulary's active terms by its key (``VOCABULARIES``), as [id, slug, name] in display order:
    plain values, so the cache may keep them."""
    found: dict[str, list[list]] = {key: [] for key in VOCABULARIES}
    for key, term_id, slug, name in db.session.execute(_active_terms_statement()):
        found[key].append([term_id, slug, name])
    return found
