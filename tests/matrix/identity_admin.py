"""Access rows for registering identity providers (the admin wing): administrators only."""

from __future__ import annotations

from tests.matrix.common import LOGIN, PENDING

PROVIDER = {"provider_id": "@identity_provider"}


def admin_only(admin, get=True):
    """Everyone but administrators is refused; a pending member is sent to wait on GETs."""
    return {"anonymous": LOGIN, "pending": PENDING if get else 403, "fellow": 403, "alumni": 403, "faculty": 403,
            "ex_staff": 403, "other_staff": 403, "admin": admin}


ROUTES = {
    ("admin.identity_providers", "GET"): ({}, admin_only(200)),
    ("admin.new_identity_provider", "GET"): ({"kind": "oidc"}, admin_only(200)),
    # An empty form names no provider: refused, nothing registered.
    ("admin.new_identity_provider", "POST"): ({"kind": "saml"}, admin_only(400, get=False)),
    ("admin.identity_provider", "GET"): (PROVIDER, admin_only(200)),
    ("admin.identity_provider", "POST"): (PROVIDER, admin_only(400, get=False)),
    # Turning off asks first: 200 is the confirmation step, nothing changes.
    ("admin.disable_identity_provider", "POST"): (PROVIDER, admin_only(200, get=False)),
    # The prepared provider is on already.
    ("admin.enable_identity_provider", "POST"): (PROVIDER, admin_only(409, get=False)),
}


def prepare(app, people, make_user):
    """A registered OpenID Connect provider, and the endpoints its IT office's values are built from."""
    from network.extensions import db
    from network.identity.models import IdentityProvider, ProviderKind

    with app.app_context():
        provider = IdentityProvider(slug="matrix-health", kind=ProviderKind.OIDC, name="Matrix Health",
                                    metadata_url="https://login.matrix.example/.well-known/openid-configuration",
                                    client_id="matrix-client")
        db.session.add(provider)
        db.session.commit()
        return {"identity_provider": provider.id}
