"""What a sign-in through a provider keeps between requests, in the signed session cookie (never the database).

Two stages: ``STARTED`` from the redirect to the provider until its answer (what the protocol asked to keep,
where to go next, the member a link is for), and ``WAITING`` from a sound answer until the person has done
what it needs (proved an account, chosen a role). Each lapses after a while; a sign-in that completes
starts a brand-new session, which drops both.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import asdict

from flask import session

from network.identity.models import IdentityProvider
from network.identity.protocol import Assertion

STARTED = "_identity_started"
WAITING = "_identity_waiting"
#: From the redirect to the provider until its answer.
STARTED_SECONDS = 15 * 60
#: From the answer until the proof or the role (long enough to fetch a mailed link).
WAITING_SECONDS = 60 * 60
#: The claim values kept for the role mapping are cut to this length: the cookie stays small.
CLAIM_LENGTH = 500


def _now() -> int:
    return int(time.time())


def _fresh(stage: dict, seconds: int) -> bool:
    started = stage.get("at")
    return isinstance(started, int) and 0 <= _now() - started <= seconds


def start(slug: str, kept: dict, next_url: str | None, link_to: int | None = None) -> None:
    """Keep the protocol's state (and the page to return to) until the provider answers."""
    session[STARTED] = {"slug": slug, "kept": kept, "next": next_url, "link_to": link_to, "at": _now()}


def started(slug: str) -> dict | None:
    """What ``start`` kept for the provider ``slug``, if it has not lapsed."""
    stage = session.get(STARTED)
    if not isinstance(stage, dict) or stage.get("slug") != slug or not _fresh(stage, STARTED_SECONDS):
        return None
    return stage


def end_started() -> None:
    """The state is used once: a second answer to the same start finds nothing."""
    session.pop(STARTED, None)


def wait(provider: IdentityProvider, assertion: Assertion, next_url: str | None, user_id: int | None = None) -> None:
    """Keep a sound answer while the person proves the account ``user_id`` or chooses a role."""
    claims = {}
    if provider.role_claim and provider.role_claim in assertion.claims:
        claims[provider.role_claim] = str(assertion.claims[provider.role_claim])[:CLAIM_LENGTH]
    kept = {**asdict(assertion), "claims": claims}
    session[WAITING] = {"provider": provider.id, "assertion": kept, "next": next_url, "user": user_id,
                        "nonce": secrets.token_urlsafe(12), "at": _now()}


def waiting() -> dict | None:
    """The answer ``wait`` kept, if it has not lapsed."""
    stage = session.get(WAITING)
    if not isinstance(stage, dict) or not _fresh(stage, WAITING_SECONDS):
        return None
    if not isinstance(stage.get("assertion"), dict):
        return None
    return stage


def assertion_of(stage: dict) -> Assertion:
    return Assertion(**stage["assertion"])


def end_waiting() -> None:
    session.pop(WAITING, None)
