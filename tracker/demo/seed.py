"""Idempotent demo data: agencies, units and accounts (all with the password ``zona-integritas``).

Each step looks for what it would create and only adds what is missing, so running the seed
again neither fails nor duplicates anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.agencies import services as agencies
from tracker.agencies.models import Agency, AgencyKind, Unit
from tracker.auth import services as auth
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.errors import DomainError

DEMO_PASSWORD = "zona-integritas"  # noqa: S105 - published demo password, refused in production


class DemoRefusedError(DomainError):
    pass


# (code, name, short name, kind, units as (code, name, kind, parent code or None))
AGENCIES = [
    (
        "polri",
        "Kepolisian Negara Republik Indonesia",
        "Polri",
        AgencyKind.LEMBAGA,
        [
            ("polda-metro-jaya", "Polda Metro Jaya", "Polda", None),
            ("polres-metro-bekasi-kota", "Polres Metro Bekasi Kota", "Polres", "polda-metro-jaya"),
            ("polres-metro-bekasi", "Polres Metro Bekasi", "Polres", "polda-metro-jaya"),
            ("polres-metro-depok", "Polres Metro Depok", "Polres", "polda-metro-jaya"),
            (
                "polres-metro-tangerang-kota",
                "Polres Metro Tangerang Kota",
                "Polres",
                "polda-metro-jaya",
            ),
            (
                "polres-metro-jakarta-selatan",
                "Polres Metro Jakarta Selatan",
                "Polres",
                "polda-metro-jaya",
            ),
        ],
    ),
    (
        "kemenkeu",
        "Kementerian Keuangan",
        "Kemenkeu",
        AgencyKind.KEMENTERIAN,
        [
            ("djpb", "Direktorat Jenderal Perbendaharaan", "Eselon I", None),
            ("kanwil-djpb-dki", "Kanwil DJPb Provinsi DKI Jakarta", "Kantor Wilayah", "djpb"),
            ("kppn-jakarta-1", "KPPN Jakarta I", "KPPN", "kanwil-djpb-dki"),
            ("kppn-jakarta-2", "KPPN Jakarta II", "KPPN", "kanwil-djpb-dki"),
            ("kppn-jakarta-3", "KPPN Jakarta III", "KPPN", "kanwil-djpb-dki"),
            ("kanwil-djpb-jabar", "Kanwil DJPb Provinsi Jawa Barat", "Kantor Wilayah", "djpb"),
            ("kppn-bekasi", "KPPN Bekasi", "KPPN", "kanwil-djpb-jabar"),
        ],
    ),
    (
        "pemkot-bekasi",
        "Pemerintah Kota Bekasi",
        "Pemkot Bekasi",
        AgencyKind.PEMDA,
        [
            ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "Dinas", None),
            ("dpmptsp", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "Dinas", None),
            ("dinkes", "Dinas Kesehatan", "Dinas", None),
            ("rsud-chasbullah", "RSUD dr. Chasbullah Abdulmadjid", "RSUD", "dinkes"),
        ],
    ),
]


# Agency short names and unit names by code, for printing the demo accounts.
_NAMES = {code: short for code, _name, short, _kind, _units in AGENCIES} | {
    unit_code: unit_name
    for *_agency, units in AGENCIES
    for unit_code, unit_name, _unit_kind, _parent in units
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: Role
    agency: str | None = None  # agency code for agency-scoped roles and to find units
    unit: str | None = None  # unit code for unit-scoped roles
    areas: tuple[int, ...] | None = None
    lead: bool = False  # issue 15 §4: leads the reviewers of their tier in their scope

    def describe(self) -> str:
        where = _NAMES.get(self.unit or self.agency or "", "nasional")
        areas = f", area {', '.join(map(str, self.areas))}" if self.areas else ""
        lead = ", ketua" if self.lead else ""
        return f"{self.role.value} ({where}{areas}{lead})"


ACCOUNTS = [
    DemoAccount("admin", "Administrator Sistem", Role.ADMIN),
    DemoAccount(
        "koordinator.bekasikota",
        "Rina Wulandari (Koordinator ZI)",
        Role.KOORDINATOR,
        "polri",
        "polres-metro-bekasi-kota",
    ),
    DemoAccount(
        "pokja.bekasikota",
        "Dedi Kurniawan (Pokja Pengawasan & Pelayanan)",
        Role.ANGGOTA_POKJA,
        "polri",
        "polres-metro-bekasi-kota",
        (5, 6),
    ),
    DemoAccount(
        "penilai.poldametro",
        "Hendra Saputra (Penilai Polda Metro Jaya)",
        Role.PENILAI_PENDAHULUAN,
        "polri",
        "polda-metro-jaya",
        lead=True,
    ),
    DemoAccount("tpi.polri", "Sri Rahayu (TPI Itwasum Polri)", Role.TPI, "polri", lead=True),
    DemoAccount("tpi2.polri", "Andi Wijaya (TPI Itwasum Polri)", Role.TPI, "polri"),
    DemoAccount("tpn", "Bambang Prasetyo (TPN KemenPANRB)", Role.TPN),
    DemoAccount("pimpinan.polri", "Pimpinan Polri", Role.PIMPINAN, "polri"),
    DemoAccount(
        "koordinator.metrobekasi",
        "Yudi Pratama (Koordinator ZI Polres Metro Bekasi)",
        Role.KOORDINATOR,
        "polri",
        "polres-metro-bekasi",
    ),
    DemoAccount(
        "koordinator.depok",
        "Maya Sari (Koordinator ZI Polres Metro Depok)",
        Role.KOORDINATOR,
        "polri",
        "polres-metro-depok",
    ),
    DemoAccount(
        "koordinator.tangerangkota",
        "Rudi Hartono (Koordinator ZI Polres Metro Tangerang Kota)",
        Role.KOORDINATOR,
        "polri",
        "polres-metro-tangerang-kota",
    ),
    DemoAccount(
        "koordinator.jaksel",
        "Lina Marlina (Koordinator ZI Polres Metro Jakarta Selatan)",
        Role.KOORDINATOR,
        "polri",
        "polres-metro-jakarta-selatan",
    ),
    DemoAccount(
        "koordinator.kppnjakarta1",
        "Ayu Lestari (Koordinator ZI KPPN Jakarta I)",
        Role.KOORDINATOR,
        "kemenkeu",
        "kppn-jakarta-1",
    ),
    DemoAccount("tpi.kemenkeu", "Yusuf Hidayat (TPI Itjen Kemenkeu)", Role.TPI, "kemenkeu"),
    DemoAccount("pimpinan.kemenkeu", "Pimpinan Kemenkeu", Role.PIMPINAN, "kemenkeu"),
    DemoAccount(
        "koordinator.disdukcapil",
        "Fitri Handayani (Koordinator ZI Disdukcapil)",
        Role.KOORDINATOR,
        "pemkot-bekasi",
        "disdukcapil",
    ),
    DemoAccount(
        "tpi.kotabekasi", "Agus Setiawan (TPI Inspektorat Kota Bekasi)", Role.TPI, "pemkot-bekasi"
    ),
    DemoAccount("pimpinan.kotabekasi", "Pimpinan Pemkot Bekasi", Role.PIMPINAN, "pemkot-bekasi"),
]


@dataclass
class SeedReport:
    created: list[str]

    def add(self, what: str) -> None:
        self.created.append(what)


def seed(session: Session, *, production: bool) -> SeedReport:
    """Add whatever demo data is missing. Raises DemoRefusedError in production."""
    if production:
        raise DemoRefusedError("Data demo tidak boleh dimuat saat TRACKER_ENV=production.")
    report = SeedReport([])
    from tracker.demo.aftercare import seed_aftercare
    from tracker.demo.history import seed_history
    from tracker.demo.story import seed_cycle

    steps = (seed_organisations, seed_accounts, seed_history, seed_cycle, seed_aftercare)
    for step in steps:
        step(session, report)
    return report


def seed_organisations(session: Session, report: SeedReport) -> None:
    for code, name, short, kind, units in AGENCIES:
        agency = agencies.find_agency(session, code)
        if agency is None:
            agency = agencies.create_agency(
                session, user=None, name=name, short_name=short, kind=kind, code=code
            )
            report.add(f"instansi {short}")
        for unit_code, unit_name, unit_kind, parent_code in units:
            if agencies.find_unit(session, agency, unit_code) is None:
                parent = agencies.find_unit(session, agency, parent_code) if parent_code else None
                agencies.create_unit(
                    session,
                    user=None,
                    agency=agency,
                    name=unit_name,
                    kind=unit_kind,
                    parent=parent,
                    code=unit_code,
                )
                report.add(f"unit {unit_name}")


def seed_accounts(session: Session, report: SeedReport) -> None:
    for account in ACCOUNTS:
        if (existing := auth.find_user(session, account.username)) is not None:
            if account.lead:  # a database seeded before leads existed gains them
                for held in existing.grants:
                    if held.role is account.role:
                        auth.set_lead(session, by=None, grant=held, lead=True)
            continue
        user = auth.create_user(
            session,
            by=None,
            username=account.username,
            full_name=account.full_name,
            password=DEMO_PASSWORD,
        )
        agency, unit = _scope(session, account)
        grant = auth.grant_role(
            session,
            by=None,
            user=user,
            role=account.role,
            agency=None if unit else agency,
            unit=unit,
            areas=account.areas,
        )
        if account.lead:
            auth.set_lead(session, by=None, grant=grant, lead=True)
        report.add(f"akun {account.username}")


def _scope(session: Session, account: DemoAccount) -> tuple[Agency | None, Unit | None]:
    agency = agencies.find_agency(session, account.agency) if account.agency else None
    unit = agencies.find_unit(session, agency, account.unit) if agency and account.unit else None
    return agency, unit


def demo_user(session: Session, username: str) -> User | None:
    return auth.find_user(session, username)
