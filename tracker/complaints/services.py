"""The complaints register (issue 17 §2): filing from the public form or from another channel,
the status changes with their history, the handler, the files, and the public counts.

Services take a Session and the acting user (None for the public form), write the rows and the
audit record, and flush; the caller commits. A verified serious complaint opens a verification
task of the unit's predicate (``monitoring.open_task``) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.accreditation.designations import active_designations
from tracker.agencies.models import Unit
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.complaints import monitoring, rules
from tracker.complaints.models import Complaint, ComplaintEvent, ComplaintFile, VerificationTask
from tracker.complaints.rules import Category, Channel, Status, VerificationReason
from tracker.errors import InvalidTransitionError, NotFoundError, ValidationError
from tracker.evidence import services as evidence
from tracker.evidence.filetypes import UploadPolicy
from tracker.evidence.models import EvidenceFile, EvidencePurpose
from tracker.evidence.storage import BlobStore
from tracker.i18n import _


def accepts_complaints(session: Session, unit: Unit) -> bool:
    """The public form is open for designated units: those with an active predicate."""
    return bool(active_designations(session, unit.id))


def _check_text(description: str, contact: str) -> list[str]:
    problems = []
    text = description.strip()
    if not rules.DESCRIPTION_MIN <= len(text) <= rules.DESCRIPTION_MAX:
        problems.append(
            _(
                "Uraian pengaduan harus %(min)s sampai %(max)s karakter.",
                min=rules.DESCRIPTION_MIN,
                max=rules.DESCRIPTION_MAX,
            )
        )
    if len(contact.strip()) > rules.CONTACT_MAX:
        problems.append(_("Kontak paling banyak %(max)s karakter.", max=rules.CONTACT_MAX))
    return problems


def submit_public(
    session: Session,
    *,
    unit: Unit,
    category: Category,
    description: str,
    contact: str,
    today: date,
) -> Complaint:
    """A complaint sent through the public form, anonymous when ``contact`` is empty.
    Raises NotFoundError when the unit takes no complaints, ValidationError for bad text."""
    if not accepts_complaints(session, unit):
        raise NotFoundError(_("Unit ini tidak menerima pengaduan lewat formulir ini."))
    return _file(
        session,
        user=None,
        unit=unit,
        category=category,
        channel=Channel.PUBLIC_FORM,
        reference="",
        description=description,
        contact=contact,
        received_on=today,
        today=today,
    )


def record(
    session: Session,
    *,
    user: User,
    unit: Unit,
    category: Category,
    channel: Channel,
    reference: str,
    description: str,
    contact: str,
    received_on: date,
    today: date,
) -> Complaint:
    """A complaint the agency received through another channel (Ombudsman, SP4N-LAPOR!, media).
    Raises ValidationError for the public form's channel, a future date or bad text."""
    problems = []
    if channel is Channel.PUBLIC_FORM:
        problems.append(_("Pilih saluran tempat pengaduan diterima."))
    if received_on > today:
        problems.append(_("Tanggal diterima tidak boleh sesudah hari ini."))
    if problems:
        raise ValidationError(" ".join(problems), problems=problems)
    return _file(
        session,
        user=user,
        unit=unit,
        category=category,
        channel=channel,
        reference=reference,
        description=description,
        contact=contact,
        received_on=received_on,
        today=today,
    )


def _file(
    session: Session,
    *,
    user: User | None,
    unit: Unit,
    category: Category,
    channel: Channel,
    reference: str,
    description: str,
    contact: str,
    received_on: date,
    today: date,
) -> Complaint:
    problems = _check_text(description, contact)
    if len(reference.strip()) > 120:
        problems.append(_("Nomor rujukan paling banyak 120 karakter."))
    if problems:
        raise ValidationError(" ".join(problems), problems=problems)
    complaint = Complaint(
        unit_id=unit.id,
        agency_id=unit.agency_id,
        category=category,
        channel=channel,
        reference=reference.strip(),
        description=description.strip(),
        contact=contact.strip(),
        received_on=received_on,
        status=Status.RECEIVED,
        status_since=today,
        recorded_by_id=user.id if user else None,
    )
    session.add(complaint)
    session.flush()
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            from_status=None,
            to_status=Status.RECEIVED,
            by_id=user.id if user else None,
        )
    )
    # The audit keeps what happened, never the complainant's text or contact.
    audit.record(
        session,
        actor=user,
        tag="complaints:complaint:file",
        subject=complaint,
        unit_id=unit.id,
        agency_id=unit.agency_id,
        data={
            "category": category.value,
            "channel": channel.value,
            "received_on": received_on,
            "anonymous": not complaint.contact,
        },
    )
    session.flush()
    return complaint


def move(
    session: Session,
    *,
    user: User,
    complaint: Complaint,
    to: Status,
    note: str,
    today: date,
) -> VerificationTask | None:
    """Move ``complaint`` to ``to`` along the transition table, with the handler's note; the
    actor becomes its handler if it had none. Returns the verification task a verified serious
    complaint opens (None otherwise). Raises InvalidTransitionError, ValidationError."""
    if not rules.may_move(complaint.status, to):
        raise InvalidTransitionError(
            _(
                "Status %(old)s tidak dapat diubah menjadi %(new)s.",
                old=_(rules.STATUS_LABELS[complaint.status]),
                new=_(rules.STATUS_LABELS[to]),
            )
        )
    if not note.strip():
        raise ValidationError(_("Tuliskan catatan tindak lanjut."))
    if len(note.strip()) > rules.NOTE_MAX:
        raise ValidationError(_("Catatan paling banyak %(max)s karakter.", max=rules.NOTE_MAX))
    before = complaint.status
    complaint.status = to
    complaint.status_since = today
    if complaint.handler_id is None:
        complaint.handler_id = user.id
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            from_status=before,
            to_status=to,
            note=note.strip(),
            by_id=user.id,
        )
    )
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="complaints:complaint:status",
        subject=complaint,
        unit_id=complaint.unit_id,
        agency_id=complaint.agency_id,
        data={"from": before.value, "to": to.value, "note": note.strip()},
    )
    if rules.is_serious(complaint.category, to) and before is Status.RECEIVED:
        return _open_for_serious(session, user=user, complaint=complaint, today=today)
    return None


def _open_for_serious(
    session: Session, *, user: User, complaint: Complaint, today: date
) -> VerificationTask | None:
    designations = active_designations(session, complaint.unit_id)
    if not designations:
        return None
    return monitoring.open_task(
        session,
        user=user,
        designation=designations[0],
        reason=VerificationReason.SERIOUS_COMPLAINT,
        complaint_id=complaint.id,
        today=today,
    )


def take(session: Session, *, user: User, complaint: Complaint) -> None:
    """The actor becomes the complaint's handler."""
    if complaint.status in rules.FINAL:
        raise InvalidTransitionError(_("Pengaduan ini sudah ditutup."))
    before = complaint.handler_id
    complaint.handler_id = user.id
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="complaints:complaint:handler",
        subject=complaint,
        unit_id=complaint.unit_id,
        agency_id=complaint.agency_id,
        data={"from": before, "to": user.id},
    )


def attach(
    session: Session,
    store: BlobStore,
    policy: UploadPolicy,
    *,
    user: User,
    complaint: Complaint,
    stream: IO[bytes],
    filename: str,
) -> EvidenceFile:
    """Keep a file documenting the complaint in the evidence store (type-checked by content).
    Raises RejectedFileError for a file the policy refuses."""
    row = evidence.store_unattached(
        session,
        store,
        user=user,
        purpose=EvidencePurpose.COMPLAINT,
        stream=stream,
        filename=filename,
        policy=policy,
        unit_id=complaint.unit_id,
        agency_id=complaint.agency_id,
    )
    session.add(ComplaintFile(complaint_id=complaint.id, file_id=row.id))
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="complaints:complaint:file_added",
        subject=complaint,
        unit_id=complaint.unit_id,
        agency_id=complaint.agency_id,
        data={"file": row.public_id, "name": row.original_name},
    )
    return row


# --- reading ------------------------------------------------------------------------------------


def get(session: Session, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFoundError(_("Pengaduan tidak ditemukan."))
    return complaint


def of_unit(session: Session, unit_id: int) -> Sequence[Complaint]:
    """The unit's complaints, open ones first, newest first."""
    return session.scalars(
        select(Complaint)
        .where(Complaint.unit_id == unit_id)
        .order_by(Complaint.status.in_(list(rules.FINAL)), Complaint.id.desc())
    ).all()


def history(session: Session, complaint: Complaint) -> Sequence[ComplaintEvent]:
    return session.scalars(
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint.id)
        .order_by(ComplaintEvent.id)
    ).all()


def files(session: Session, complaint: Complaint) -> Sequence[EvidenceFile]:
    return [
        row.file
        for row in session.scalars(
            select(ComplaintFile)
            .where(ComplaintFile.complaint_id == complaint.id)
            .order_by(ComplaintFile.id)
        )
    ]


def file_of(session: Session, complaint: Complaint, public_id: str) -> EvidenceFile:
    for row in files(session, complaint):
        if row.public_id == public_id:
            return row
    raise NotFoundError(_("Berkas tidak ditemukan."))


def public_counts(session: Session, unit_id: int) -> dict[Status, int]:
    """How many of the unit's complaints are in each status: all the public sees."""
    rows = session.execute(
        select(Complaint.status, func.count())
        .where(Complaint.unit_id == unit_id)
        .group_by(Complaint.status)
    )
    counts = dict.fromkeys(Status, 0)
    counts.update((row[0], row[1]) for row in rows)
    return counts
