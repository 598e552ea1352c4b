"""Roles and what organisation each one is scoped to. Pure: no Flask, no database."""

from __future__ import annotations

import enum

from tracker.i18n import N_


class Role(enum.StrEnum):
    ADMIN = "admin"
    KOORDINATOR = "koordinator"
    ANGGOTA_POKJA = "anggota_pokja"
    PENILAI_PENDAHULUAN = "penilai_pendahuluan"
    TPI = "tpi"
    TPN = "tpn"
    PIMPINAN = "pimpinan"


class ScopeKind(enum.StrEnum):
    GLOBAL = "global"  # the whole system (admin, national assessor)
    AGENCY = "agency"  # one instansi and all its units
    UNIT = "unit"  # one unit (coordinator, working group)
    SUBTREE = "subtree"  # a parent unit and every unit below it (preliminary assessor)


SCOPE_OF: dict[Role, ScopeKind] = {
    Role.ADMIN: ScopeKind.GLOBAL,
    Role.TPN: ScopeKind.GLOBAL,
    Role.TPI: ScopeKind.AGENCY,
    Role.PIMPINAN: ScopeKind.AGENCY,
    Role.KOORDINATOR: ScopeKind.UNIT,
    Role.ANGGOTA_POKJA: ScopeKind.UNIT,
    Role.PENILAI_PENDAHULUAN: ScopeKind.SUBTREE,
}

ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: N_("Administrator"),
    Role.KOORDINATOR: N_("Koordinator unit"),
    Role.ANGGOTA_POKJA: N_("Anggota pokja"),
    Role.PENILAI_PENDAHULUAN: N_("Penilai pendahuluan"),
    Role.TPI: N_("TPI (Tim Penilai Internal)"),
    Role.TPN: N_("TPN (Tim Penilai Nasional)"),
    Role.PIMPINAN: N_("Pimpinan instansi"),
}

AREA_NUMBERS = frozenset(range(1, 7))
