"""Notifications (the bell), each user's channel per event kind, and the mail outbox."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, intpk, str200, utcnow
from tracker.notifications.events import Channel, EventKind


class Notification(Base):
    """One event told to one user. ``dedupe_key`` names the event (kind, subject, day offset):
    a user hears of the same event once, however often it is told."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("recipient_id", "dedupe_key"),
        # The bell's COUNT and the list: one user's rows, unread first, newest first.
        Index("ix_notifications_recipient_read", "recipient_id", "read_at"),
        Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
    )

    id: Mapped[intpk]
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[EventKind]
    params: Mapped[dict[str, Any]]  # the event's placeholders, plain strings
    link: Mapped[str200]  # a path inside the app ("/enrolments/3/lke?..."), never absolute
    dedupe_key: Mapped[str200]
    channel: Mapped[Channel]  # as chosen when it was recorded
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # Digest notifications: when a daily digest took it (None: waiting for the next one).
    digested_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """A user's channel for one event kind (no row: the kind's default)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[EventKind]
    channel: Mapped[Channel]


class MailStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for its (next) attempt; also every message without SMTP
    SENDING = "sending"  # claimed by a worker; its outcome not yet recorded
    SENT = "sent"  # the SMTP server accepted it: never sent again
    FAILED = "failed"  # every attempt failed


class MailKind(enum.StrEnum):
    SINGLE = "single"  # one notification, at once
    DIGEST = "digest"  # one user's day
    TEST = "test"  # the administrator's test message


class OutboxMessage(Base):
    """One e-mail, rendered in its recipient's language when queued. The status row is the
    guard against sending twice: claimed (``sending``) and committed before the SMTP
    conversation, marked ``sent`` and committed right after it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_due", "status", "next_attempt_at"),)

    id: Mapped[intpk]
    kind: Mapped[MailKind]
    # A digest names its user and day, so a second digest run the same day adds nothing.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    to_address: Mapped[str200]
    subject: Mapped[str200]
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(5))
    status: Mapped[MailStatus] = mapped_column(default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
