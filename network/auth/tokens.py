"""Signed, time-limited tokens for emailed links."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from network.members.models import User


class TokenError(Exception):
    """A link that cannot be used; the message says why, for the member."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"network.{purpose}")


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password does, so a used reset link stops working.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_confirmation_token(user: User) -> str:
    return _serializer("confirm-email").dumps({"uid": user.id, "email": user.email})


def read_confirmation_token(token: str) -> dict:
    """The payload of a confirmation link, or TokenError."""
    try:
        return _serializer("confirm-email").loads(token, max_age=current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    except SignatureExpired as exc:
        raise TokenError("This confirmation link has expired. Sign in to send a new one.") from exc
    except BadSignature as exc:
        raise TokenError("This confirmation link is not valid. Check that you copied all of it.") from exc


def make_reset_token(user: User) -> str:
    return _serializer("reset-password").dumps({"uid": user.id, "pw": _password_fingerprint(user)})


def read_reset_token(token: str, load_user) -> User:
    """The member a reset link is for, or TokenError when expired, altered or already used."""
    try:
        payload = _serializer("reset-password").loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired as exc:
        raise TokenError("This password reset link has expired. Ask for a new one.") from exc
    except BadSignature as exc:
        raise TokenError("This password reset link is not valid. Ask for a new one.") from exc
    user = load_user(payload.get("uid"))
    if user is None or not user.is_active or payload.get("pw") != _password_fingerprint(user):
        raise TokenError("This password reset link has already been used. Ask for a new one.")
    return user


def make_token(purpose: str, payload: dict) -> str:
    """A signed, time-stamped token for another area's emailed link (``purpose`` keeps each kind apart)."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int, what: str) -> dict:
    """The payload of a token from ``make_token``, or TokenError naming ``what`` ("This sign-in link")."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError(f"{what} has expired. Sign in again to get a new one.") from exc
    except BadSignature as exc:
        raise TokenError(f"{what} is not valid. Check that you copied all of it.") from exc
