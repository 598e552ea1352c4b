"""The complaints register, its status history and files; monitoring letters and the
verification tasks they (or serious complaints) open (issue 17 §2, §3)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.agencies.models import Unit
from tracker.auth.models import User
from tracker.complaints.rules import (
    Category,
    Channel,
    Status,
    VerificationOutcome,
    VerificationReason,
)
from tracker.db import Base, intpk, utcnow
from tracker.evidence.models import EvidenceFile


class Complaint(Base):
    """One complaint about a unit: sent through the public form or recorded by the agency from
    another channel. ``contact`` is empty for an anonymous one; neither it nor the text is ever
    shown to the public."""

    __tablename__ = "complaints"

    id: Mapped[intpk]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    category: Mapped[Category]
    channel: Mapped[Channel]
    reference: Mapped[str] = mapped_column(String(120), default="")  # e.g. the LAPOR! number
    description: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(200), default="")
    received_on: Mapped[date]
    status: Mapped[Status] = mapped_column(default=Status.RECEIVED, index=True)
    status_since: Mapped[date]
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: public
    at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id], lazy="joined")


class ComplaintEvent(Base):
    """One step of a complaint's history: its filing, each status change, a new handler."""

    __tablename__ = "complaint_events"

    id: Mapped[intpk]
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    from_status: Mapped[Status | None]
    to_status: Mapped[Status]
    note: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by: Mapped[User | None] = relationship(lazy="joined")


class ComplaintFile(Base):
    """An evidence file attached to a complaint (kept in the evidence store)."""

    __tablename__ = "complaint_files"

    id: Mapped[intpk]
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("evidence_files.id"))

    file: Mapped[EvidenceFile] = relationship(lazy="joined")


class MonitoringFiling(Base):
    """What a monitoring report was filed with (Bab IV.A): the LKE score and the signed letter."""

    __tablename__ = "monitoring_filings"

    id: Mapped[intpk]
    report_id: Mapped[int] = mapped_column(ForeignKey("monitoring_reports.id"), unique=True)
    lke_score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    letter_id: Mapped[int] = mapped_column(ForeignKey("evidence_files.id"))

    letter: Mapped[EvidenceFile] = relationship(lazy="joined")


class VerificationTask(Base):
    """TPI/TPN's verification of a designated unit, opened by a "no longer meets" report or a
    verified serious complaint; closed with its outcome."""

    __tablename__ = "verification_tasks"

    id: Mapped[intpk]
    designation_id: Mapped[int] = mapped_column(ForeignKey("designations.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    reason: Mapped[VerificationReason]
    report_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_reports.id"))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    opened_on: Mapped[date]
    due_on: Mapped[date]
    outcome: Mapped[VerificationOutcome | None]
    coaching_until: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")

    @property
    def open(self) -> bool:
        return self.outcome is None
