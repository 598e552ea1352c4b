"""Reviewer assignments (issue 15 §4): which reviewer of a deciding tier takes which unit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accreditation.models import Enrolment
from tracker.auth.models import User
from tracker.db import Base, intpk, utcnow


class ReviewerAssignment(Base):
    """The one reviewer assigned to an enrolment for a tier. Reassigning updates the row; the
    history lives in the audit trail (``accreditation:reviewer:assign``)."""

    __tablename__ = "reviewer_assignments"
    __table_args__ = (UniqueConstraint("enrolment_id", "tier"),)

    id: Mapped[intpk]
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    tier: Mapped[str] = mapped_column(String(40))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    enrolment: Mapped[Enrolment] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id], lazy="joined")
