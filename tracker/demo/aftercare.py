"""Demo step: what follows a designation (issue 17 §2, §3), told for Polres Metro Bekasi Kota,
the unit the product was born from. A complaint about the SIM service that came in through
SP4N-LAPOR! and was followed up to resolution, and TPI's latest 2-yearly monitoring report on
its Menuju WBBM 2019 ("still meets", with its LKE score and letter). The complaint's text, the
report number and the letter's address are illustrative demo data. Everything goes through the
complaints services, so the history and the audit trail are real. Idempotent like every step.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import clock
from tracker.accreditation.designations import active_designation
from tracker.accreditation.models import MonitoringReport, MonitoringResult, Predicate
from tracker.agencies import services as agencies
from tracker.auth.models import User
from tracker.complaints import monitoring, services
from tracker.complaints.models import Complaint
from tracker.complaints.rules import Category, Channel, Status
from tracker.evidence.models import EvidenceFile, EvidencePurpose

if TYPE_CHECKING:
    from tracker.demo.seed import SeedReport

UNIT = ("polri", "polres-metro-bekasi-kota")
HANDLER = "tpi.polri"
LAPOR_REFERENCE = "LAPOR-DEMO-2026-0412"
COMPLAINT = (
    "Antrean ujian praktik SIM C di Satpas Polres Metro Bekasi Kota mengular sampai siang; "
    "nomor antrean daring tidak dipanggil sesuai urutan. (Contoh data demo, fiktif.)"
)
STEPS = (
    (Status.VERIFIED, "Diverifikasi dengan rekaman sistem antrean Satpas: keluhan benar."),
    (Status.CLARIFIED, "Klarifikasi dengan Kasat Lantas: dua loket ujian praktik tutup."),
    (Status.RESOLVED, "Loket ujian praktik dibuka penuh dan antrean daring dipanggil berurutan."),
)
LETTER_URL = "https://example.go.id/demo/polres-metro-bekasi-kota/pemantauan-wbbm.pdf"


def seed_aftercare(session: Session, report: SeedReport) -> None:
    agency = agencies.find_agency(session, UNIT[0])
    unit = agencies.find_unit(session, agency, UNIT[1]) if agency else None
    tpi = session.scalars(select(User).where(User.username == HANDLER)).first()
    if unit is None or tpi is None:
        return
    designation = active_designation(session, unit.id, Predicate.WBBM)
    if designation is None:
        return
    today = clock.today()
    if session.scalar(select(Complaint.id).where(Complaint.reference == LAPOR_REFERENCE)) is None:
        received = today - timedelta(days=40)
        complaint = services.record(
            session,
            user=tpi,
            unit=unit,
            category=Category.SERVICE_QUALITY,
            channel=Channel.LAPOR,
            reference=LAPOR_REFERENCE,
            description=COMPLAINT,
            contact="",
            received_on=received,
            today=received,
        )
        for days, (status, note) in zip((3, 10, 20), STEPS, strict=True):
            services.move(
                session,
                user=tpi,
                complaint=complaint,
                to=status,
                note=note,
                today=received + timedelta(days=days),
            )
        report.add(f"pengaduan SP4N-LAPOR! {unit.name} (selesai)")
    has_report = select(MonitoringReport.id).where(
        MonitoringReport.designation_id == designation.id
    )
    if session.scalar(has_report) is None:
        on = date(today.year, 1, 15) if today >= date(today.year, 1, 15) else today
        public_id = secrets.token_hex(16)
        letter = EvidenceFile(
            public_id=public_id,
            series=public_id,
            purpose=EvidencePurpose.MONITORING,
            original_name="Surat laporan pemantauan WBBM (contoh demo).pdf",
            link_url=LETTER_URL,
            uploaded_by_id=tpi.id,
            frozen=True,
        )
        session.add(letter)
        session.flush()
        monitoring.record_report(
            session,
            user=tpi,
            designation=designation,
            on=on,
            result=MonitoringResult.STILL_MEETS,
            lke_score=Decimal("88.42"),
            letter=letter,
            note="Layanan SIM, SKCK dan SPKT tetap memenuhi kriteria WBBM.",
            today=today,
        )
        report.add(f"laporan pemantauan {unit.name} (masih memenuhi)")
