"""The password policy: length only, and none of the 10,000 most common passwords.

Following NIST SP 800-63B: at least 12 characters, long passphrases welcome,
no composition rules. The list is the head of Django's frequency-ordered
common-password list (BSD licence).
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 256

_LIST = Path(__file__).with_name("common-passwords.txt.gz")


@cache
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords, lower case."""
    with gzip.open(_LIST, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip())


def password_problem(password: str) -> str | None:
    """What is wrong with a new password, in words for the member; None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few words make a good password."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.strip().lower() in common_passwords():
        return "This password is one of the most common ones. Choose something less guessable."
    return None
