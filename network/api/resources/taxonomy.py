"""``/api/v1/taxonomy``: the vocabularies profiles and the directory's filters use (specialties, which are also
training backgrounds; interests; board certifications; practice settings), each term as the forms offer it.

Read from the cache the directory's filter form uses (``VOCABULARY`` in ``network.profiles.directory``): a term
added, renamed or retired by an administrator shows at the next request, and otherwise nothing is read but the
version.
"""

from __future__ import annotations

import marshmallow as ma

from network.api.auth import scope
from network.api.blueprint import api_blueprint
from network.cache import cached
from network.profiles.directory import VOCABULARY
from network.taxonomy.models import VOCABULARIES
from network.taxonomy.queries import active_vocabularies

blp = api_blueprint("taxonomy", __name__, "The vocabularies of profiles and of the directory's filters.")


class TaxonomyTermSchema(ma.Schema):
    id = ma.fields.Integer(required=True, metadata={"description": "What a filter takes (e.g. ?specialty=)."})
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True, metadata={"description": "What profiles show."})


class TaxonomyVocabularySchema(ma.Schema):
    key = ma.fields.String(required=True, metadata={"enum": list(VOCABULARIES)})
    name = ma.fields.String(required=True)
    terms = ma.fields.List(ma.fields.Nested(TaxonomyTermSchema), required=True, metadata={
        "description": "The terms offered, in the forms' order (a retired term stays on the profiles that have it, "
                       "but is no longer offered)."})


class TaxonomySchema(ma.Schema):
    vocabularies = ma.fields.List(ma.fields.Nested(TaxonomyVocabularySchema), required=True)


def _vocabularies() -> dict[str, dict]:
    terms = cached(VOCABULARY, "api-taxonomy", active_vocabularies)
    return {key: {"key": key, "name": label,
                  "terms": [{"id": term_id, "slug": slug, "name": name} for term_id, slug, name in terms[key]]}
            for key, (_model, label) in VOCABULARIES.items()}


@blp.route("")
@scope("read")
@blp.etag
@blp.response(200, TaxonomySchema)
def taxonomy():
    """Every vocabulary with its terms."""
    return {"vocabularies": list(_vocabularies().values())}


@blp.route(f"/<any({', '.join(repr(key) for key in VOCABULARIES)}):vocabulary>")
@scope("read")
@blp.etag
@blp.response(200, TaxonomyVocabularySchema)
def vocabulary(vocabulary: str):
    """One vocabulary with its terms."""
    return _vocabularies()[vocabulary]
