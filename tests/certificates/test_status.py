"""Derived certificate status and who may print, as pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.auth.access import Grant
from tracker.auth.roles import Role
from tracker.certificates.status import (
    CertificateStatus,
    can_print,
    can_reissue,
    print_scope,
    status_of,
)


@pytest.mark.parametrize(
    "revoked_on, replaced, expected",
    [
        (None, False, CertificateStatus.VALID),
        (None, True, CertificateStatus.REPLACED),
        (date(2022, 6, 30), False, CertificateStatus.REVOKED),
        (date(2022, 6, 30), True, CertificateStatus.REVOKED),  # revocation wins
    ],
)
def test_status_precedence(revoked_on, replaced, expected) -> None:
    assert status_of(revoked_on=revoked_on, replaced=replaced) is expected


def test_pimpinan_prints_for_its_agency_only() -> None:
    grants = [Grant(Role.PIMPINAN, agency_id=1)]
    assert can_print(grants, 1)
    assert not can_print(grants, 2)
    scope = print_scope(grants)
    assert not scope.everything and scope.agency_ids == {1}


def test_other_roles_do_not_widen_what_a_pimpinan_prints() -> None:
    grants = [Grant(Role.PIMPINAN, agency_id=1), Grant(Role.TPI, agency_id=2)]
    assert not can_print(grants, 2)
    assert print_scope(grants).agency_ids == {1}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TPN])
def test_national_roles_print_everything(role: Role) -> None:
    assert can_print([Grant(role)], 42)
    assert print_scope([Grant(role)]).everything


@pytest.mark.parametrize("role", [Role.TPI, Role.KOORDINATOR, Role.ANGGOTA_POKJA])
def test_assessors_and_units_do_not_print(role: Role) -> None:
    grants = [Grant(role, agency_id=1, unit_id=1, unit_path="/1/")]
    assert not can_print(grants, 1)
    assert print_scope(grants).empty


def test_only_tpn_and_admin_reissue() -> None:
    assert can_reissue([Grant(Role.TPN)]) and can_reissue([Grant(Role.ADMIN)])
    assert not can_reissue([Grant(Role.PIMPINAN, agency_id=1)])
