"""The complaints register and monitoring through their services (issue 17 §2, §3): a
complaint to resolution and to unfounded with its history and audit records; a verified
pungli complaint and a "no longer meets" report opening a verification task; the task's
outcome leading to the revocation (D15); the 2-yearly duty paused while WBBM is proposed."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.evidence.evidence_samples import exe_bytes, pdf_bytes
from tests.world import TODAY, World
from tracker.accreditation import history
from tracker.accreditation.models import Designation, MonitoringResult, Predicate
from tracker.accreditation.workflow import Stage
from tracker.audit.models import AuditEvent
from tracker.complaints import monitoring, services
from tracker.complaints.models import VerificationTask
from tracker.complaints.rules import (
    Category,
    Channel,
    Status,
    VerificationOutcome,
    VerificationReason,
)
from tracker.errors import InvalidTransitionError, NotFoundError, ValidationError
from tracker.evidence.filetypes import DEFAULT_ALLOW_LIST, RejectedFileError, UploadPolicy
from tracker.evidence.storage import LocalEvidenceStore

TEXT = "Petugas meminta uang tambahan saat pembuatan SIM di loket 3."
POLICY = UploadPolicy(10**7, DEFAULT_ALLOW_LIST)


def tags(session, subject_id: int) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.tag)
            .where(AuditEvent.tag.like("complaints:%"), AuditEvent.subject_id == str(subject_id))
            .order_by(AuditEvent.seq)
        )
    )


def recorded(world: World, category: Category = Category.SERVICE_QUALITY):
    return services.record(
        world.session,
        user=world.koordinator,
        unit=world.polres,
        category=category,
        channel=Channel.LAPOR,
        reference="LAPOR-123",
        description=TEXT,
        contact="",
        received_on=TODAY,
        today=TODAY,
    )


def test_a_complaint_goes_to_resolution_with_its_history(world: World, designated) -> None:
    complaint = recorded(world)
    for status in (Status.VERIFIED, Status.CLARIFIED, Status.RESOLVED):
        task = services.move(
            world.session,
            user=world.tpi,
            complaint=complaint,
            to=status,
            note=f"tindak lanjut {status.value}",
            today=TODAY,
        )
        assert task is None  # service quality is not serious
    world.session.commit()
    assert complaint.status is Status.RESOLVED and complaint.handler_id == world.tpi.id
    steps = [(e.from_status, e.to_status) for e in services.history(world.session, complaint)]
    assert steps == [
        (None, Status.RECEIVED),
        (Status.RECEIVED, Status.VERIFIED),
        (Status.VERIFIED, Status.CLARIFIED),
        (Status.CLARIFIED, Status.RESOLVED),
    ]
    assert (
        tags(world.session, complaint.id)
        == ["complaints:complaint:file"] + ["complaints:complaint:status"] * 3
    )
    with pytest.raises(InvalidTransitionError):
        services.move(
            world.session,
            user=world.tpi,
            complaint=complaint,
            to=Status.UNFOUNDED,
            note="x",
            today=TODAY,
        )
    counts = services.public_counts(world.session, world.polres.id)
    assert counts[Status.RESOLVED] == 1 and sum(counts.values()) == 1


def test_unfounded_a_skipped_step_and_the_public_forms_limits(world: World, designated) -> None:
    complaint = recorded(world)
    with pytest.raises(InvalidTransitionError):
        services.move(
            world.session,
            user=world.tpi,
            complaint=complaint,
            to=Status.RESOLVED,
            note="langsung selesai",
            today=TODAY,
        )
    with pytest.raises(ValidationError):
        services.move(
            world.session,
            user=world.tpi,
            complaint=complaint,
            to=Status.UNFOUNDED,
            note="  ",
            today=TODAY,
        )
    services.move(
        world.session,
        user=world.koordinator,
        complaint=complaint,
        to=Status.UNFOUNDED,
        note="Rekaman CCTV loket tidak menunjukkan pungutan.",
        today=TODAY,
    )
    world.session.commit()
    assert complaint.status is Status.UNFOUNDED
    assert [e.to_status for e in services.history(world.session, complaint)][-1] is Status.UNFOUNDED
    # The public form needs a designated unit and keeps to its limits.
    with pytest.raises(NotFoundError):
        services.submit_public(
            world.session,
            unit=world.sibling,
            category=Category.OTHER,
            description=TEXT,
            contact="",
            today=TODAY,
        )
    with pytest.raises(ValidationError):
        services.submit_public(
            world.session,
            unit=world.polres,
            category=Category.OTHER,
            description="pendek",
            contact="",
            today=TODAY,
        )
    complaint = services.submit_public(
        world.session,
        unit=world.polres,
        category=Category.OTHER,
        description=TEXT,
        contact="0812 0000 0000",
        today=TODAY,
    )
    assert complaint.channel is Channel.PUBLIC_FORM and complaint.recorded_by_id is None
    with pytest.raises(ValidationError):
        services.record(
            world.session,
            user=world.koordinator,
            unit=world.polres,
            category=Category.OTHER,
            channel=Channel.MEDIA,
            reference="",
            description=TEXT,
            contact="",
            received_on=date(2026, 12, 1),  # after the world's today
            today=TODAY,
        )


def test_files_and_a_verified_pungli_complaint(world: World, designated, settings) -> None:
    store = LocalEvidenceStore(settings.evidence_dir)
    complaint = recorded(world)
    row = services.attach(
        world.session,
        store,
        POLICY,
        user=world.koordinator,
        complaint=complaint,
        stream=io.BytesIO(pdf_bytes("tanda terima")),
        filename="tanda-terima.pdf",
    )
    assert services.files(world.session, complaint) == [row]
    with pytest.raises(RejectedFileError):
        services.attach(
            world.session,
            store,
            POLICY,
            user=world.koordinator,
            complaint=complaint,
            stream=io.BytesIO(exe_bytes()),
            filename="bukti.pdf",
        )
    # A verified pungli complaint opens one verification task.
    first = recorded(world, Category.EXTORTION)
    second = recorded(world, Category.EXTORTION)
    task = services.move(
        world.session,
        user=world.tpi,
        complaint=first,
        to=Status.VERIFIED,
        note="benar",
        today=TODAY,
    )
    assert task is not None and task.reason is VerificationReason.SERIOUS_COMPLAINT
    assert task.complaint_id == first.id and task.due_on == date(2026, 3, 31)
    again = services.move(
        world.session,
        user=world.tpi,
        complaint=second,
        to=Status.VERIFIED,
        note="benar",
        today=TODAY,
    )
    assert again is task  # one verification at a time per predicate


def file(world: World, designated, settings, result: MonitoringResult):
    return monitoring.file_report(
        world.session,
        LocalEvidenceStore(settings.evidence_dir),
        POLICY,
        user=world.tpi,
        designation=designated,
        on=TODAY,
        result=result,
        lke_score=Decimal("71.25"),
        letter=io.BytesIO(pdf_bytes("surat laporan")),
        letter_name="surat.pdf",
        note="",
        today=TODAY,
    )


def test_no_longer_meets_leads_to_verification_and_revocation(
    world: World, designated: Designation, settings
) -> None:
    report, _letter, task = file(world, designated, settings, MonitoringResult.NO_LONGER_MEETS)
    assert task is not None and task.report_id == report.id
    assert task.reason is VerificationReason.NO_LONGER_MEETS
    with pytest.raises(ValidationError):
        monitoring.decide(
            world.session,
            user=world.tpn,
            task=task,
            outcome=VerificationOutcome.COACHING,
            coaching_until=None,
            note="perlu dibina",
            today=TODAY,
        )
    reason = "Verifikasi lapangan: pungutan liar terbukti di layanan SIM."
    monitoring.decide(
        world.session,
        user=world.tpn,
        task=task,
        outcome=VerificationOutcome.PROPOSE_REVOCATION,
        coaching_until=None,
        note=reason,
        today=TODAY,
    )
    world.session.commit()
    assert not task.open and tags(world.session, task.id)[-1] == "complaints:verification:decide"
    with pytest.raises(InvalidTransitionError):
        monitoring.decide(
            world.session,
            user=world.tpn,
            task=task,
            outcome=VerificationOutcome.STILL_MEETS,
            coaching_until=None,
            note="x",
            today=TODAY,
        )
    # The proposal's reasons go with the Minister's decree (D15).
    history.revoke_recorded(
        world.session,
        user=world.admin,
        designation=designated,
        decree_number="99/2026",
        decree_date=TODAY,
        on=None,
        reason=task.note,
    )
    world.session.commit()
    assert designated.revocation_reason == reason
    page = monitoring.page(world.session, world.polres, TODAY)
    assert page.duties == [] and [t.id for t in page.tasks] == [task.id]


def test_still_meets_opens_nothing_and_moves_the_due_date(
    world: World, designated: Designation, settings
) -> None:
    before = monitoring.page(world.session, world.polres, TODAY).duties[0]
    assert before.due == date(2025, 12, 11) and before.overdue
    _report, _letter, task = file(world, designated, settings, MonitoringResult.STILL_MEETS)
    assert task is None
    page = monitoring.page(world.session, world.polres, TODAY)
    assert page.duties[0].due == date(2028, 3, 1) and not page.duties[0].overdue
    assert page.reports[0].filing is not None
    assert page.reports[0].filing.lke_score == Decimal("71.25")
    assert world.session.scalar(select(VerificationTask.id)) is None


def test_the_duty_pauses_while_the_wbk_unit_is_proposed_for_wbbm(
    world: World, designated: Designation
) -> None:
    enrolment = world.enrol(target=Predicate.WBBM)
    assert not monitoring.page(world.session, world.polres, TODAY).duties[0].paused
    enrolment.stage = Stage.DESK_EVALUATION  # in TPN's hands
    world.session.commit()
    duty = monitoring.page(world.session, world.polres, TODAY).duties[0]
    assert duty.paused and not duty.overdue
