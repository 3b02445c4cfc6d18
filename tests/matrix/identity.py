"""Access rows for institutional sign-in, the member-facing side (the admin pages list their own rows).

The provider's round trip is public (a visitor signs in through it), answers 404 for a provider that is not
registered, and the steps of a first sign-in send anyone back to the sign-in page when no answer waits in
their session. The sign-in methods on the account page are any signed-in member's, pending included.
"""

from __future__ import annotations

from tests.matrix.common import LOGIN, everyone, members

ROUTES = {
    ("identity.start", "GET"): ({"slug": "nowhere"}, everyone(404)),
    ("identity.finish", "GET"): ({"slug": "nowhere"}, everyone(404)),
    ("identity.finish", "POST"): ({"slug": "nowhere"}, everyone(404)),
    ("identity.metadata", "GET"): ({"slug": "nowhere"}, everyone(404)),
    ("identity.prove", "GET"): ({}, everyone(LOGIN)),
    ("identity.prove", "POST"): ({}, everyone(LOGIN)),
    ("identity.send_proof_link", "POST"): ({}, everyone(LOGIN)),
    ("identity.mailed_link", "GET"): ({"token": "not-a-token"}, everyone(400)),
    ("identity.mailed_link", "POST"): ({"token": "not-a-token"}, everyone(400)),
    ("identity.choose_role", "GET"): ({}, everyone(LOGIN)),
    ("identity.choose_role", "POST"): ({}, everyone(LOGIN)),
    ("identity.link_start", "POST"): ({"slug": "nowhere"}, members(LOGIN, 404, 404)),
    ("identity.unlink", "POST"): ({"identity_id": 999999}, members(LOGIN, 404, 404)),
}
