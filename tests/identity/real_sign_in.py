"""Signing in through our real routes with the real local providers, as a browser would, without a browser.

The test client is the browser on our side: ``/auth/login/with/<slug>`` sends it to the provider, whose
pages are driven over HTTP with ``requests`` (the OpenID mock's Authorize form, the SAML IdP's person page
and its Continue form), and what the provider sends back (a redirect, a form to post) is followed on the test
client at the return address, which must be the one built from ``PUBLIC_URL``.

The SAML IdP learns our service provider by fetching our metadata from the AuthnRequest's issuer, so the app
is also served on 127.0.0.1 (``served``) and ``PUBLIC_URL`` is that address; the test client and the served
app are the same app on the same database.
"""

from __future__ import annotations

import html
import re
import threading
from contextlib import contextmanager
from urllib.parse import urlsplit

import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from network.audit.models import AuditLog
from network.extensions import db
from network.identity import saml
from network.identity.models import IdentityProvider, LinkedIdentity, ProviderKind
from network.members.models import MemberSession, User
from tests.identity.oidc_provider import CA_BUNDLE
from tests.servers import HOST, free_port


@contextmanager
def served(app):
    """``app`` served on 127.0.0.1 in a thread, its ``PUBLIC_URL`` that address; yields the address."""
    port = free_port()
    server = make_server(HOST, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
                              name=f"served-app-{port}")
    thread.start()
    app.config["PUBLIC_URL"] = f"http://{HOST}:{port}"
    try:
        yield app.config["PUBLIC_URL"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def return_url(app, slug: str) -> str:
    return f"{app.config['PUBLIC_URL']}/auth/login/with/{slug}/return"


# -- registering the providers -----------------------------------------------------------------------------

def add_oidc_provider(app, server, slug="northbridge", name="Northbridge Health", **fields) -> int:
    """A provider for a running OpenID provider (the mock or the scripted one); its id."""
    with app.app_context():
        provider = server.identity_provider(slug=slug, name=name, **fields)
        db.session.add(provider)
        db.session.commit()
        return provider.id


def add_saml_provider(app, idp_server, slug="northbridge-saml", name="Northbridge University", **fields) -> int:
    """A provider registered from the served IdP's metadata address (read over HTTP, as the admin form does)."""
    with app.app_context():
        provider = IdentityProvider(slug=slug, kind=ProviderKind.SAML, name=name, enabled=True,
                                    **saml.read_metadata(idp_server.metadata_url, require_https=False), **fields)
        db.session.add(provider)
        db.session.commit()
        return provider.id


# -- the round trip ----------------------------------------------------------------------------------------

def start(client, slug: str) -> str:
    """``/auth/login/with/<slug>`` on the test client: the provider's address it redirects to."""
    response = client.get(f"/auth/login/with/{slug}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def our_path(app, slug: str, url: str) -> str:
    """The path (and query) of a URL the provider sends the browser to, which must be our return address."""
    assert url.split("?")[0] == return_url(app, slug), url
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def redirect_location(response: requests.Response) -> str:
    assert response.status_code in (302, 303), f"{response.status_code}: {response.text[:500]}"
    return response.headers["Location"]


def at_oidc_mock(url: str, sub: str) -> str:
    """At oidc-provider-mock: open its page, type ``sub``, click Authorize; where it sends the browser."""
    page = requests.get(url, timeout=10, verify=CA_BUNDLE)
    assert page.status_code == 200 and 'name="sub"' in page.text, page.text[:500]
    return redirect_location(requests.post(url, data={"sub": sub}, allow_redirects=False, timeout=10,
                                           verify=CA_BUNDLE))


def at_scripted(url: str) -> str:
    """At the scripted provider, which approves at once: where it sends the browser."""
    return redirect_location(requests.get(url, allow_redirects=False, timeout=10, verify=CA_BUNDLE))


def form_of(page: str) -> tuple[str, dict[str, str]]:
    """A page's form: its action and its named fields (hidden inputs) with their values."""
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page).group(1))
    fields = {html.unescape(k): html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}
    return action, fields


def at_saml_idp(url: str, person: str) -> tuple[str, dict[str, str]]:
    """At the SAML IdP: its person page (it fetches our metadata first), pick ``person``, Sign in; the form its
    answer page posts when Continue is clicked (its action and fields)."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and 'name="person"' in page.text, page.text[:500]
    action, fields = form_of(page.text)
    answer = requests.post(action, data={**fields, "person": person}, timeout=10)
    assert answer.status_code == 200 and "Continue" in answer.text, answer.text[:500]
    return form_of(answer.text)


def oidc_sign_in(app, client, mock, sub: str, slug="northbridge"):
    """Through the OpenID mock as ``sub``: our answer to the return."""
    return client.get(our_path(app, slug, at_oidc_mock(start(client, slug), sub)))


def scripted_sign_in(app, client, scripted, slug="northbridge", change=None):
    """Through the scripted provider; ``change(url)`` alters the address it sends the browser back to."""
    back = at_scripted(start(client, slug))
    return client.get(our_path(app, slug, change(back) if change else back))


def saml_sign_in(app, client, slug="northbridge-saml", person="ada"):
    """Through the SAML IdP as ``person``: our answer to the posted form, and the form."""
    action, fields = at_saml_idp(start(client, slug), person)
    return client.post(our_path(app, slug, action), data=fields), fields


# -- what the database says ------------------------------------------------------------------------------

def member(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return len(db.session.scalars(query).all())


def identities(app, user_id: int) -> list[tuple[str, str]]:
    """The member's linked identities as (provider slug, subject), by provider slug."""
    with app.app_context():
        return sorted(tuple(row) for row in db.session.execute(
            select(IdentityProvider.slug, LinkedIdentity.subject)
            .join(IdentityProvider, IdentityProvider.id == LinkedIdentity.provider_id)
            .where(LinkedIdentity.user_id == user_id)).all())


def audit(app, action: str) -> list[dict]:
    with app.app_context():
        return [e.details for e in db.session.scalars(select(AuditLog).where(AuditLog.action == action)
                                                      .order_by(AuditLog.id))]


def audit_text(app) -> str:
    """Everything the audit log holds, as text (to look for what must never be in it)."""
    with app.app_context():
        return repr(db.session.execute(select(AuditLog.action, AuditLog.details)).all())


def live_sessions(app, user_id: int) -> int:
    return count(app, MemberSession, user_id=user_id, revoked_at=None)
