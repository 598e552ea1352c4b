"""Stored framework versions: one row per distinct definition file (D1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, intpk, str200, utcnow


class LkeFramework(Base):
    """An immutable framework version. A changed file becomes a new row, never an edit, so
    cycles that pinned an older version keep scoring exactly as before."""

    __tablename__ = "lke_frameworks"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str200]
    # Deferred: every enrolment loads its cycle's framework row (a joined load), and the
    # definition is about 170 KB of JSON that ``framework_of`` parses once per process; read
    # only when asked for, not decoded again on every request.
    definition: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
