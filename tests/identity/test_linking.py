"""An account with the provider's email is linked only after proof (its password, or a link mailed to it),
never by the email match alone; an unverified email is refused."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from network.audit.models import AuditLog
from network.extensions import db
from network.identity.models import LinkedIdentity
from network.members.models import User
from tests.conftest import outbox
from tests.identity.conftest import through_provider


def links(app, user_id=None):
    with app.app_context():
        query = select(LinkedIdentity.subject)
        if user_id is not None:
            query = query.where(LinkedIdentity.user_id == user_id)
        return db.session.scalars(query).all()


def audit(app, action):
    with app.app_context():
        return [e.details for e in db.session.scalars(select(AuditLog).where(AuditLog.action == action))]


def users(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_a_matching_verified_email_asks_for_proof_and_the_password_links(app, client, make_user, make_provider):
    ada = make_user(role="faculty", email="ada@northbridge.org")
    make_provider()
    before = users(app)
    response = through_provider(client, email="ada@northbridge.ORG")  # any letter case matches
    assert response.headers["Location"] == "/auth/login/link-account"
    assert links(app) == [] and users(app) == before  # nothing linked, nobody made, nobody signed in
    assert client.get("/auth/account").status_code == 302
    page = client.get("/auth/login/link-account")
    assert page.status_code == 200 and b"Link Northbridge Health to your account" in page.data
    wrong = client.post("/auth/login/link-account", data={"password": "not the password"})
    assert wrong.status_code == 400 and b"not the password of this account" in wrong.data
    assert links(app) == []
    right = client.post("/auth/login/link-account", data={"password": ada.password})
    assert right.status_code == 302 and right.headers["Location"] == "/"
    assert links(app, ada.id) == ["nb-0001"]
    assert audit(app, "identity.link") == [{"provider": "northbridge", "how": "password"}]
    assert client.get("/auth/account").status_code == 200
    # From now on the provider signs Ada in directly.
    client.post("/auth/logout")
    assert through_provider(client).headers["Location"] == "/"


def test_a_mailed_link_proves_the_account_once_and_only_in_this_browser(app, client, make_user, make_provider):
    ada = make_user(email="ada@northbridge.org")
    make_provider()
    through_provider(client, next_url="/auth/account")
    sent = client.post("/auth/login/link-account/mail")
    assert sent.headers["Location"] == "/auth/login/link-account"
    [mail] = outbox(app, "identity-link")
    assert mail.recipient == "ada@northbridge.org" and "Northbridge Health" in mail.text_body
    path = re.search(r"http://[^/\s]+(/auth/login/link-account/mailed/[\w.-]+)", mail.text_body).group(1)
    # Another browser (the person who owns the mailbox but did not start this sign-in) links nothing.
    other = app.test_client()
    refused = other.get(path)
    assert refused.status_code == 400 and b"in the browser where you signed in" in refused.data
    assert other.post(path).status_code == 400
    # A visit (a mail scanner's, say) only shows the button.
    confirm = client.get(path)
    assert confirm.status_code == 200 and b"Link and sign in" in confirm.data
    assert links(app) == []
    done = client.post(path)
    assert done.status_code == 302 and done.headers["Location"] == "/auth/account"  # the next page survived
    assert links(app, ada.id) == ["nb-0001"]
    assert audit(app, "identity.link") == [{"provider": "northbridge", "how": "mail"}]
    # Used once.
    assert client.post(path).status_code == 400
    assert app.test_client().post(path).status_code == 400


def test_an_altered_mailed_link_is_refused(app, client, make_user, make_provider):
    make_user(email="ada@northbridge.org")
    make_provider()
    through_provider(client)
    client.post("/auth/login/link-account/mail")
    [mail] = outbox(app, "identity-link")
    path = re.search(r"http://[^/\s]+(/auth/login/link-account/mailed/[\w.-]+)", mail.text_body).group(1)
    response = client.post(path[:-3] + "xyz")
    assert response.status_code == 400 and b"not valid" in response.data
    assert links(app) == []


def test_an_unverified_email_matching_an_account_is_refused(app, client, make_user, make_provider):
    make_user(email="ada@northbridge.org")
    make_provider()
    before = users(app)
    response = through_provider(client, email_verified=False)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "did not confirm that ada@northbridge.org is yours" in text and 'href="/auth/login"' in text
    assert links(app) == [] and users(app) == before
    assert audit(app, "identity.refused") == [{"provider": "northbridge", "reason": "unverified-email"}]


def test_a_member_without_a_password_proves_by_mail_only(app, client, make_provider):
    make_provider(slug="first", name="First Hospital", verifies_members=True, role_claim="r", role_map={"f": "fellow"})
    make_provider(slug="second", name="Second University")
    through_provider(client, "first", claims={"r": "f"})
    client.post("/auth/logout")
    response = through_provider(client, "second", sub="su-77")
    assert response.headers["Location"] == "/auth/login/link-account"
    page = client.get("/auth/login/link-account").get_data(as_text=True)
    assert "Email me a link" in page and "With your password" not in page


def test_the_linked_member_of_a_deleted_account_starts_afresh(app, client, make_provider):
    from network.profiles.services import delete_account

    make_provider(verifies_members=True, role_claim="r", role_map={"f": "fellow"})
    through_provider(client, claims={"r": "f"})
    with app.app_context():
        old = db.session.scalar(select(User).where(User.email == "ada@northbridge.org"))
        delete_account(old)
        db.session.commit()
        old_id = old.id
    fresh = app.test_client()
    assert through_provider(fresh, claims={"r": "f"}).headers["Location"] == "/"
    assert links(app, old_id) == [] and len(links(app)) == 1


def test_a_mailed_link_belongs_to_the_sign_in_it_was_sent_for(app, client, make_user, make_provider):
    make_user(email="ada@northbridge.org")
    make_provider()
    through_provider(client)
    client.post("/auth/login/link-account/mail")
    [mail] = outbox(app, "identity-link")
    path = re.search(r"http://[^/\s]+(/auth/login/link-account/mailed/[\w.-]+)", mail.text_body).group(1)
    # A later sign-in in the same browser waits for its own proof: the earlier link does not give it.
    assert through_provider(client, sub="nb-other").headers["Location"] == "/auth/login/link-account"
    assert client.post(path).status_code == 400
    assert links(app) == []
