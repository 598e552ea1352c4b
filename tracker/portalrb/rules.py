"""PortalRB's rules, pure (no Flask, no SQLAlchemy): which enrolments PortalRB sees, when it may
pull, what a token looks like and when it counts, and who manages an agency's tokens."""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from tracker.accreditation.predicates import Predicate
from tracker.accreditation.workflow import Stage
from tracker.auth.access import Grant
from tracker.auth.roles import Role

# A proposal PortalRB lists: proposed, and still before TPN's verdict (its evaluation runs in
# PortalRB). A unit rejected at the administrative selection without appeal, or decided, is
# no longer in PortalRB's queue.
PULLED_STAGES = frozenset(
    {
        Stage.PROPOSED,
        Stage.ADMIN_CONDITIONAL,
        Stage.APPEAL,
        Stage.DESK_EVALUATION,
        Stage.FIELD_EVALUATION,
    }
)

TOKEN_PREFIX = "zit_"  # noqa: S105 - a public prefix, recognisable in logs and secret scanners
SHOWN_PREFIX_LENGTH = 8  # "zit_" and four characters of the secret: enough to tell tokens apart
MAX_NAME_LENGTH = 200

# Who manages an agency's PortalRB tokens: the system administrator, and the agency's head
# (pimpinan), who proposes its units; the tracker has no separate agency-administrator role.
MANAGING_ROLES = frozenset({Role.ADMIN, Role.PIMPINAN})


def proposal_open(*, cycle_open: bool, today: date, deadline: date | None) -> bool:
    """PortalRB fetches only during the proposal period: while the cycle is open and until the
    agency's proposal deadline (extensions counted) has passed. No deadline: closed."""
    return cycle_open and deadline is not None and today <= deadline


@dataclass(frozen=True)
class Category:
    kategori: str
    afirmasi: bool


def category(target: Predicate, *, afirmasi: bool = False) -> Category:
    """PortalRB's ``kategori`` and ``afirmasi`` of a proposal. The tracker records no afirmasi
    status (the guide does not say what qualifies a unit), so callers pass False today."""
    if target is Predicate.WBBM:
        return Category("WBBM", False)
    return Category("WBK-AFIRMASI", True) if afirmasi else Category("WBK", False)


# --- tokens ----------------------------------------------------------------------------------


def new_token() -> str:
    """A fresh bearer token: the prefix and 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored and looked up: the SHA-256 of the token (never the token itself). A
    256-bit random secret needs no slow hash: nothing can be guessed from its digest."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def shown_prefix(token: str) -> str:
    return token[:SHOWN_PREFIX_LENGTH]


def looks_like_token(value: str) -> bool:
    """Only strings that could be one of our tokens are looked up (bounded, no odd bytes)."""
    return (
        value.startswith(TOKEN_PREFIX)
        and 16 <= len(value) <= 100
        and value.isascii()
        and all(char.isalnum() or char in "-_" for char in value)
    )


class TokenState(enum.StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


def token_state(*, revoked_at: datetime | None, expires_on: date | None, today: date) -> TokenState:
    """A token counts until it is revoked, and through its expiry date (a Jakarta date)."""
    if revoked_at is not None:
        return TokenState.REVOKED
    if expires_on is not None and today > expires_on:
        return TokenState.EXPIRED
    return TokenState.ACTIVE


def may_manage_tokens(grants: Iterable[Grant], agency_id: int) -> bool:
    """The system administrator for every agency; the agency's pimpinan for their own."""
    return any(
        g.role is Role.ADMIN or (g.role in MANAGING_ROLES and g.agency_id == agency_id)
        for g in grants
    )


def parse_unit_id(raw: str) -> int | None:
    """A unit id in the path: ASCII digits only, within the database's id range."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        return None
    value = int(raw)
    return value if 0 < value <= 2**31 - 1 else None
