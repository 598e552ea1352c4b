"""Agencies (instansi) and work units (unit kerja) of any depth."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, intpk, str40, str200, utcnow


class AgencyKind(enum.StrEnum):
    KEMENTERIAN = "kementerian"
    LEMBAGA = "lembaga"
    PEMDA = "pemda"


class Agency(Base):
    """An instansi pemerintah: a ministry, an agency (lembaga) or a local government."""

    __tablename__ = "agencies"

    id: Mapped[intpk]
    code: Mapped[str40] = mapped_column(unique=True)
    name: Mapped[str200] = mapped_column(unique=True)
    short_name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[AgencyKind]
    # Emblem printed on certificates; uploaded by an admin (PNG, JPEG or SVG).
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    logo_mime: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    units: Mapped[list[Unit]] = relationship(back_populates="agency", order_by="Unit.path")


class Unit(Base):
    """A work unit inside an agency; ``parent`` is None for a unit directly under the agency.

    ``path`` is the materialised chain of ids ("/3/17/42/") so that a whole subtree is one
    ``LIKE '/3/17/%'`` query: scope checks and dashboards never walk the tree row by row.
    """

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str40]
    name: Mapped[str200]
    kind: Mapped[str] = mapped_column(String(80))
    path: Mapped[str] = mapped_column(String(400), index=True, default="")
    depth: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship(back_populates="units")
    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id", back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]
