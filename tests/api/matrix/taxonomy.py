"""``/api/v1/taxonomy``: every verified member reads the vocabularies."""

from __future__ import annotations

from tests.api.matrix import GRANTED_ROLES

ROUTES = {
    ("api_taxonomy.taxonomy", "GET"): ({}, None, dict.fromkeys(GRANTED_ROLES, 200)),
    ("api_taxonomy.vocabulary", "GET"): ({"vocabulary": "interests"}, None, dict.fromkeys(GRANTED_ROLES, 200)),
}
