"""One way to make a part of the API: ``api_blueprint("opportunities", __name__)``.

Each blueprint is served under ``/api/v1/<path>``, authenticates every request by its token
(``network/api/auth.py``), is exempt from CSRF (no cookie opens it, so no cross-site request can act as anyone),
counts each request against its token's rate limit (one allowance shared by the whole API) and keeps its answers
out of shared caches.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from network.api.auth import authenticate, rate_limit_key
from network.extensions import configured_limit, csrf, limiter
from network.urls import API_ROOT

#: Every API blueprint, in the order they were made: ``network.api.init_api`` registers them.
BLUEPRINTS: list[Blueprint] = []


def _private(response):
    """A member's view of the network: the client may keep it and revalidate (ETag), a shared cache may not."""
    response.headers.setdefault("Cache-Control", "private, no-cache")
    response.vary.add("Authorization")
    return response


class ApiBlueprint(Blueprint):
    def arguments(self, schema, *args, **kwargs):
        """As flask-smorest's, with a schema class made an instance once: webargs would make one per request."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)


def api_blueprint(path: str, import_name: str, description: str) -> Blueprint:
    blp = ApiBlueprint(f"api_{path.replace('-', '_')}", import_name, url_prefix=f"{API_ROOT}/{path}",
                    description=description)
    blp.before_request(authenticate)
    blp.after_request(_private)
    csrf.exempt(blp)
    limiter.shared_limit(configured_limit("API_RATE_LIMIT"), scope="api", key_func=rate_limit_key)(blp)
    BLUEPRINTS.append(blp)
    return blp
