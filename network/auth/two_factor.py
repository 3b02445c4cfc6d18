"""Two-step sign-in with a time-based code (TOTP, RFC 6238) and single-use recovery codes.

Services: they change the session's objects and never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
import time

import pyotp
import segno
from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, func, select, update

from network.audit.models import record
from network.auth.models import RecoveryCode, TwoFactor
from network.auth.sealing import seal, unseal
from network.extensions import db
from network.members.models import User
from network.types import utcnow

SEAL_PURPOSE = "two-factor-secret"
RECOVERY_CODE_COUNT = 10
# Codes of the step before and after the current one are accepted: phones' clocks drift.
DRIFT_STEPS = 1
# No 0/O or 1/I/L: recovery codes are read off paper.
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_TOTP_SHAPE = re.compile(r"\d{6}")


class CodeRefused(Exception):
    """The code is wrong, expired or was already used."""


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret)


def _sealed(secret: str) -> str:
    return seal(secret, current_app.config["SECRET_KEY"], SEAL_PURPOSE)


def _secret(row: TwoFactor) -> str:
    return unseal(row.secret_sealed, current_app.config["SECRET_KEY"], SEAL_PURPOSE)


def setting(user_id: int) -> TwoFactor | None:
    return db.session.get(TwoFactor, user_id)


def is_enabled(user_id: int) -> bool:
    """True when the member signs in with a second step."""
    row = setting(user_id)
    return row is not None and row.enabled_at is not None


def start_enrolment(user: User) -> TwoFactor:
    """A new secret waiting for its first code (replaces an unfinished one); refused if already on."""
    row = setting(user.id)
    if row is not None and row.enabled_at is not None:
        raise ValueError("two-step sign-in is already on")
    if row is None:
        row = TwoFactor(user_id=user.id)
        db.session.add(row)
    row.secret_sealed = _sealed(pyotp.random_base32())
    row.created_at = utcnow()
    row.last_used_step = None
    db.session.flush()
    return row


def pending_secret(user_id: int) -> str | None:
    """The secret of an unfinished set-up, to show as a QR code and a key; None once it is on."""
    row = setting(user_id)
    if row is None or row.enabled_at is not None:
        return None
    return _secret(row)


def provisioning_uri(user: User, secret: str) -> str:
    return _totp(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TWO_FACTOR_ISSUER"])


def qr_svg(uri: str) -> Markup:
    """The ``otpauth://`` link as an inline SVG QR code: made here, no style attribute, no script."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", xmldecl=False, svgns=True, nl=False, scale=5,
                                    border=4, dark="#000", light="#fff", svgclass="qr-code",
                                    title="QR code for your authenticator app", lineclass=None)
    svg = buffer.getvalue().decode()
    # segno writes only its own markup from the URI we built; role/aria make it an image to screen readers.
    labelled = svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1)
    return Markup(labelled)  # noqa: S704  # nosec B704


def format_key(secret: str) -> str:
    """The secret in groups of four, easier to type into an app."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code ``code`` is, within the allowed drift, or None."""
    if not _TOTP_SHAPE.fullmatch(code):
        return None
    totp = _totp(secret)
    current = totp.timecode(time.time() if now is None else now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user_id: int, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already was: one statement, so two
    requests racing with the same code cannot both win."""
    result = db.session.execute(
        update(TwoFactor)
        .where(TwoFactor.user_id == user_id,
               (TwoFactor.last_used_step.is_(None)) | (TwoFactor.last_used_step < step))
        .values(last_used_step=step)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _hash_code(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_recovery_codes(user_id: int) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.add_all(RecoveryCode(user_id=user_id, code_hash=_hash_code(code)) for code in codes)
    return codes


def enable(user: User, code: str, now: float | None = None) -> list[str]:
    """Turn two-step sign-in on once the first code from the app is right; the recovery codes, shown once."""
    row = setting(user.id)
    if row is None or row.enabled_at is not None:
        raise CodeRefused("Start the set-up again: it was finished or cancelled.")
    step = _matching_step(_secret(row), _normalise(code), now)
    if step is None or not _claim_step(user.id, step):
        raise CodeRefused("That code is not right. Enter the six digits your app shows now.")
    row.enabled_at = utcnow()
    codes = _new_recovery_codes(user.id)
    # A session stolen before today should not survive the member securing the account.
    user.end_other_sessions()
    record(user.id, "two-factor.enable", "user", user.id)
    return codes


def verify(user: User, code: str, now: float | None = None) -> str:
    """Check a sign-in code: ``"app"`` or ``"recovery"`` when accepted; ``CodeRefused`` otherwise.

    An app code is accepted once (its time step is recorded); a recovery code once ever.
    """
    row = setting(user.id)
    if row is None or row.enabled_at is None:
        raise CodeRefused("Two-step sign-in is not on for this account.")
    cleaned = _normalise(code)
    if _TOTP_SHAPE.fullmatch(cleaned):
        step = _matching_step(_secret(row), cleaned, now)
        if step is not None and _claim_step(user.id, step):
            return "app"
        raise CodeRefused("That code is not right or was already used. Wait for the next one and try again.")
    result = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_code(cleaned),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise CodeRefused("That code is not right or was already used.")
    record(user.id, "two-factor.recovery-code-used", "user", user.id, left=recovery_codes_left(user.id))
    return "recovery"


def recovery_codes_left(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)))


def new_recovery_codes(user: User) -> list[str]:
    """Replace the member's recovery codes (the old ones stop working); the new ones, shown once."""
    codes = _new_recovery_codes(user.id)
    record(user.id, "two-factor.recovery-codes-replaced", "user", user.id)
    return codes


def disable(user: User, *, by_operator: bool = False) -> None:
    """Turn two-step sign-in off: the secret and the recovery codes are deleted, every session ends.

    ``by_operator``: done from the command line for a member who lost their phone and codes.
    """
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    user.end_other_sessions()
    if by_operator:
        record(None, "two-factor.reset", "user", user.id, email=user.email)
    else:
        record(user.id, "two-factor.disable", "user", user.id)


def cancel_enrolment(user_id: int) -> None:
    """Forget an unfinished set-up."""
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user_id, TwoFactor.enabled_at.is_(None)))


def is_required(user) -> bool:
    """Whether the member's role must sign in with a second step (``TWO_FACTOR_REQUIRED_ROLES``)."""
    roles = current_app.config.get("TWO_FACTOR_REQUIRED_ROLES") or ()
    return str(user.role) in {str(role) for role in roles}
