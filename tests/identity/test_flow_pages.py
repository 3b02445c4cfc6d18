"""The pages only a sign-in through a provider reaches (the browser crawl cannot find them) are valid HTML
with one heading, labelled fields and a landmark, like every other page (tests/html_checks.py)."""

from __future__ import annotations

import re

from network.identity.models import ProviderKind
from tests.conftest import outbox
from tests.html_checks import check_page
from tests.identity.conftest import at_provider, person, start, through_provider


def checked(response, status=200):
    assert response.status_code == status, response.status_code
    problems = check_page(response.data)
    assert problems == [], problems
    return response.get_data(as_text=True)


def test_every_page_of_the_flows(app, client, make_user, make_provider):
    make_user(email="ada@northbridge.org")
    make_provider()
    make_provider(slug="school", name="A School", kind=ProviderKind.SAML)
    checked(client.get("/auth/login"))
    checked(client.get("/auth/login?idp=school"))
    # Proving an account: the page, a wrong password, the mailed link's page.
    through_provider(client)
    checked(client.get("/auth/login/link-account"))
    checked(client.post("/auth/login/link-account", data={"password": "wrong"}), 400)
    checked(client.post("/auth/login/link-account", data={}), 400)
    client.post("/auth/login/link-account/mail")
    path = re.search(r"http://[^/\s]+(/auth/login/link-account/mailed/[\w.-]+)",
                     outbox(app, "identity-link")[0].text_body).group(1)
    checked(client.get(path))
    checked(app.test_client().get(path), 400)
    # A new member's question, asked and answered wrong.
    other = app.test_client()
    through_provider(other, sub="nb-2", email="bo@northbridge.org")
    checked(other.get("/auth/login/new-member"))
    checked(other.post("/auth/login/new-member", data={}), 400)
    # A refusal, and the re-post page.
    checked(app.test_client().get("/auth/login/with/northbridge/return?state=x"), 400)
    method, return_path, fields = at_provider(start(app.test_client(), "school"), person(), post=True)
    checked(app.test_client().post(return_path, data=fields))
    # The account page with an identity linked, and the refusal to unlink the last way in.
    member = app.test_client()
    through_provider(member, sub="nb-3", email="cy@northbridge.org")
    member.post("/auth/login/new-member", data={"role": "fellow"})
    text = checked(member.get("/auth/account"))
    identity_id = re.search(r"/auth/account/sign-in-methods/(\d+)/unlink", text).group(1)
    checked(member.post(f"/auth/account/sign-in-methods/{identity_id}/unlink"), 409)
