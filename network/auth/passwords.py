"""The password policy: long enough, and not easy to guess.

Following NIST SP 800-63B: at least 12 characters, long passphrases welcome, no composition rules;
refused are the 10,000 most common passwords (the head of Django's frequency-ordered list, BSD
licence) and one of them with a few digits or signs around it, a character or a short part
repeated, runs such as ``123456789012``, ``abcdefghijkl`` or ``qwertyuiop``, and the member's own
name or email address. Pure functions: no Flask.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from functools import cache
from itertools import pairwise
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 256
#: What must be left once the member's name and address are taken out of a password.
MIN_OWN_PART = 6
#: A run of neighbouring letters, digits or keys this long is predictable.
MIN_RUN = 3

_LIST = Path(__file__).with_name("common-passwords.txt.gz")
#: Orders people type along: the alphabet, the digits (9 then 0, as on the keyboard) and the key rows.
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop",
              "azertyuiop", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p")
_NEXT = frozenset((a, b) for sequence in _SEQUENCES for a, b in pairwise(sequence))
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")

COMMON = "This password is one of the most common ones. Choose something less guessable."
REPEATED = "This password repeats a character or a short part. A few unrelated words make a better one."
SEQUENCE = ("This password is a run of neighbouring letters, digits or keys (like 1234, abcd or qwerty). "
            "Choose something less guessable.")
PERSONAL = "This password is mostly your name or email address. Leave them out, or add more words of your own."


@cache
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords, lower case."""
    with gzip.open(_LIST, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip())


def _squeezed(text: str) -> str:
    """Lower case letters and digits only: "Ana.Silva@x.org" gives "anasilvaxorg"."""
    return "".join(c for c in text.lower() if c.isalnum())


def _step(a: str, b: str) -> str | None:
    """How ``b`` follows ``a``: the same character, the next one along a sequence, the one before, or not."""
    if a == b:
        return "same"
    if (a, b) in _NEXT:
        return "up"
    if (b, a) in _NEXT:
        return "down"
    return None


def _is_runs(text: str) -> bool:
    """True when ``text`` is nothing but runs (each ``MIN_RUN`` or longer) of one character repeated
    or of neighbours in the alphabet, the digits or a row of keys, either way."""
    if not text:
        return True
    i, n = 0, len(text)
    while i < n:
        if i + 1 >= n:
            return False

        kind = _step(text[i], text[i + 1])
        if kind is None:
            return False
        j = i + 1
        while j + 1 < n and _step(text[j], text[j + 1]) == kind:
            j += 1
        if j - i + 1 < MIN_RUN:
            return False
        i = j + 1
    return True


def _guessable(text: str) -> str | None:
    """Which of the predictable shapes ``text`` (lower case) has, as a message; None if none."""
    if text in common_passwords():
        return COMMON
    core = _AROUND.sub("", text)
    if core != text and len(core) >= 4 and core in common_passwords():
        return COMMON  # "password1234", "iloveyou!!"
    repeated = re.fullmatch(r"(.+?)\1+", text, flags=re.DOTALL)
    if (repeated and len(repeated.group(1)) < MIN_LENGTH) or len(set(text)) < 5:
        return REPEATED
    if _is_runs(_squeezed(text)):
        return SEQUENCE
    return None


def _member_parts(member_words: Iterable[str]) -> list[str]:
    """The member's name, its words, their address and its name part, squeezed; longest first."""
    parts: set[str] = set()
    for word in member_words:
        if not word:
            continue
        parts.add(_squeezed(word))
        if "@" in word:
            parts.add(_squeezed(word.split("@", 1)[0]))
        parts.update(_squeezed(piece) for piece in re.split(r"[\s.@_+-]+", word))
    return sorted((p for p in parts if len(p) >= 3), key=len, reverse=True)


def password_problem(password: str, member_words: Iterable[str] = ()) -> str | None:
    """What is wrong with a new password, in words for the member; None if it is fine.

    ``member_words``: the member's name and email address, which a password must not be made of.
    """
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few words make a good password."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.strip().lower()
    problem = _guessable(lowered)
    if problem:
        return problem
    squeezed = _squeezed(lowered)
    own = squeezed
    for part in _member_parts(member_words):
        own = own.replace(part, "")
    if own != squeezed and (len(own) < MIN_OWN_PART or _guessable(own)):
        return PERSONAL
    return None
