"""Password hashing (Argon2id via argon2-cffi) and the password rules. Pure."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tracker.errors import ValidationError
from tracker.i18n import _


@dataclass(frozen=True)
class HashParameters:
    """Argon2id's cost: memory in KiB, passes, lanes (settings ``PASSWORD_HASH_*``)."""

    memory_kib: int
    time_cost: int
    parallelism: int


# OWASP's Password Storage Cheat Sheet gives five Argon2id settings "with an equal level of
# defense", trading memory for passes: m=47104/t=1, 19456/2, 12288/3, 9216/4 and 7168/5 (KiB,
# passes, one lane). Measured on one core of the 2-core target machine (issue 18 §3): 70, 26,
# 22, 21 and 20 ms a verification; argon2-cffi's own default (64 MiB, 3 passes, 4 lanes) took
# about 0.2 s and both cores, so a burst of logins queued behind each other. The default is
# the middle one, 12 MiB and 3 passes: a fifth faster than 19 MiB/2 for the same defence, and
# still twelve megabytes an attacker must pay per guess. Raise it with the hardware; hashes
# made with other parameters still verify and are rehashed at the next login (``needs_rehash``).
OWASP = HashParameters(memory_kib=12288, time_cost=3, parallelism=1)
MIN_MEMORY_KIB = 8  # argon2's floor is 8 KiB per lane; settings below it are refused


def _build(parameters: HashParameters) -> PasswordHasher:
    return PasswordHasher(
        time_cost=parameters.time_cost,
        memory_cost=parameters.memory_kib,
        parallelism=parameters.parallelism,
    )


_configured = OWASP
_hasher = _build(OWASP)


def configure(parameters: HashParameters) -> None:
    """Hash with ``parameters`` from now on in this process (``create_app`` passes the
    settings'). Nothing changes when they are the ones already in use."""
    global _configured, _hasher
    if parameters == _configured:
        return
    if (
        parameters.memory_kib < MIN_MEMORY_KIB * parameters.parallelism
        or min(parameters.time_cost, parameters.parallelism) < 1
    ):
        raise ValueError(f"Argon2 parameters out of range: {parameters}")
    _configured, _hasher = parameters, _build(parameters)
    dummy_hash.cache_clear()


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
    "$argon2id$v=19$m=12288,t=3,p=1$nbpEVWjHGYZftPZtXlh6wA$"
    "+bMEpOeJo9cBQI1XrCbMz5o7RUte4QurBToAaDZjB0M"
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
