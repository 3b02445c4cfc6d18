"""Session lifetime: a new session at every sign-in, idle and absolute timeouts, two-step enforcement.

Sessions are signed cookies, each backed by a ``member_session`` row. The Flask-Login id is
``"<user id>:<session version>:<signed-in at>:<token>"``: the token names the row (by its hash), so
signing out ends this session on the server, copies of its cookies included; the version ends every
session when it is bumped (password change, "sign out everywhere", deactivation); and the sign-in time
travels into the remember-me cookie too, so the absolute timeout binds both. The member loader checks
the row in the query that loads the member, so no request pays an extra query for it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from datetime import timedelta
from typing import NamedTuple

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, update

from network.auth import two_factor
from network.extensions import db
from network.members.models import MemberSession, revoke_sessions
from network.types import utcnow
from network.urls import is_api_request

SIGNED_IN_AT = "_signed_in_at"
LAST_SEEN_AT = "_last_seen_at"
#: The member chose "keep me signed in" (or this session came back from that cookie): no idle timeout.
REMEMBERED = "_remembered"
#: Set when this session passed the second step (or the member has it on): no query on later requests.
TWO_FACTOR_DONE = "_two_factor"
#: A sign-in whose password was right, waiting for its code.
PENDING_SIGN_IN = "_pending_sign_in"
# Refresh the idle clock (the cookie's and the session row's) at most this often, so neither the
# cookie nor the row is rewritten on every request.
SEEN_RESOLUTION_SECONDS = 60
#: Messages waiting in the cookie for the next page: each distinct message once, the newest few.
MAX_WAITING_MESSAGES = 5
# 16 random bytes, URL-safe base64: 22 characters, never a colon.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")

#: What a member who must turn on two-step sign-in can still reach.
SETUP_ENDPOINTS = frozenset({
    "static", "bootstrap.static", "auth.logout", "auth.two_factor_status", "auth.two_factor_start",
    "auth.two_factor_setup", "auth.two_factor_enable", "auth.two_factor_cancel", "main.healthz",
})


class LoginId(NamedTuple):
    user_id: int
    version: int
    signed_in_at: int
    token: str


def _outside_sessions() -> bool:
    """Static files need no member: no user query, and fetching them is not activity. The JSON API has no
    session at all: a personal access token authenticates each of its requests (``network/api/auth.py``)."""
    endpoint = request.endpoint
    return endpoint is None or endpoint == "static" or endpoint.endswith(".static") or is_api_request()


def _now() -> int:
    return int(time.time())


def login_id(user, signed_in_at: int, token: str) -> str:
    return f"{user.get_id()}:{signed_in_at}:{token}"


def parse_login_id(value: str) -> LoginId | None:
    """The parts of a session or remember-me id, or None when it is not one (ids from before session
    rows existed, without a token, are not: their sessions end)."""
    parts = str(value).split(":")
    if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]) or not _TOKEN.fullmatch(parts[3]):
        return None
    return LoginId(int(parts[0]), int(parts[1]), int(parts[2]), parts[3])


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def describe_device(user_agent: str) -> str:
    """"Firefox on Linux" from a User-Agent header: enough for a member to tell their devices apart."""
    ua = user_agent or ""
    browser = next((name for marker, name in (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
                                              ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"), ("Chrome/", "Chrome"),
                                              ("Safari/", "Safari")) if marker in ua), "A browser")
    system = next((name for marker, name in (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
                                             ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
                                             ("Linux", "Linux")) if marker in ua), None)
    return f"{browser} on {system}" if system else browser


def open_member_session(user_id: int, user_agent: str = "") -> str:
    """Add the row of a new session (the caller commits); its token, for the cookie.

    The member's rows past the absolute timeout go at the same time: they can open nothing any more.
    """
    token = secrets.token_urlsafe(16)
    oldest = utcnow() - current_app.config["SESSION_ABSOLUTE_TIMEOUT"] - timedelta(minutes=5)
    db.session.execute(delete(MemberSession).where(MemberSession.user_id == user_id,
                                                   MemberSession.created_at < oldest))
    db.session.add(MemberSession(token_hash=token_hash(token), user_id=user_id,
                                 user_agent=describe_device(user_agent)[:80]))
    return token


def current_token() -> str | None:
    """The token of this request's session (or of the remember-me cookie it came back from)."""
    parsed = parse_login_id(session.get("_user_id", ""))
    return parsed.token if parsed else None


def _revoke_current_session() -> None:
    token = current_token()
    if token is not None:
        db.session.execute(revoke_sessions().where(MemberSession.token_hash == token_hash(token)))


def signed_in_recently() -> bool:
    """This session's sign-in is at most ``RECENT_SIGN_IN`` old: what confirms a destructive step for a member
    who has no password to type (they came from an institution's sign-in)."""
    signed_in_at = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int):
        return False
    return 0 <= _now() - signed_in_at <= current_app.config["RECENT_SIGN_IN"].total_seconds()


#: What a member without a password is told when their sign-in is too old to confirm a step.
SIGN_IN_AGAIN = ("You have no password here, so a fresh sign-in confirms this: sign out, sign in again with "
                 "your institution's button, and come back to this page within a few minutes.")


def confirm_step(form, user, wrong_password: str) -> bool:
    """Whether ``user`` confirmed a step with ``form`` (a ``ConfirmedByPassword`` form): their password, or
    for a member without one a recent sign-in. The reason it was not goes on the field or the form."""
    if user.has_password:
        if user.check_password(form.password.data):
            return True
        form.password.errors.append(wrong_password)
        return False
    if signed_in_recently():
        return True
    form.form_errors.append(SIGN_IN_AGAIN)
    return False


def signed_in_too_long_ago(signed_in_at: int | None) -> bool:
    """True when the absolute timeout has passed (or the time is impossible)."""
    if signed_in_at is None:
        return False
    age = _now() - signed_in_at
    return age > current_app.config["SESSION_ABSOLUTE_TIMEOUT"].total_seconds() or age < -300


def start_session(user, remember: bool, two_factor_done: bool = False, signed_in_at: int | None = None) -> None:
    """Sign ``user`` in on a brand-new session: nothing set before the sign-in survives it (no fixation).

    ``signed_in_at`` keeps the original sign-in time when a session is re-issued (password change).
    The session's row is added to the database session: the caller commits.
    """
    _revoke_current_session()
    session.clear()
    login_user(user, remember=remember, fresh=True)
    now = _now()
    started = signed_in_at or now
    token = open_member_session(user.id, request.headers.get("User-Agent", ""))
    session["_user_id"] = login_id(user, started, token)
    session[SIGNED_IN_AT] = started
    session[LAST_SEEN_AT] = now
    if remember:
        session[REMEMBERED] = True
    elif current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies:
        # Someone's older remember-me cookie must not outlive this sign-in (nor dodge its idle timeout).
        session["_remember"] = "clear"
    if two_factor_done:
        session[TWO_FACTOR_DONE] = True


def reissue_session(user) -> None:
    """Keep this device signed in after the session version changed; same sign-in time, same factors."""
    remembered = bool(session.get(REMEMBERED)) or current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
    start_session(user, remember=remembered, two_factor_done=bool(session.get(TWO_FACTOR_DONE)),
                  signed_in_at=session.get(SIGNED_IN_AT))


def end_session(message: str | None = None) -> None:
    """Sign out: the session's row ended (the caller commits), an empty session, and the remember-me
    cookie deleted too."""
    _revoke_current_session()
    logout_user()
    forget_cookie = session.get("_remember")  # "clear" when the browser holds a remember-me cookie
    session.clear()
    if forget_cookie:
        session["_remember"] = forget_cookie
    if message:
        flash(message, "info")


def expire_stale_session():
    """``before_request``: end a session idle for too long or signed in too long ago.

    A member who chose "keep me signed in" is not signed out for being idle (that is what they
    asked for) but is for the absolute timeout, remember-me cookie included.
    """
    if _outside_sessions() or not current_user.is_authenticated:
        return
    config = current_app.config
    now = _now()
    parsed = parse_login_id(session.get("_user_id", ""))
    signed_in_at = session.get(SIGNED_IN_AT) or (parsed.signed_in_at if parsed else None)
    if SIGNED_IN_AT not in session:
        # Back from a remember-me cookie (Flask-Login marks it not fresh), or made before these
        # timestamps existed: the cookie's sign-in time, else now.
        signed_in_at = signed_in_at or now
        session[SIGNED_IN_AT] = signed_in_at
        if session.get("_fresh") is False and config["REMEMBER_COOKIE_NAME"] in request.cookies:
            session[REMEMBERED] = True
    if signed_in_too_long_ago(signed_in_at):
        end_session("You were signed in for a long time, so we signed you out for safety. Please sign in again.")
        db.session.commit()
        return
    last_seen = session.get(LAST_SEEN_AT, now)
    remembered = bool(session.get(REMEMBERED))
    if not remembered and now - last_seen > config["SESSION_IDLE_TIMEOUT"].total_seconds():
        end_session("You were away for a while, so we signed you out for safety. Please sign in again.")
        db.session.commit()
        return
    if LAST_SEEN_AT not in session or now - last_seen >= SEEN_RESOLUTION_SECONDS:
        session[LAST_SEEN_AT] = now
        if parsed is not None:
            # The account page's "last active", at the cookie's own resolution: a write a minute at most.
            db.session.execute(update(MemberSession).where(MemberSession.token_hash == token_hash(parsed.token))
                               .values(last_seen_at=utcnow()).execution_options(synchronize_session=False))
            db.session.commit()
    return


def keep_waiting_messages_distinct(response):
    """``after_request``: a message already waiting for the next page is not queued again.

    Messages wait in the signed session cookie until a page shows them. A form sent again and
    again without that page in between (two tabs, a script, a client that does not follow the
    redirect) would otherwise queue "Your reply is posted." each time: a cookie that grows on every
    request, costs more to sign and read each time, and ends as a page of repeated alerts.
    """
    if "_flashes" in session:  # testing for the key does not count as reading the session
        waiting = session["_flashes"]
        distinct = list(dict.fromkeys(tuple(message) for message in waiting))[-MAX_WAITING_MESSAGES:]
        if len(distinct) != len(waiting):
            session["_flashes"] = distinct
    return response


def require_two_factor():
    """``before_request``: a member whose role requires two-step sign-in reaches only its set-up until it is on."""
    if _outside_sessions() or not current_user.is_authenticated or session.get(TWO_FACTOR_DONE):
        return None
    if not current_user.is_verified:
        # A pending member reaches nothing but their account anyway; the rule applies once admitted.
        return None
    if not two_factor.is_required(current_user):
        return None
    if request.endpoint in SETUP_ENDPOINTS:
        return None
    if two_factor.is_enabled(current_user.id):
        # Only a sign-in that passed the code (or one re-issued from it) reaches here with it on.
        session[TWO_FACTOR_DONE] = True
        return None
    if request.method in ("GET", "HEAD"):
        flash("Your role needs two-step sign-in. Set it up to continue; it takes a minute.", "warning")
        return redirect(url_for("auth.two_factor_status"))
    abort(403, "Set up two-step sign-in first (Account → Two-step sign-in).")
