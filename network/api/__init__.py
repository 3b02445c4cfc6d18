"""The JSON API, version 1, at ``/api/v1``: a wing above every area, like the admin pages.

Each part is a blueprint in ``network/api/resources/`` made with ``api_blueprint`` (token authentication, CSRF
exemption, the token's rate limit) that calls the same services and ``network.permissions`` rules as the pages, so
the API can never show or do more than the pages would. ``init_api`` registers them on the app, and with them the
OpenAPI 3.1 document (``/api/v1/openapi.json``) and its readable form (``/api/docs``).
"""

from __future__ import annotations

from network.api import docs, resources  # noqa: F401  (importing resources makes every part's blueprint)
from network.api.blueprint import BLUEPRINTS
from network.api.spec import make_api


def init_api(app) -> None:
    api = make_api(app)
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    app.register_blueprint(docs.bp)
