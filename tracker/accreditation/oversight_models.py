"""Issue 17: the overseers' clearance before a designation (§1) and the Ombudsman's
service-compliance results of a unit (§4)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accreditation.clearance_rules import ClearanceResult, OmbudsmanZone
from tracker.auth.models import User
from tracker.db import Base, intpk, utcnow
from tracker.evidence.models import EvidenceFile


class ClearanceRequest(Base):
    """TPN asked one overseer about one proposed unit; the answer and any resolution of its
    findings are filled in later (each step audited)."""

    __tablename__ = "clearance_requests"

    id: Mapped[intpk]
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    overseer: Mapped[str] = mapped_column(String(120))
    asked_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answered_on: Mapped[date | None]
    result: Mapped[ClearanceResult | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    # The overseer's letter: an evidence file of the enrolment (purpose ``clearance``).
    document_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_files.id"))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_on: Mapped[date | None]
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[EvidenceFile | None] = relationship()


class ClearanceOverride(Base):
    """TPN designates despite an open clearance, with its reason. It covers the requests up to
    ``covers_up_to`` (a request's id): a request asked afterwards blocks again."""

    __tablename__ = "clearance_overrides"

    id: Mapped[intpk]
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    covers_up_to: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by: Mapped[User] = relationship()


class OmbudsmanResult(Base):
    """The Ombudsman's assessment of a unit's compliance with public-service standards in one
    year: its zone, its score and optionally the certificate (an evidence file of no
    enrolment, like a recorded designation's scan)."""

    __tablename__ = "ombudsman_results"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)

    id: Mapped[intpk]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    year: Mapped[int]
    zone: Mapped[OmbudsmanZone]
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_files.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    certificate: Mapped[EvidenceFile | None] = relationship()
