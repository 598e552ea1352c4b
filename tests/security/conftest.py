"""A world every route can be asked about: an enrolment building its LKE, an uploaded file and a
link, a designation with its certificate (signatory, signature and emblem set), and people of
every kind around the Polres: its own roles, a sibling unit, another agency."""

from __future__ import annotations

import io
from datetime import date

import pytest

from tests.evidence.evidence_samples import pdf_bytes, png_bytes
from tests.world import World, world  # noqa: F401 - fixture
from tracker.accreditation.models import Designation, Predicate
from tracker.auth.roles import Role
from tracker.certificates import services as certificates
from tracker.certificates.document import Image
from tracker.evidence import services as evidence
from tracker.evidence.filetypes import DEFAULT_ALLOW_LIST
from tracker.evidence.models import EvidencePurpose
from tracker.evidence.services import UploadPolicy
from tracker.evidence.storage import LocalEvidenceStore
from tracker.notifications import services as notifications
from tracker.notifications.events import EventKind
from tracker.portalrb import tokens as portalrb_tokens


@pytest.fixture
def route_world(world: World, factory, session, settings):  # noqa: F811
    """(personas by name, values for every URL argument the app's routes take)."""
    e = world.building()
    evidence.add_link(
        session,
        user=world.koordinator,
        enrolment=e,
        target=evidence.Target(EvidencePurpose.ITEM, "A.I.1.i.a"),
        url="https://example.go.id/bukti",
        title="bukti",
    )
    upload = evidence.upload(
        session,
        LocalEvidenceStore(settings.evidence_dir),
        user=world.koordinator,
        enrolment=e,
        target=evidence.Target(EvidencePurpose.ITEM, "A.I.1.i.b"),
        stream=io.BytesIO(pdf_bytes("rute")),
        filename="sk.pdf",
        policy=UploadPolicy(10**7, DEFAULT_ALLOW_LIST),
    )
    prerequisite_file = evidence.upload(  # an agency-level prerequisite's proof (issue 14 §2)
        session,
        LocalEvidenceStore(settings.evidence_dir),
        user=world.pimpinan,
        enrolment=e,
        target=evidence.Target(EvidencePurpose.PREREQUISITE, document_key="agency-bpk-opinion"),
        stream=io.BytesIO(pdf_bytes("opini")),
        filename="opini.pdf",
        policy=UploadPolicy(10**7, DEFAULT_ALLOW_LIST),
    )
    designation = Designation(
        unit_id=world.polres.id,
        agency_id=world.agency.id,
        predicate=Predicate.WBK,
        year=2025,
        decree_number="77/2025",
        decree_date=date(2025, 12, 10),
        snapshot_sha256="a" * 64,
    )
    session.add(designation)
    picture = Image(png_bytes(), "image/png")
    certificates.set_signatory(session, user=world.admin, name="Menteri PANRB", signature=picture)
    certificates.set_agency_logo(session, user=world.admin, agency=world.agency, image=picture)
    certificate = certificates.issue_for_designation(
        session, designation=designation, user=world.admin
    )
    token = portalrb_tokens.create_token(
        session,
        user=world.admin,
        agency=world.agency,
        name="PortalRB",
        expires_on=None,
        today=world.cycle.self_assessment_start,
    )
    session.commit()
    other_agency = factory.agency("Instansi Lain")
    personas = {
        "admin": world.admin,
        "tpn": world.tpn,
        "tpi": world.tpi,
        "pimpinan": world.pimpinan,
        "penilai": world.penilai,
        "koordinator": world.koordinator,
        "pokja": world.pokja,
        "sibling": factory.user((Role.KOORDINATOR, world.sibling)),
        "tpi_other": factory.user((Role.TPI, other_agency)),
        "pimpinan_other": factory.user((Role.PIMPINAN, other_agency)),
    }
    values = {
        "enrolment_id": e.id,
        "unit_id": world.polres.id,
        "agency_id": world.agency.id,
        "user_id": world.koordinator.id,
        "grant_id": world.koordinator.grants[0].id,
        "cycle_id": world.cycle.id,
        "code": "A.I.1.i.a",
        "tier": "unit",
        "area": "1",
        "key": "team-decree-sk-tim-kerja-zi",
        "public_id": upload.public_id,
        "file_id": prerequisite_file.public_id,
        "number": certificate.number,
        "designation_id": designation.id,
        "filename": "css/app.css",
        "lang": "en",
        "token_id": token.row.id,
        "notification_id": _notification_for(session, world.koordinator),
        # Issue 17 §2, §3: a complaint about the Polres and a verification of its predicate.
        **_complaint_and_task(session, world, designation, settings),
        "kind": "csv",  # issue 16 §6: a download's format
        # Issue 17 §1, §4: a clearance request of the enrolment and an Ombudsman result.
        **_clearance_and_ombudsman(session, world, e),
        # Issue 16 §5: a document frozen at a step (its PDF stored) and its signed scan.
        **_process_documents(session, world, e, settings),
    }
    return personas, values


def _notification_for(session, user) -> int:
    """One of the coordinator's notifications (issue 15 §2): only they may open it."""
    [row] = notifications.notify(
        session,
        event=EventKind.DESIGNATED,
        recipients=[user],
        subject_params={"unit": "Polres Uji"},
        link="/",
        dedupe_key="access-matrix",
    )
    session.commit()
    return row.id


def _clearance_and_ombudsman(session, w: World, e) -> dict[str, int]:
    """TPN's request to KPK about the enrolment, and the Polres's Ombudsman result."""
    from decimal import Decimal

    from tracker.accreditation.clearance_rules import OmbudsmanZone
    from tracker.accreditation.oversight_models import ClearanceRequest, OmbudsmanResult

    request = ClearanceRequest(
        enrolment_id=e.id, overseer="KPK", asked_on=date(2026, 3, 1), asked_by_id=w.tpn.id
    )
    result = OmbudsmanResult(
        unit_id=w.polres.id,
        agency_id=w.agency.id,
        year=2025,
        zone=OmbudsmanZone.HIJAU,
        score=Decimal("90.5"),
    )
    session.add_all([request, result])
    session.commit()
    return {"request_id": request.id, "result_id": result.id}


def _complaint_and_task(session, world: World, designation, settings) -> dict[str, object]:  # noqa: F811
    """A complaint recorded about the Polres with a file, a monitoring report of its predicate
    with its letter, and a verification task."""
    from decimal import Decimal

    from tracker.accreditation.models import MonitoringResult
    from tracker.complaints import monitoring as complaint_monitoring
    from tracker.complaints import services as complaints
    from tracker.complaints.rules import Category, Channel, VerificationReason

    store = LocalEvidenceStore(settings.evidence_dir)
    policy = UploadPolicy(10**7, DEFAULT_ALLOW_LIST)

    complaint = complaints.record(
        session,
        user=world.koordinator,
        unit=world.polres,
        category=Category.SERVICE_QUALITY,
        channel=Channel.LAPOR,
        reference="",
        description="Antrean SIM panjang dan loket tutup sebelum waktunya.",
        contact="",
        received_on=date(2026, 3, 1),
        today=date(2026, 3, 1),
    )
    attached = complaints.attach(
        session,
        store,
        policy,
        user=world.koordinator,
        complaint=complaint,
        stream=io.BytesIO(pdf_bytes("tanda terima")),
        filename="tanda-terima.pdf",
    )
    _report, letter, _none = complaint_monitoring.file_report(
        session,
        store,
        policy,
        user=world.tpi,
        designation=designation,
        on=date(2026, 3, 1),
        result=MonitoringResult.STILL_MEETS,
        lke_score=Decimal("80"),
        letter=io.BytesIO(pdf_bytes("surat pemantauan")),
        letter_name="surat.pdf",
        note="",
        today=date(2026, 3, 1),
    )
    task = complaint_monitoring.open_task(
        session,
        user=world.tpi,
        designation=designation,
        reason=VerificationReason.NO_LONGER_MEETS,
        today=date(2026, 3, 1),
    )
    session.commit()
    return {
        "complaint_id": complaint.id,
        "task_id": task.id,
        "file_key": attached.public_id,
        "letter_key": letter.public_id,
    }


def _process_documents(session, w: World, e, settings) -> dict[str, int]:
    """An LKE frozen at a step with its PDF already stored (no render here), and a signed scan
    of it. The snapshot is written by hand: taking a real one would freeze the world's files."""
    from tracker.accreditation import snapshots
    from tracker.accreditation.models import Snapshot
    from tracker.accreditation.workflow import Action
    from tracker.documents.models import DocumentKind, ProcessDocument, SignedScan
    from tracker.documents.services import AREA, RENDERED_TYPES

    payload = {"enrolment": {"id": e.id, "cycle": w.cycle.year}}
    snapshot = Snapshot(
        enrolment_id=e.id,
        kind=Action.SUBMIT_PRELIMINARY,
        payload=payload,
        sha256=snapshots.digest(payload),
        created_by_id=w.koordinator.id,
    )
    session.add(snapshot)
    session.flush()
    blob = LocalEvidenceStore(settings.evidence_dir / AREA).save(
        io.BytesIO(pdf_bytes("LKE")), filename="lke.pdf", max_bytes=10**7, allowed=RENDERED_TYPES
    )
    document = ProcessDocument(
        enrolment_id=e.id,
        agency_id=e.agency_id,
        snapshot_id=snapshot.id,
        kind=DocumentKind.LKE,
        step=Action.SUBMIT_PRELIMINARY,
        data={},
        sha256=blob.sha256,
        storage_key=blob.key,
        size=blob.size,
    )
    session.add(document)
    session.flush()
    scan = SignedScan(
        document_id=document.id,
        original_name="lke-ttd.pdf",
        content_type="application/pdf",
        sha256=blob.sha256,
        storage_key=blob.key,
        size=blob.size,
        uploaded_by_id=w.koordinator.id,
    )
    session.add(scan)
    session.commit()
    return {"process_document_id": document.id, "signed_scan_id": scan.id}
