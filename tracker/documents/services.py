"""The documents of each step: frozen when the step happens, rendered once, signed scans kept.

``freeze_step`` hears every stage change (subscribed through the wiring: accreditation does not
know this package) and, for a step that froze a snapshot, records one row per document the step
makes (``kinds.STEP_DOCUMENTS``) with the facts the snapshot lacks. Rendering with WeasyPrint
takes about a second, too slow for the step's request and wasted on documents nobody opens, so
``pdf_of`` renders on the first download, from the snapshot and the frozen facts only, stores
the PDF in the blob store with its SHA-256 and serves that stored file from then on.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import IO, Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, selectinload

from tracker.accreditation import assessments, cycles, workflow
from tracker.accreditation.models import (
    AreaSignOff,
    Designation,
    Enrolment,
    Snapshot,
    StageTransition,
)
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import Action
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.db import utcnow
from tracker.documents import content, kinds
from tracker.documents.kinds import DocumentKind
from tracker.documents.models import ProcessDocument, SignedScan
from tracker.errors import NotAllowedError, NotFoundError
from tracker.evidence.filetypes import JPEG_TYPE, PDF_TYPE, PNG_TYPE, TypeAllowList
from tracker.evidence.naming import display_name
from tracker.evidence.storage import BlobStore
from tracker.hooks import Happened, Happening
from tracker.i18n import _

# Generated PDFs and signed scans live in the blob store under their own folder (prefix), apart
# from evidence, whose orphan sweep only knows evidence rows.
AREA = "process-documents"
MAX_RENDER_BYTES = 200 * 1024 * 1024
RENDERED_TYPES = TypeAllowList({"pdf": PDF_TYPE})
SCAN_TYPES = TypeAllowList({"pdf": PDF_TYPE, "jpg": JPEG_TYPE, "jpeg": JPEG_TYPE, "png": PNG_TYPE})
# Where the agency's units count as proposed in a letter: the proposal and every later step.
PROPOSED_STAGES = workflow.PENDING_PROPOSAL | {
    workflow.Stage.DESIGNATED,
    workflow.Stage.MONITORING,
    workflow.Stage.COACHING,
    workflow.Stage.NOT_PASSED,
}


# --- at the step -------------------------------------------------------------------------------


def freeze_step(session: Session, event: Happened) -> None:
    """The ``happened`` subscriber: record the documents of a step that froze a snapshot."""
    if event.kind is not Happening.STAGE_CHANGED or event.enrolment_id is None:
        return
    try:
        action = Action(event.details.get("action", ""))
    except ValueError:
        return
    made = kinds.STEP_DOCUMENTS.get(action, ())
    if not made:
        return
    transition = session.scalars(
        select(StageTransition)
        .where(StageTransition.enrolment_id == event.enrolment_id)
        .order_by(StageTransition.id.desc())
        .limit(1)
    ).one()
    if transition.snapshot_id is None:
        return
    enrolment = session.get(Enrolment, event.enrolment_id)
    assert enrolment is not None
    for kind in made:
        session.add(
            ProcessDocument(
                enrolment_id=enrolment.id,
                agency_id=enrolment.agency_id,
                snapshot_id=transition.snapshot_id,
                kind=kind,
                step=transition.action,
                data=_extra(session, enrolment, kind, transition),
            )
        )
    session.flush()


def _extra(
    session: Session, enrolment: Enrolment, kind: DocumentKind, transition: StageTransition
) -> dict[str, Any]:
    """What a document shows that its snapshot does not hold, read now and frozen with it."""
    labels = {t.code: t.label for t in cycles.cycle_tiers(enrolment.cycle)}
    extra: dict[str, Any] = {"tier_labels": labels}
    if kind is DocumentKind.LHE_TPI:
        extra |= {"tier": TierCode.TPI.value, "signers": _signers(session, enrolment)}
    elif kind is DocumentKind.SPTJM:
        extra["tier"] = TierCode.TPI.value
    elif kind is DocumentKind.PROPOSAL:
        extra["units"] = _proposed_units(session, enrolment)
    elif kind is DocumentKind.LHE_TPN:
        extra |= {"tier": TierCode.TPN.value, "decision": transition.action.value}
        extra["note"] = transition.note
        designation = session.scalars(
            select(Designation).where(Designation.snapshot_id == transition.snapshot_id)
        ).first()
        if designation is not None:
            extra["decree_number"] = designation.decree_number
            extra["decree_date"] = designation.decree_date.isoformat()
    return extra


def _signers(session: Session, enrolment: Enrolment) -> list[dict[str, str]]:
    """The TPI members who signed off each area, in area order (one query)."""
    rows = session.execute(
        select(AreaSignOff.area, User.full_name, AreaSignOff.at)
        .join(User, User.id == AreaSignOff.signed_by_id)
        .where(AreaSignOff.enrolment_id == enrolment.id, AreaSignOff.tier == TierCode.TPI.value)
        .order_by(AreaSignOff.area)
    )
    return [{"area": area, "name": name, "at": at.isoformat()} for area, name, at in rows]


def _proposed_units(session: Session, enrolment: Enrolment) -> list[dict[str, str]]:
    """The agency's units proposed in the cycle so far (this one included), each with its TPI
    score as frozen at its own proposal (two queries)."""
    units = session.scalars(
        select(Enrolment).where(
            Enrolment.cycle_id == enrolment.cycle_id,
            Enrolment.agency_id == enrolment.agency_id,
            Enrolment.stage.in_(PROPOSED_STAGES),
        )
    ).all()
    ids = [e.id for e in units]
    payloads = session.execute(
        select(Snapshot.enrolment_id, Snapshot.payload)
        .where(Snapshot.enrolment_id.in_(ids), Snapshot.kind == Action.PROPOSE)
        .order_by(Snapshot.id)
    )
    scores = {
        eid: p.get("tiers", {}).get(TierCode.TPI.value, {}).get("scores", {}).get("total", "")
        for eid, p in payloads
    }
    return [
        {"name": e.unit.name, "target": e.target.value, "score": str(scores.get(e.id, ""))}
        for e in sorted(units, key=lambda e: e.unit.name)
    ]


# --- reading -----------------------------------------------------------------------------------


def documents_of(session: Session, enrolment: Enrolment) -> list[ProcessDocument]:
    """Every document of the enrolment's steps with its scans, newest step first (two queries)."""
    return list(
        session.scalars(
            select(ProcessDocument)
            .where(ProcessDocument.enrolment_id == enrolment.id)
            .options(selectinload(ProcessDocument.scans))
            .order_by(ProcessDocument.snapshot_id.desc(), ProcessDocument.id)
        )
    )


def document_of(session: Session, enrolment: Enrolment, document_id: int) -> ProcessDocument:
    """A document of this enrolment. Raises NotFoundError."""
    row = session.get(ProcessDocument, document_id)
    if row is None or row.enrolment_id != enrolment.id:
        raise NotFoundError(_("Dokumen tidak ditemukan."))
    return row


def latest_lke(session: Session, enrolment: Enrolment) -> ProcessDocument:
    """The LKE frozen at the enrolment's latest step. Raises NotFoundError before any."""
    row = session.scalars(
        select(ProcessDocument)
        .where(
            ProcessDocument.enrolment_id == enrolment.id,
            ProcessDocument.kind == DocumentKind.LKE,
        )
        .order_by(ProcessDocument.snapshot_id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise NotFoundError(
            _("LKE dalam PDF dibuat saat unit mengirim LKE-nya. Unit ini belum mengirim LKE.")
        )
    return row


def scan_of(session: Session, enrolment: Enrolment, scan_id: int) -> SignedScan:
    """A signed scan of one of this enrolment's documents. Raises NotFoundError."""
    scan = session.get(SignedScan, scan_id)
    if scan is None or scan.document.enrolment_id != enrolment.id:
        raise NotFoundError(_("Pindaian tidak ditemukan."))
    return scan


def file_name(document: ProcessDocument) -> str:
    """``LHE-TPI-2026-<unit id>-<document id>.pdf``: built from checked parts only."""
    year = document.snapshot.payload["enrolment"]["cycle"]
    base = kinds.FILE_NAMES[document.kind]
    return f"{base}-{year}-{document.enrolment.unit_id}-{document.id}.pdf"


# --- the PDF -----------------------------------------------------------------------------------


def pdf_of(session: Session, store: BlobStore, document: ProcessDocument) -> bytes:
    """The document's PDF: the stored one, or rendered now from its frozen data and stored
    (audited). Two first downloads at once both render; the first to record wins and the other
    serves what was recorded."""
    if document.storage_key is None:
        return store_rendered(session, store, document, render(document))
    with store.open(document.storage_key) as blob:
        return blob.read()


def render(document: ProcessDocument) -> bytes:
    """Render the document from its snapshot and frozen facts (WeasyPrint, about a second)."""
    from tracker.documents import pdf  # WeasyPrint is slow to import: only renderers pay

    frozen = content.Frozen(
        document.kind, document.snapshot.payload, document.snapshot.sha256, document.data
    )
    framework = assessments.framework_for(document.enrolment)
    return pdf.render(document.kind, content.view(frozen, framework))


def store_rendered(
    session: Session, store: BlobStore, document: ProcessDocument, data: bytes
) -> bytes:
    """Store a PDF ``render`` made and record it on the document (audited); returns the PDF
    the document now has (another request's, if it recorded one first)."""
    blob = store.save(
        io.BytesIO(data),
        filename=file_name(document),
        max_bytes=MAX_RENDER_BYTES,
        allowed=RENDERED_TYPES,
    )
    result = session.execute(
        update(ProcessDocument)
        .where(ProcessDocument.id == document.id, ProcessDocument.storage_key.is_(None))
        .values(storage_key=blob.key, sha256=blob.sha256, size=blob.size, rendered_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    won = cast("CursorResult[Any]", result).rowcount
    session.refresh(document)
    if won:
        audit.record(
            session,
            actor=None,
            tag="documents:document:render",
            subject=document,
            unit_id=document.enrolment.unit_id,
            agency_id=document.agency_id,
            data={
                "kind": document.kind.value,
                "step": document.step.value,
                "snapshot": document.snapshot.sha256,
                "sha256": blob.sha256,
            },
        )
    elif blob.created and blob.key != document.storage_key:
        store.delete(blob.key)
    session.flush()
    if won:
        return data
    assert document.storage_key is not None
    with store.open(document.storage_key) as stored:
        return stored.read()


# --- signed scans ------------------------------------------------------------------------------


def upload_scan(
    session: Session,
    store: BlobStore,
    *,
    user: User,
    roles: Sequence[Role] | frozenset[Role],
    document: ProcessDocument,
    stream: IO[bytes],
    filename: str,
    max_bytes: int,
    declared_size: int | None = None,
) -> SignedScan:
    """Store a signed copy of ``document`` (PDF, JPEG or PNG, checked by content) and record it.
    Raises NotAllowedError (not a signer of this document), RejectedFileError (its type or
    size). On a refusal nothing is stored; if the caller's transaction then fails, it calls
    ``discard_scan`` with the blob's key."""
    if not kinds.may_sign(document.kind, frozenset(roles)):
        raise NotAllowedError(_("Peran Anda tidak menandatangani dokumen ini."))
    name = display_name(filename or "pindaian")
    blob = store.save(
        stream,
        filename=name,
        max_bytes=max_bytes,
        allowed=SCAN_TYPES,
        declared_size=declared_size,
    )
    scan = SignedScan(
        document_id=document.id,
        original_name=name,
        content_type=blob.content_type,
        sha256=blob.sha256,
        storage_key=blob.key,
        size=blob.size,
        uploaded_by_id=user.id,
    )
    session.add(scan)
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="documents:scan:upload",
        subject=scan,
        unit_id=document.enrolment.unit_id,
        agency_id=document.agency_id,
        data={
            "document": document.id,
            "kind": document.kind.value,
            "name": name,
            "sha256": blob.sha256,
            "size": blob.size,
        },
    )
    return scan


def discard_scan(session: Session, store: BlobStore, key: str) -> None:
    """After a failed upload: remove the blob unless a committed row still uses it."""
    used = session.scalar(select(SignedScan.id).where(SignedScan.storage_key == key).limit(1))
    rendered = session.scalar(
        select(ProcessDocument.id).where(ProcessDocument.storage_key == key).limit(1)
    )
    if used is None and rendered is None:
        store.delete(key)
