"""When a password may be checked: the throttle against guessing, as a pure function of counts.

The design, and why:

- **Per account and address.** A password is checked at most ``per_pair`` times (5) per window
  (15 minutes) for one account from one address; a success from that address starts its count
  again. Failures from one address cannot lock the account for anyone else, so an attacker who
  types five wrong passwords for ``admin`` locks out only himself.
- **Per address.** One address gets ``per_address`` (20) failures per window over all accounts:
  spraying one password over many accounts stops there. It is never reset by a success (one
  account of one's own would otherwise reset it at will).
- **Per account, from every address.** Once an account has ``per_account`` (10) failures in the
  window from all addresses together, it is under attack: an address that already failed on it
  gets no further check, and an address with no failure on it still gets one. A distributed
  attacker thus gets one guess per address instead of five, and the owner, typing from his own
  clean address, still gets in with the right password.
- **No global lock or delay per account.** Anything that limits an account for everyone can be
  used up by an attacker to keep the owner out: exactly the lockout this design avoids.
- **Counted before checked.** Every check is counted (as a failure until it succeeds) before the
  password is verified, under a lock on the account and the address, so parallel attempts see
  each other and cannot run more checks than the limit (``tracker.auth.attempts``).

Refusal by the throttle is quick and depends only on the counts of the name typed, never on
whether the account exists; a password that is checked costs one Argon2 verification whether the
account exists or not (``passwords.dummy_hash``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Policy:
    per_pair: int = 5
    per_address: int = 20
    per_account: int = 10
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Counts:
    """Failed (or unfinished) password checks within the window."""

    pair: int  # of this account from this address, since its last success from there
    address: int  # from this address, on any account
    account: int  # of this account, from any address


class Refusal(enum.Enum):
    ADDRESS = "address"  # this address failed too often, on any accounts
    PAIR = "pair"  # this address failed too often on this account
    ACCOUNT = "account"  # the account is under attack and this address already failed on it


def decide(counts: Counts, policy: Policy) -> Refusal | None:
    """Why the next check must be refused, or None when it may go ahead."""
    if counts.address >= policy.per_address:
        return Refusal.ADDRESS
    if counts.pair >= policy.per_pair:
        return Refusal.PAIR
    if counts.account >= policy.per_account and counts.pair > 0:
        return Refusal.ACCOUNT
    return None
