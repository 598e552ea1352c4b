"""Audit records: one row per change, never updated or deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.audit.chain import Head
from tracker.db import Base, intpk


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    id: Mapped[intpk]
    seq: Mapped[int] = mapped_column(unique=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(200))  # as it was, even if renamed later
    tag: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(80))
    agency_id: Mapped[int | None] = mapped_column(index=True)
    unit_id: Mapped[int | None] = mapped_column(index=True)
    data: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def hashed_fields(self) -> dict[str, Any]:
        """The fields the hash covers; must match what ``services.record`` hashed."""
        return {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "tag": self.tag,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "agency_id": self.agency_id,
            "unit_id": self.unit_id,
            "data": self.data,
        }


class AuditHead(Base):
    """The chain's tip: the number of records and the last one's hash, sealed with the audit key
    (``chain.head_seal``) so that it cannot be rewound without the key. Updating this one row
    first serialises concurrent appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))
    # None only before the first record: the migration creates the row without the key.
    seal: Mapped[str | None] = mapped_column(String(64))

    def as_head(self) -> Head:
        return Head(self.seq, self.hash)
