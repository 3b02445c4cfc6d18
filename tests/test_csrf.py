"""With CSRF on (as in production), every POST without a valid token is refused and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from network.api.auth import authenticate
from network.api.blueprint import BLUEPRINTS
from network.extensions import db
from network.members.models import User
from network.urls import API_ROOT
from tests.conftest import sign_in_session
from tests.matrix import MATRIX
from tests.test_access_matrix import resolve_arguments

#: POSTs that carry no token of ours: an institution's identity provider posts its answer to the return
#: address (SAML), which is checked against the state kept in the session instead (network/identity/routes/).
CSRF_EXEMPT = {("identity.finish", "POST")}
#: The JSON API's POSTs: no CSRF token, because no cookie opens them (a signed-in browser's POST is a 401).
API_POSTS = sorted(key for key in MATRIX if key[1] == "POST" and key[0].startswith("api_"))
POST_ROUTES = sorted(key for key in MATRIX if key[1] == "POST" and key not in CSRF_EXEMPT and key not in API_POSTS)


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_the_csrf_list_covers_every_post_route(app):
    posts = {(rule.endpoint, "POST") for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts == set(POST_ROUTES) | CSRF_EXEMPT | set(API_POSTS)


def test_the_providers_return_is_the_only_post_without_a_token(app):
    from network.extensions import csrf, db
    from network.identity.models import IdentityProvider, ProviderKind

    views = {endpoint: f"{view.__module__}.{view.__name__}" for endpoint, view in app.view_functions.items()}
    # The one-click unsubscribe addresses are exempt from the automatic check for the mail client's POST
    # (RFC 8058) and check the token themselves for their page's button: they are in POST_ROUTES above.
    checked_by_the_view = {"notifications.unsubscribe", "opportunities.unsubscribe"}
    assert {endpoint for endpoint, name in views.items() if name in csrf._exempt_views} == \
        {endpoint for endpoint, _ in CSRF_EXEMPT} | checked_by_the_view
    # The JSON API's blueprints, and only they: no cookie opens them (a token in Authorization does, which no
    # other site can make a browser send), so there is no request to forge.
    assert {blueprint.name for blueprint in csrf._exempt_blueprints} == {blueprint.name for blueprint in BLUEPRINTS}
    for blueprint in BLUEPRINTS:
        assert blueprint.url_prefix.startswith(API_ROOT + "/")
        assert authenticate in app.before_request_funcs[blueprint.name]
    with app.app_context():
        db.session.add(IdentityProvider(slug="northbridge", name="Northbridge Health", kind=ProviderKind.SAML))
        db.session.commit()
    # Without a sign-in started in this browser the answer is posted again from our page, never accepted.
    response = app.test_client().post("/auth/login/with/northbridge/return", data={"SAMLResponse": "x"})
    assert response.status_code == 200 and b"Continue signing in" in response.data


@pytest.mark.parametrize(("endpoint", "method"), POST_ROUTES)
@pytest.mark.parametrize("token", [None, "forged-token"])
def test_post_without_a_valid_token_is_refused(app, make_user, endpoint, method, token):
    from flask import url_for

    admin = make_user(role="admin")
    people = {"admin": admin}
    kwargs = resolve_arguments(MATRIX[(endpoint, method)][0], app, people, make_user, route=(endpoint, method))
    with app.test_request_context():
        url = url_for(endpoint, **kwargs)
    before = member_states(app)
    for signed_in in (False, True):
        client = app.test_client()
        if signed_in:
            sign_in_session(client, app, admin)
        data = {"email": admin.email, "password": admin.password, "current_password": admin.password,
                "name": "Forged", "role": "fellow"}
        if token:
            data["csrf_token"] = token
        response = client.post(url, data=data)
        assert response.status_code == 400, (url, signed_in)
        assert b"This form has expired or was not sent from this site" in response.data
    assert member_states(app) == before


@pytest.mark.parametrize(("endpoint", "method"), API_POSTS)
def test_a_signed_in_browser_cannot_post_to_the_api(app, make_user, endpoint, method):
    """What a forged cross-site form could send to the API: the victim's cookie, a form or JSON, no token."""
    from flask import url_for

    admin = make_user(role="admin")
    with app.test_request_context():
        url = url_for(endpoint, **dict.fromkeys(next(app.url_map.iter_rules(endpoint)).arguments, 1))
    before = member_states(app)
    client = app.test_client()
    sign_in_session(client, app, admin)
    for response in (client.post(url, data={"name": "Forged"}), client.post(url, json={"name": "Forged"})):
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
    assert member_states(app) == before


def member_states(app):
    """What a forged POST could change about members: who exists, with which status and sessions."""
    with app.app_context():
        return db.session.execute(select(User.id, User.name, User.status, User.session_version)
                                  .order_by(User.id)).all()


def test_a_form_with_its_token_is_accepted(app, make_user):
    import re

    member = make_user()
    client = app.test_client()
    page = client.get("/auth/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data).group(1).decode()
    response = client.post("/auth/login", data={"csrf_token": token, "email": member.email,
                                                 "password": member.password})
    assert response.status_code == 302
    assert client.get("/auth/account").status_code == 200
