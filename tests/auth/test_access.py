"""Scope rules as pure predicates: every role against own unit, sibling, child, other agency."""

from __future__ import annotations

import pytest

from tracker.auth.access import (
    Grant,
    UnitRef,
    can_view_agency,
    can_view_unit,
    editable_areas,
    roles_for_unit,
    scope_of,
)
from tracker.auth.roles import Role

POLDA = UnitRef(id=10, agency_id=1, path="/10/")
POLRES = UnitRef(id=11, agency_id=1, path="/10/11/")
SIBLING = UnitRef(id=12, agency_id=1, path="/10/12/")
OTHER_AGENCY = UnitRef(id=20, agency_id=2, path="/20/")

GRANTS = {
    "admin": Grant(Role.ADMIN),
    "tpn": Grant(Role.TPN),
    "tpi": Grant(Role.TPI, agency_id=1),
    "pimpinan": Grant(Role.PIMPINAN, agency_id=1),
    "koordinator": Grant(Role.KOORDINATOR, agency_id=1, unit_id=11, unit_path="/10/11/"),
    "pokja": Grant(
        Role.ANGGOTA_POKJA, agency_id=1, unit_id=11, unit_path="/10/11/", areas=frozenset({5, 6})
    ),
    "penilai": Grant(Role.PENILAI_PENDAHULUAN, agency_id=1, unit_id=10, unit_path="/10/"),
}

# role -> (own unit POLRES, sibling, parent POLDA, other agency)
EXPECTED = {
    "admin": (True, True, True, True),
    "tpn": (True, True, True, True),
    "tpi": (True, True, True, False),
    "pimpinan": (True, True, True, False),
    "koordinator": (True, False, False, False),
    "pokja": (True, False, False, False),
    "penilai": (True, True, True, False),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_role_sees_exactly_its_scope(name: str) -> None:
    grant = [GRANTS[name]]
    seen = tuple(can_view_unit(grant, u) for u in (POLRES, SIBLING, POLDA, OTHER_AGENCY))
    assert seen == EXPECTED[name]


def test_agency_pages_need_an_agency_or_global_role() -> None:
    assert can_view_agency([GRANTS["tpi"]], 1)
    assert not can_view_agency([GRANTS["tpi"]], 2)
    assert not can_view_agency([GRANTS["koordinator"]], 1)
    assert can_view_agency([GRANTS["tpn"]], 2)


def test_several_roles_add_up() -> None:
    grants = [GRANTS["koordinator"], Grant(Role.TPI, agency_id=2)]
    assert roles_for_unit(grants, POLRES) == {Role.KOORDINATOR}
    assert roles_for_unit(grants, OTHER_AGENCY) == {Role.TPI}
    assert not can_view_unit(grants, SIBLING)


def test_working_group_edits_only_its_areas() -> None:
    assert editable_areas([GRANTS["pokja"]], POLRES) == {5, 6}
    assert editable_areas([GRANTS["koordinator"]], POLRES) == set(range(1, 7))
    assert editable_areas([GRANTS["pokja"]], SIBLING) == set()
    assert editable_areas([GRANTS["tpi"]], POLRES) == set()


def test_scope_for_queries() -> None:
    scope = scope_of([GRANTS["koordinator"], GRANTS["penilai"], Grant(Role.PIMPINAN, agency_id=2)])
    assert not scope.everything
    assert scope.unit_ids == {11}
    assert scope.subtree_paths == {"/10/"}
    assert scope.agency_ids == {2}
    assert scope_of([GRANTS["tpn"]]).everything
    assert scope_of([]).empty
