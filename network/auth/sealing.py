"""Encrypt small secrets at rest with a key derived from SECRET_KEY (standard library only).

HMAC-SHA256 in counter mode as the key stream, then an HMAC-SHA256 tag over nonce and
ciphertext (encrypt-then-MAC). A database dump alone does not reveal authenticator secrets;
rotating SECRET_KEY makes sealed values unreadable (members then set up their app again).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import MutableMapping

VERSION = "v1"
NONCE_BYTES = 16


class SealError(ValueError):
    """The sealed value was tampered with or sealed under another key."""


def _keys(secret_key: str | bytes, purpose: str) -> tuple[bytes, bytes]:
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    encryption = hmac.new(key, f"{purpose}:encrypt".encode(), hashlib.sha256).digest()
    authentication = hmac.new(key, f"{purpose}:authenticate".encode(), hashlib.sha256).digest()
    return encryption, authentication


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest())
    return b"".join(blocks)[:length]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(plaintext: str, secret_key: str | bytes, purpose: str) -> str:
    """``plaintext`` encrypted and authenticated, as ASCII."""
    encryption, authentication = _keys(secret_key, purpose)
    nonce = secrets.token_bytes(NONCE_BYTES)
    data = plaintext.encode()
    ciphertext = bytes(a ^ b for a, b in zip(data, _stream(encryption, nonce, len(data)), strict=True))
    tag = hmac.new(authentication, nonce + ciphertext, hashlib.sha256).digest()
    return ".".join([VERSION, _b64(nonce), _b64(ciphertext), _b64(tag)])


def unseal(sealed: str, secret_key: str | bytes, purpose: str) -> str:
    """The plaintext of ``seal``; ``SealError`` if it was altered or sealed with another key."""
    try:
        version, nonce, ciphertext, tag = sealed.split(".")
        nonce, ciphertext, tag = _unb64(nonce), _unb64(ciphertext), _unb64(tag)
    except ValueError as exc:
        raise SealError("not a sealed value") from exc
    if version != VERSION:
        raise SealError("unknown seal version")
    encryption, authentication = _keys(secret_key, purpose)
    if not hmac.compare_digest(tag, hmac.new(authentication, nonce + ciphertext, hashlib.sha256).digest()):
        raise SealError("the sealed value does not match this key")
    return bytes(a ^ b for a, b in zip(ciphertext, _stream(encryption, nonce, len(ciphertext)), strict=True)).decode()


def hold_sealed(store: MutableMapping, name: str, secret: str, secret_key: str | bytes, **facts) -> None:
    """Keep ``secret`` sealed in ``store`` (the session) under ``name``, with ``facts`` beside it, for the page a
    redirect leads to: a secret shown once after a POST. The session is a signed cookie anyone holding it can
    read; what it carries of the secret is not."""
    store[name] = {**facts, "sealed": seal(secret, secret_key, name)}


def take_sealed(store: MutableMapping, name: str, secret_key: str | bytes) -> tuple[dict, str] | None:
    """What ``hold_sealed`` kept under ``name`` and the secret, taken out of ``store`` (so shown once); None when
    nothing is held or it does not unseal."""
    held = store.pop(name, None)
    if not isinstance(held, dict):
        return None
    try:
        return held, unseal(str(held.get("sealed")), secret_key, name)
    except SealError:
        return None
