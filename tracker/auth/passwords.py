"""Password hashing (Argon2id via argon2-cffi) and the password rules. Pure."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tracker.errors import ValidationError
from tracker.i18n import _

_hasher = PasswordHasher()

MIN_LENGTH = 10
MAX_LENGTH = 128
# The most common choices; a longer list adds little once length and variety are required.
COMMON = frozenset(
    {
        "1234567890", "12345678910", "password123", "passw0rd123", "qwertyuiop",
        "admin12345", "indonesia1", "indonesia123", "jakarta123", "bismillah1",
        "katasandi123", "rahasia123", "0123456789", "1111111111", "abcdefghij",
    }
)  # fmt: skip


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A refusal must cost the same whether or not the account exists (else its timing tells which
# user names are real): an unknown name is checked against this hash of a password nobody knows.
# Written out, not computed at import, so that no process pays one hashing to start; it has the
# hasher's parameters, and is recomputed once if those ever change (``dummy_hash``).
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$d+FlH8MzLjkEbLe3p0NOUg$"
    "+FY63T0CKqQrRXd4q6i7seSMIqplgpdtkQ9yS1JqLUE"
)


@cache
def dummy_hash() -> str:
    """A hash with the current parameters, of a secret nobody holds: as slow to refuse as a
    real account's."""
    if not needs_rehash(_DUMMY_HASH):
        return _DUMMY_HASH
    return hash_password(secrets.token_urlsafe(32))


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def check_rules(password: str, *, username: str) -> None:
    """Raise ValidationError naming every rule ``password`` breaks."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("paling sedikit %(n)s karakter", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("paling banyak %(n)s karakter", n=MAX_LENGTH))
    if password.lower() in COMMON or len(set(password)) < 5:
        problems.append(_("terlalu mudah ditebak"))
    if username and username.lower() in password.lower():
        problems.append(_("tidak boleh memuat nama pengguna"))
    if problems:
        raise ValidationError(
            _("Kata sandi tidak memenuhi syarat: %(rules)s.", rules="; ".join(problems))
        )
