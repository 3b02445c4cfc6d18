"""``/api/v1/me``: every verified member reads who they are."""

from __future__ import annotations

from tests.api.matrix import GRANTED_ROLES

ROUTES = {
    ("api_me.me", "GET"): ({}, None, dict.fromkeys(GRANTED_ROLES, 200)),
}
