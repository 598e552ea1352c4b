"""Demo step: past designations and their certificates, so the registry and the verification
pages show real content on a fresh ``make run``.

The story the product was born from: Polres Metro Bekasi Kota, Menuju WBK 2018 and Menuju WBBM
2019, recognised by the Ombudsman for its services (zona hijau, issue 17 §4); then a few more
units across agencies, one of them revoked. Decree numbers, the signatory
and the revocation are illustrative demo data, not real records. These are historical
designations (no enrolment in the tracker), so their snapshot hash is that of a small canonical
record of the designation itself. Units that the open-cycle story (``story.py``) enrols are left
out, so the two stories do not contradict each other, except Polres Metro Jakarta Selatan: its
Menuju WBK 2021 is what its WBBM proposal in the open cycle rests on (D9, D15). Idempotent like
every demo step.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.accreditation.clearance_rules import OmbudsmanZone
from tracker.accreditation.models import Designation, Predicate
from tracker.accreditation.oversight_models import OmbudsmanResult
from tracker.agencies import services as agencies
from tracker.certificates import services as certificates
from tracker.certificates.models import Certificate

if TYPE_CHECKING:
    from tracker.demo.seed import SeedReport

DEMO_SIGNATORY = "Dr. Andi Pratama, M.Si."  # fictional


@dataclass(frozen=True)
class PastDesignation:
    agency: str  # agency code
    unit: str  # unit code
    predicate: Predicate
    year: int
    decree_date: date
    revoked_on: date | None = None
    revocation_reason: str | None = None

    @property
    def decree_number(self) -> str:
        return f"DEMO-{self.decree_date:%m}/{self.year}/{self.predicate.value}"

    @property
    def snapshot_sha256(self) -> str:
        record = {
            "historical": True,
            "unit": self.unit,
            "predicate": self.predicate.value,
            "year": self.year,
            "decree": self.decree_number,
        }
        text = json.dumps(record, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


# Award ceremonies were held around Anti-Corruption Day (domain reference §4.2).
CEREMONY = {
    2018: date(2018, 12, 10),
    2019: date(2019, 12, 10),
    2020: date(2020, 12, 21),
    2021: date(2021, 12, 20),
}
WBK, WBBM = Predicate.WBK, Predicate.WBBM
HISTORY = (
    PastDesignation("polri", "polres-metro-bekasi-kota", WBK, 2018, CEREMONY[2018]),
    PastDesignation("polri", "polres-metro-bekasi-kota", WBBM, 2019, CEREMONY[2019]),
    # The active WBK that the open cycle's WBBM proposal (``proposals.py``) builds on.
    PastDesignation("polri", "polres-metro-jakarta-selatan", WBK, 2021, CEREMONY[2021]),
    PastDesignation("kemenkeu", "kanwil-djpb-dki", WBK, 2020, CEREMONY[2020]),
    PastDesignation("kemenkeu", "kppn-jakarta-2", WBK, 2019, CEREMONY[2019]),
    PastDesignation("kemenkeu", "kppn-jakarta-2", WBBM, 2021, CEREMONY[2021]),
    PastDesignation("kemenkeu", "kppn-bekasi", WBK, 2021, CEREMONY[2021]),
    PastDesignation(
        "kemenkeu",
        "kppn-jakarta-3",
        WBK,
        2020,
        CEREMONY[2020],
        revoked_on=date(2022, 6, 30),
        revocation_reason="Contoh data demo (fiktif): hasil pemantauan TPN menyatakan unit "
        "tidak lagi memenuhi kriteria Zona Integritas.",
    ),
    PastDesignation("pemkot-bekasi", "dpmptsp", WBK, 2020, CEREMONY[2020]),
    PastDesignation("pemkot-bekasi", "rsud-chasbullah", WBK, 2021, CEREMONY[2021]),
)


def seed_history(session: Session, report: SeedReport) -> None:
    """Add the missing past designations, each with its issued certificate."""
    if certificates.current_signatory(session) is None:
        certificates.set_signatory(session, user=None, name=DEMO_SIGNATORY)
        report.add("penandatangan piagam")
    for past in HISTORY:
        designation = _designation(session, past, report)
        if designation is None:
            continue
        has_certificate = select(Certificate.id).where(Certificate.designation_id == designation.id)
        if session.scalar(has_certificate) is None:
            certificate = certificates.issue_for_designation(
                session, designation=designation, user=None, issued_on=past.decree_date
            )
            report.add(f"piagam {certificate.number}")
    for agency_code, unit_code, year, zone, score in OMBUDSMAN:
        _ombudsman(session, agency_code, unit_code, year, zone, score, report)


# Issue 17 §4: the Ombudsman's recognition of Polres Metro Bekasi Kota's SIM, SKCK and SPKT
# services, the news item the product was born from (zone and score are illustrative).
OMBUDSMAN = (
    ("polri", "polres-metro-bekasi-kota", 2019, OmbudsmanZone.HIJAU, Decimal("92.35")),
    ("polri", "polres-metro-bekasi-kota", 2021, OmbudsmanZone.HIJAU, Decimal("94.10")),
)


def _ombudsman(
    session: Session,
    agency_code: str,
    unit_code: str,
    year: int,
    zone: OmbudsmanZone,
    score: Decimal,
    report: SeedReport,
) -> None:
    agency = agencies.find_agency(session, agency_code)
    unit = agencies.find_unit(session, agency, unit_code) if agency else None
    if unit is None:
        return
    found = select(OmbudsmanResult.id).where(
        OmbudsmanResult.unit_id == unit.id, OmbudsmanResult.year == year
    )
    if session.scalar(found) is not None:
        return
    session.add(
        OmbudsmanResult(
            unit_id=unit.id, agency_id=unit.agency_id, year=year, zone=zone, score=score
        )
    )
    session.flush()
    report.add(f"penilaian Ombudsman {unit.name} {year}")


def _designation(session: Session, past: PastDesignation, report: SeedReport):
    agency = agencies.find_agency(session, past.agency)
    unit = agencies.find_unit(session, agency, past.unit) if agency else None
    if unit is None:
        return None
    found = session.scalar(
        select(Designation).where(
            Designation.unit_id == unit.id,
            Designation.predicate == past.predicate,
            Designation.year == past.year,
        )
    )
    if found is not None:
        return found
    designation = Designation(
        unit_id=unit.id,
        agency_id=unit.agency_id,
        predicate=past.predicate,
        year=past.year,
        decree_number=past.decree_number,
        decree_date=past.decree_date,
        snapshot_sha256=past.snapshot_sha256,
        revoked_on=past.revoked_on,
        revocation_reason=past.revocation_reason,
    )
    session.add(designation)
    session.flush()
    report.add(f"penetapan {unit.name} Menuju {past.predicate.value} {past.year}")
    return designation
