"""A document of a step (frozen data, rendered PDF) and the signed scans uploaded onto it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accreditation.models import Enrolment, Snapshot
from tracker.accreditation.workflow import Action
from tracker.db import Base, intpk, utcnow
from tracker.documents.kinds import DocumentKind


class ProcessDocument(Base):
    """One document of one step. ``data`` is frozen at the step (the snapshot's payload and the
    few facts the snapshot lacks: who signed off, the agency's proposed units); the PDF is
    rendered from it once, on first download, and then only served (``sha256``, ``storage_key``)."""

    __tablename__ = "process_documents"
    __table_args__ = (UniqueConstraint("snapshot_id", "kind"),)

    id: Mapped[intpk]
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))
    kind: Mapped[DocumentKind]
    step: Mapped[Action]
    data: Mapped[dict[str, Any]]
    sha256: Mapped[str | None] = mapped_column(String(64))
    storage_key: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rendered_at: Mapped[datetime | None]

    enrolment: Mapped[Enrolment] = relationship()
    snapshot: Mapped[Snapshot] = relationship()
    scans: Mapped[list[SignedScan]] = relationship(
        back_populates="document", order_by="SignedScan.id"
    )


class SignedScan(Base):
    """A signed copy of a document, uploaded back onto its step (PDF or image, checked by
    content and stored in the evidence blob store). Never edited; a new scan is a new row."""

    __tablename__ = "process_document_scans"

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("process_documents.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[ProcessDocument] = relationship(back_populates="scans")
