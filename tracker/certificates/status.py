"""A certificate's standing as shown to the public, and who may print certificates. Pure.

The status is derived when read, never stored: revocation lives on the designation
(``Designation.revoked_on``) and replacement on the newer certificate (``replaces_id``), so there
is no second copy of either fact to fall out of step.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date

from tracker.auth.access import Grant, Scope, can_view_agency, scope_of
from tracker.auth.roles import Role
from tracker.i18n import N_


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REPLACED = "replaced"
    REVOKED = "revoked"


STATUS_LABELS = {
    CertificateStatus.VALID: N_("Sah dan berlaku"),
    CertificateStatus.REPLACED: N_("Sudah diganti"),
    CertificateStatus.REVOKED: N_("Dicabut"),
}
STATUS_BADGES = {
    CertificateStatus.VALID: "ok",
    CertificateStatus.REPLACED: "warn",
    CertificateStatus.REVOKED: "bad",
}


# D12: the predicate stays Indonesian; the English catalogue adds a gloss after it.
PREDICATE_LONG_LABELS = {
    "WBK": N_("Wilayah Bebas dari Korupsi"),
    "WBBM": N_("Wilayah Birokrasi Bersih dan Melayani"),
}


def status_of(*, revoked_on: date | None, replaced: bool) -> CertificateStatus:
    """Revoked beats replaced beats valid: a revoked designation voids every certificate of it."""
    if revoked_on is not None:
        return CertificateStatus.REVOKED
    return CertificateStatus.REPLACED if replaced else CertificateStatus.VALID


# Leadership prints for its own agency; the national team and administrators for everyone.
PRINT_ROLES = frozenset({Role.PIMPINAN, Role.TPN, Role.ADMIN})
# Correcting a certificate (reissuing it) is for those who designate and administer.
REISSUE_ROLES = frozenset({Role.TPN, Role.ADMIN})


def print_grants(grants: Iterable[Grant]) -> list[Grant]:
    """Only the grants that give access to certificates: a TPI grant for another agency must not
    widen what a pimpinan may print."""
    return [grant for grant in grants if grant.role in PRINT_ROLES]


def print_scope(grants: Iterable[Grant]) -> Scope:
    """The agencies whose certificates the user may see and print (``everything`` for global)."""
    return scope_of(print_grants(grants))


def can_print(grants: Iterable[Grant], agency_id: int) -> bool:
    return can_view_agency(print_grants(grants), agency_id)


def can_reissue(grants: Iterable[Grant]) -> bool:
    return any(grant.role in REISSUE_ROLES for grant in grants)
