"""Join codes: short enough to read off a projector, too many to guess.

The alphabet leaves out 0, 1, I, L and O, which are easily confused when read aloud or
typed from a screen: 31 symbols. Six of them give 31^6 ≈ 8.9e8 codes. Past the global limit
of failed attempts (600 a minute, ``PollSettings``) every attempt waits its turn, so guessing
one of even 100 live sessions takes 8.9e8 / 100 / 600 minutes ≈ 10 days on average per
server process, longer than a class session lives by far.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_ALLOWED = frozenset(ALPHABET)
_SEPARATORS = str.maketrans("", "", " -_.\t")


def new_code(length: int = 6) -> str:
    """A fresh random code from the OS's cryptographic generator."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize_code(text: str, length: int = 6) -> str | None:
    """The code a person typed, upper-cased without spaces or dashes; None if it cannot be a
    code (wrong length or a symbol outside the alphabet)."""
    if not isinstance(text, str) or len(text) > 4 * length:
        return None
    code = text.translate(_SEPARATORS).upper()
    if len(code) != length or not set(code) <= _ALLOWED:
        return None
    return code


def format_code(code: str) -> str:
    """For display: two halves, ``K7P-3QX``."""
    half = (len(code) + 1) // 2
    return f"{code[:half]}-{code[half:]}"
