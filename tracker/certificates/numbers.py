"""Certificate numbers: unique, non-sequential, not guessable, easy to type and read aloud.

Format ``ZI-<year>-<predicate>-XXXX-XXXXC``, e.g. ``ZI-2019-WBK-7K3M-9QXD4``: eight random
characters from Crockford's base 32 (no I, L, O or U, so nothing reads as 1 or 0), drawn from
``secrets`` (40 bits per year and predicate: enumerating them is hopeless), then one check
character (Luhn mod 32 over year, predicate and random part) so that any single mistyped
character, and nearly every pair of swapped neighbours, is caught before the database is asked.
Pure: no Flask, no database.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUES = {char: index for index, char in enumerate(ALPHABET)}
# What people type for the characters Crockford's alphabet leaves out.
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
RANDOM_LENGTH = 8
PREDICATES = ("WBK", "WBBM")
MAX_INPUT_LENGTH = 64  # anything longer is not a number; never parse unbounded input

_COMPACT = re.compile(r"ZI(?P<year>\d{4})(?P<predicate>WBBM|WBK)(?P<body>[0-9A-Z]{9})")


def generate(year: int, predicate: str, choice: Callable[[str], str] = secrets.choice) -> str:
    """A new random certificate number for ``year`` and ``predicate`` ("WBK" or "WBBM").

    Raises ``ValueError`` for a year outside 2000–9999 or an unknown predicate.
    """
    if not 2000 <= year <= 9999 or predicate not in PREDICATES:
        raise ValueError(f"cannot number a certificate for {year!r} {predicate!r}")
    body = "".join(choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return _format(year, predicate, body + check_character(f"{year}{predicate}{body}"))


def _format(year: int | str, predicate: str, body: str) -> str:
    return f"ZI-{year}-{predicate}-{body[:4]}-{body[4:]}"


def check_character(payload: str) -> str:
    """Luhn mod 32 check character of ``payload`` (characters of ``ALPHABET``)."""
    total = _luhn_sum(payload, double_first=True)
    return ALPHABET[-total % len(ALPHABET)]


def _luhn_sum(text: str, *, double_first: bool) -> int:
    base = len(ALPHABET)
    total = 0
    for position, char in enumerate(reversed(text)):
        addend = _VALUES[char] * (2 if (position % 2 == 0) == double_first else 1)
        total += addend // base + addend % base
    return total


def normalize(text: str) -> str | None:
    """The canonical number for what somebody typed, or None if it cannot be one.

    Case, spaces and hyphens do not matter, and O, I and L in the random part are read as 0, 1
    and 1. None for anything malformed, including a wrong check character.
    """
    if not isinstance(text, str) or len(text) > MAX_INPUT_LENGTH:
        return None
    compact = re.sub(r"[\s\-‐-―]", "", text).upper()
    match = _COMPACT.fullmatch(compact[:4] + compact[4:].translate(_ALIASES))
    if match is None:
        return None
    year, predicate, body = match["year"], match["predicate"], match["body"]
    if any(char not in _VALUES for char in body):
        return None
    if _luhn_sum(f"{year}{predicate}{body}", double_first=False) % len(ALPHABET):
        return None
    return _format(year, predicate, body)


def verification_url(public_base_url: str, number: str) -> str:
    """The public verification address printed (and QR-encoded) on the certificate."""
    return f"{public_base_url.rstrip('/')}/verify/{number}"
