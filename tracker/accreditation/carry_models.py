"""Year over year (issue 16 §3): an answer carried from a unit's last cycle into its new one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, intpk, utcnow


class CarriedItem(Base):
    """One LKE item of an enrolment whose self-assessment answer was carried from the unit's
    previous enrolment. The provenance points at its source: the enrolment, the tier that
    decided the value there and that tier's answer row. ``documents`` lists last cycle's files
    of the item: each carried (``carried``: the new file's public id) or left behind as out of
    date (``stale``), with the day its validity ends (``carry_rules``)."""

    __tablename__ = "carried_items"
    __table_args__ = (UniqueConstraint("enrolment_id", "item_code"),)

    id: Mapped[intpk]
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(40))
    source_enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    source_tier: Mapped[str] = mapped_column(String(40))
    source_answer_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id"))
    value: Mapped[Any | None] = mapped_column(JSON)  # the value as carried
    note: Mapped[str] = mapped_column(Text, default="")
    documents: Mapped[list[Any]] = mapped_column(JSON, default=list)
    carried_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    carried_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def stale_documents(self) -> list[dict[str, Any]]:
        return [d for d in self.documents if d.get("stale")]

    @property
    def carried_documents(self) -> list[dict[str, Any]]:
        return [d for d in self.documents if not d.get("stale")]
