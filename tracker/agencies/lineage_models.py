"""Issue 17 §5: a unit renamed, merged or split points to the unit(s) it became."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.agencies.models import Unit
from tracker.db import Base, intpk, utcnow


class SuccessionKind(enum.StrEnum):
    RENAME = "rename"  # the same unit under a new name (a new unit row carries it on)
    MERGE = "merge"  # several units became one
    SPLIT = "split"  # one unit became several


class UnitSuccession(Base):
    """``predecessor`` went on as ``successor`` from ``on``, by the decree ``decree_ref``."""

    __tablename__ = "unit_successions"
    __table_args__ = (UniqueConstraint("predecessor_id", "successor_id"),)

    id: Mapped[intpk]
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[SuccessionKind]
    on: Mapped[date]
    decree_ref: Mapped[str] = mapped_column(String(200))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    predecessor: Mapped[Unit] = relationship(foreign_keys=[predecessor_id], lazy="joined")
    successor: Mapped[Unit] = relationship(foreign_keys=[successor_id], lazy="joined")
