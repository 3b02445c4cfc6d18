"""The account page's sign-in methods: linked identities listed, unlinked while another way in remains,
and a further provider linked from there."""

from __future__ import annotations

import html
import re

from sqlalchemy import select, update

from network.audit.models import AuditLog
from network.extensions import db
from network.identity.models import IdentityProvider, LinkedIdentity
from network.members.models import User
from tests.identity.conftest import at_provider, person, through_provider

FELLOWS = {"role_claim": "r", "role_map": {"f": "fellow"}, "verifies_members": True}


def identities(app, email="ada@northbridge.org"):
    with app.app_context():
        return db.session.execute(select(LinkedIdentity.id, LinkedIdentity.subject).join(User)
                                  .where(User.email == email).order_by(LinkedIdentity.id)).all()


def link_started(client) -> str:
    """The account page's "Link …" button: a page that moves on to the provider (not a redirect, which a
    browser would stop under the CSP's form-action 'self'); the provider's address it moves on to."""
    response = client.post("/auth/account/sign-in-methods/northbridge/link")
    assert response.status_code == 200, response.status_code
    return html.unescape(re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', response.text).group(1))


def actions(app, action):
    with app.app_context():
        return [e.details for e in db.session.scalars(select(AuditLog).where(AuditLog.action == action))]


def test_the_page_lists_linked_identities_and_the_providers_to_link(app, client, make_provider):
    make_provider(**FELLOWS)
    make_provider(slug="stmary", name="St. Mary's University")
    make_provider(slug="off", name="Closed Clinic", enabled=False)
    through_provider(client, claims={"r": "f"})
    page = client.get("/auth/account").get_data(as_text=True)
    assert 'id="sign-in-methods"' in page and "Sign-in methods" in page
    assert "Northbridge Health" in page and "ada@northbridge.org" in page and "Linked <time" in page
    assert "last used <time" in page
    assert "Link St. Mary&#39;s University" in page and "Closed Clinic" not in page
    assert "Link Northbridge Health" not in page  # linked already
    assert "Set a password" in page and "Change password" not in page  # no password yet


def test_the_last_way_in_cannot_be_unlinked(app, client, make_provider):
    make_provider(**FELLOWS)
    through_provider(client, claims={"r": "f"})
    [(identity_id, _)] = identities(app)
    response = client.post(f"/auth/account/sign-in-methods/{identity_id}/unlink")
    assert response.status_code == 409
    assert b"only way you can sign in" in response.data and b'href="/auth/account"' in response.data
    assert len(identities(app)) == 1 and actions(app, "identity.unlink") == []


def test_an_identity_at_a_turned_off_provider_is_no_way_in(app, client, make_provider):
    make_provider(**FELLOWS)
    closed = make_provider(slug="closed", name="Closed Clinic")
    through_provider(client, claims={"r": "f"})
    [(identity_id, _)] = identities(app)
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "ada@northbridge.org"))
        db.session.add(LinkedIdentity(user_id=user_id, provider_id=closed, subject="cc-1"))
        db.session.execute(update(IdentityProvider).where(IdentityProvider.id == closed).values(enabled=False))
        db.session.commit()
    assert client.post(f"/auth/account/sign-in-methods/{identity_id}/unlink").status_code == 409


def test_with_a_password_an_identity_is_unlinked_and_audited(app, client, make_user, make_provider, login):
    ada = make_user(email="ada@northbridge.org")
    make_provider()
    login(client, ada)
    # Linked from the account page: the provider's answer comes back to the signed-in member.
    authorize = link_started(client)
    method, path, _ = at_provider(authorize, person(sub="nb-9", email="a.quinn@northbridge.org"))
    response = client.get(path)
    assert response.headers["Location"] == "/auth/account"
    assert [s for _, s in identities(app)] == ["nb-9"]
    assert actions(app, "identity.link") == [{"provider": "northbridge", "how": "signed-in"}]
    assert b"a.quinn@northbridge.org" in client.get("/auth/account").data
    [(identity_id, _)] = identities(app)
    response = client.post(f"/auth/account/sign-in-methods/{identity_id}/unlink")
    assert response.headers["Location"] == "/auth/account#sign-in-methods"
    assert identities(app) == [] and actions(app, "identity.unlink") == [{"provider": "northbridge"}]


def test_a_member_cannot_unlink_someone_elses_identity(app, client, make_user, make_provider, login):
    make_provider(**FELLOWS)
    through_provider(app.test_client(), claims={"r": "f"})
    [(identity_id, _)] = identities(app)
    login(client, make_user())
    assert client.post(f"/auth/account/sign-in-methods/{identity_id}/unlink").status_code == 404
    assert len(identities(app)) == 1


def test_an_identity_linked_to_another_member_is_not_moved(app, client, make_user, make_provider, login):
    make_provider(**FELLOWS)
    through_provider(app.test_client(), claims={"r": "f"})
    bo = make_user(email="bo@example.org")
    login(client, bo)
    authorize = link_started(client)
    method, path, _ = at_provider(authorize, person())
    response = client.get(path)
    assert response.status_code == 400 and b"linked to another member" in response.data
    assert identities(app, "bo@example.org") == [] and len(identities(app)) == 1
    assert actions(app, "identity.refused") == [{"provider": "northbridge", "reason": "linked-elsewhere"}]


def test_a_link_answer_after_signing_out_links_nothing(app, client, make_user, make_provider, login):
    make_provider()
    login(client, make_user(email="ada@northbridge.org"))
    authorize = link_started(client)
    with client.session_transaction() as session:
        session.pop("_user_id")
    method, path, _ = at_provider(authorize, person())
    assert client.get(path).status_code == 400
    assert identities(app) == []
