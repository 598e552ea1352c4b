"""System settings stored in the database: one row per setting, changed in place (the audit
trail keeps every earlier value)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, intpk, utcnow


class SystemSetting(Base):
    """A setting the administrator changed; a setting without a row (or with an empty value)
    takes its default from the environment (``config.Settings``)."""

    __tablename__ = "system_settings"

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(60), unique=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
