"""PortalRB access tokens (stored hashed) and the record of each pull."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.agencies.models import Agency
from tracker.db import Base, intpk, str200, utcnow


class PortalrbToken(Base):
    """A bearer token PortalRB uses for one agency. Only its SHA-256 is kept; ``prefix`` (the
    first characters) is what the agency sees to tell tokens apart. Read-only by design: the
    endpoints it opens only answer GET."""

    __tablename__ = "portalrb_tokens"

    id: Mapped[intpk]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str200]
    prefix: Mapped[str] = mapped_column(String(16))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_on: Mapped[date | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None]

    agency: Mapped[Agency] = relationship(lazy="joined")


class PortalrbPull(Base):
    """One request of PortalRB with a known token: what it asked for and what it got."""

    __tablename__ = "portalrb_pulls"
    __table_args__ = (Index("ix_portalrb_pulls_agency_unit", "agency_id", "unit_id"),)

    id: Mapped[intpk]
    token_id: Mapped[int] = mapped_column(ForeignKey("portalrb_tokens.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    endpoint: Mapped[str] = mapped_column(String(200))
    status: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
