"""Password checks, counted so that parallel attempts cannot run more of them than the throttle
allows (the rule is ``tracker.auth.throttle``).

A check goes in three steps, and the caller commits after the first and the last:

1. ``reserve``: under a lock on the account name and on the address, count the earlier checks,
   ask the throttle, and insert this attempt as *unfinished*, which counts as a failure. The lock
   makes the count and the insert one step: an attempt arriving meanwhile waits, then sees it.
   The caller commits at once, which releases the lock.
2. The password is verified with Argon2 (slow on purpose) holding no lock and no transaction,
   so parallel logins of different people do not queue behind each other (on SQLite not even
   the database's write lock is held meanwhile).
3. ``settle`` records whether it succeeded.

The lock: on PostgreSQL a transaction-scoped advisory lock per name, released at commit; under
the default READ COMMITTED each count that follows it sees every attempt committed before. On
SQLite a transaction that may write begins ``IMMEDIATE`` (``tracker.db``) and so already holds
the database's single write lock from its first statement: the count and the insert cannot
interleave with another attempt's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from tracker.auth import passwords, throttle
from tracker.auth.models import LoginAttempt, User
from tracker.db import utcnow
from tracker.errors import DomainError
from tracker.i18n import _

MAX_NAME = 80  # LoginAttempt.username
MAX_ADDRESS = 64  # LoginAttempt.ip


class LoginThrottledError(DomainError):
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds, for the Retry-After header


@dataclass(frozen=True)
class Reservation:
    """A counted check that may go ahead: which attempt row, and what to verify against (the
    account's hash as it was when counted, or the dummy hash for a name with no account)."""

    attempt_id: int
    username: str
    user_id: int | None
    password_hash: str


def reserve(session: Session, username: str, *, ip: str, policy: throttle.Policy) -> Reservation:
    """Count one check of ``username``'s password from ``ip``, or raise LoginThrottledError.
    The caller commits before verifying the password (see the module's docstring)."""
    username, ip = username[:MAX_NAME], ip[:MAX_ADDRESS]
    _lock(session, f"login:account:{username}", f"login:address:{ip}")
    refusal = throttle.decide(_counts(session, username, ip, utcnow() - policy.window), policy)
    if refusal is not None:
        minutes = int(policy.window.total_seconds() // 60)
        raise LoginThrottledError(
            _(
                "Terlalu banyak percobaan kata sandi yang gagal. Coba lagi dalam %(minutes)s "
                "menit.",
                minutes=minutes,
            ),
            retry_after=int(policy.window.total_seconds()),
        )
    attempt = LoginAttempt(username=username, ip=ip, succeeded=None)
    session.add(attempt)
    session.flush()
    # Two columns, not the account: the same one query whether or not the name exists.
    found = session.execute(_account(), {"username": username}).first()
    return Reservation(
        attempt_id=attempt.id,
        username=username,
        user_id=found.id if found is not None else None,
        password_hash=found.password_hash if found is not None else passwords.dummy_hash(),
    )


def password_matches(reservation: Reservation, password: str) -> bool:
    """The slow check, run outside any transaction. Always one Argon2 verification, so that an
    unknown name is refused as slowly as a wrong password; a name with no account never
    matches, whatever the dummy hash would say."""
    matches = passwords.verify_password(reservation.password_hash, password)
    return matches and reservation.user_id is not None


def settle(session: Session, reservation: Reservation, *, succeeded: bool) -> None:
    """Record the outcome of a reserved check."""
    session.execute(
        update(LoginAttempt)
        .where(LoginAttempt.id == reservation.attempt_id)
        .values(succeeded=succeeded)
        .execution_options(synchronize_session=False)
    )
    session.flush()


def _counts(session: Session, username: str, ip: str, since: datetime) -> throttle.Counts:
    """The three counts of failed checks since ``since``, in one statement (a login is on every
    user's way in: issue 18 §3). The pair's count starts after its last success."""
    params = {"username": username, "ip": ip, "since": since}
    pair, address, account = session.execute(_failures(), params).one()
    return throttle.Counts(pair=pair or 0, address=address or 0, account=account or 0)


@cache
def _failures() -> Select[int, int, int]:
    """``_counts``' statement, built once (building it cost a fifth of the sign-in's SQL)."""
    failed = or_(LoginAttempt.succeeded.is_(False), LoginAttempt.succeeded.is_(None))
    recent = LoginAttempt.at >= bindparam("since", type_=LoginAttempt.at.type)
    same_name = LoginAttempt.username == bindparam("username")
    same_address = LoginAttempt.ip == bindparam("ip")
    last_success = (
        select(func.max(LoginAttempt.at))
        .where(same_name, same_address, LoginAttempt.succeeded.is_(True), recent)
        .scalar_subquery()
    )

    def failures(*where: ColumnElement[bool]) -> ColumnElement[int]:
        return func.count().filter(and_(failed, *where))

    return select(
        failures(
            same_name, same_address, or_(last_success.is_(None), LoginAttempt.at > last_success)
        ),
        failures(same_address),
        failures(same_name),
    ).where(recent, or_(same_name, same_address))


@cache
def _account() -> Select[int, str]:
    return select(User.id, User.password_hash).where(User.username == bindparam("username"))


def _lock(session: Session, *names: str) -> None:
    """Hold a lock on each name until the transaction ends (see the module's docstring)."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the transaction already holds the database's write lock
    # One statement, its locks taken left to right in one order for everyone (sorted): no two
    # attempts wait on each other, and a sign-in makes one round trip for them, not two.
    keys = [hashlib.sha256(name.encode("utf-8")).digest()[:8] for name in sorted(names)]
    session.execute(
        select(*(func.pg_advisory_xact_lock(int.from_bytes(k, "big", signed=True)) for k in keys))
    )
