"""A secret shown once after a POST (an API token, a calendar feed address) rides in the session from the POST
to the page that shows it. The session is a signed cookie, readable by whoever holds it (a shared computer, a
browser extension, a log of cookies): what it carries of the secret must be sealed, never the secret."""

from __future__ import annotations

import json
import re

import pytest

from tests.api.test_tokens import CREATE, SECRET, create_form

FEED = re.compile(r"/opportunities/feed/([A-Za-z0-9_-]+)\.ics")

#: (the POST that makes the secret, its form, the page that shows it once, how to find it there)
SHOWN_ONCE = {
    "api token": (CREATE, create_form(), "/auth/account", SECRET),
    "calendar feed": ("/opportunities/calendar/feed", {}, "/opportunities/calendar", FEED),
}


@pytest.mark.parametrize("name", SHOWN_ONCE)
def test_the_session_carries_the_secret_sealed(app, make_user, login, name):
    post, form, page, pattern = SHOWN_ONCE[name]
    client = login(app.test_client(), make_user())
    assert client.post(post, data=form).status_code == 302
    with client.session_transaction() as session:
        carried = json.dumps(dict(session))
    found = pattern.search(client.get(page).get_data(as_text=True))
    assert found is not None, "the page shows the new secret once"
    secret = found.group(found.lastindex or 0)
    assert secret not in carried
    assert pattern.search(client.get(page).get_data(as_text=True)) is None, "and only once"
