"""What the institutional sign-in views share: the refusal page, and signing a member in as a password
sign-in does (a new session, the second step unless the provider vouched for one)."""

from __future__ import annotations

import logging

from flask import flash, get_flashed_messages, make_response, redirect, render_template, session, url_for
from flask_login import current_user

from network.auth import two_factor
from network.auth.sessions import PENDING_SIGN_IN, start_session
from network.extensions import db
from network.identity import linking, pending
from network.identity.models import IdentityProvider
from network.members.models import User
from network.types import utcnow
from network.urls import safe_next

log = logging.getLogger(__name__)


def refused(provider: IdentityProvider | None, reason: str, message: str, status: int = 400):
    """The clear page for a refused sign-in, and its audit entry (the provider's slug and the reason code)."""
    db.session.rollback()
    actor = current_user.id if current_user.is_authenticated else None
    linking.refusal(provider, reason, actor)
    db.session.commit()
    pending.end_started()
    pending.end_waiting()
    log.info("sign-in through %s refused: %s", provider.slug if provider is not None else "?", reason)
    return make_response(render_template("identity/refused.html", provider=provider, message=message), status)


def sign_in(user: User, mfa: bool, next_url: str | None, provider: IdentityProvider):
    """Sign ``user`` in after the provider's answer; commits. Our own second step is skipped only when the
    provider says the person passed multi-factor authentication; otherwise a member with two-step sign-in on
    gives their code, and a role that needs it is sent to set it up (``require_two_factor``)."""
    user.last_login_at = utcnow()
    next_url = safe_next(next_url)
    invitation = linking.open_invitation(provider, user.email) if user.email_confirmed else None
    # The callers' messages ("Welcome…", "… is linked") are in the session, which is replaced: carry them over.
    messages = get_flashed_messages(with_categories=True)
    if not mfa and two_factor.is_enabled(user.id):
        session.clear()
        session[PENDING_SIGN_IN] = {"user": user.get_id(), "at": int(utcnow().timestamp()), "remember": False,
                                    "next": next_url}
        _flash_again(messages)
        db.session.commit()
        return redirect(url_for("auth.login_code"))
    start_session(user, remember=False, two_factor_done=mfa)
    _flash_again(messages)
    db.session.commit()
    log.info("member %s signed in through %s", user.id, provider.slug)
    if invitation is not None:
        flash(f"You are invited to {invitation.cohort.name}, {invitation.cohort.program.name}: open the link in "
              "the invitation mail to join the class.", "info")
    return redirect(next_url or url_for("main.index"))


def _flash_again(messages: list[tuple[str, str]]) -> None:
    for category, message in messages:
        flash(message, category)


def waiting_provider(stage: dict) -> IdentityProvider | None:
    return db.session.get(IdentityProvider, stage.get("provider"))


def restart():
    """The answer kept for this sign-in has lapsed (or there was none): back to the sign-in page."""
    pending.end_waiting()
    flash("Please sign in again: the wait for this step ran out.", "info")
    return redirect(url_for("auth.login"))
