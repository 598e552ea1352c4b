"""Password hashing (Argon2id via argon2-cffi) and the password rules. Pure."""

from __future__ import annotations

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
