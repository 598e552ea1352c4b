"""Notifications: recording them (``notify``), reading and marking them, and each user's
channel per event kind.

``notify`` writes one notification per recipient and, for those who chose e-mail at once, one
outbox message in their language (``delivery.queue_single``). It never sends: the job queue
does, after the caller committed (``tracker.notifications.tasks``). Like every service it
flushes and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.errors import NotFoundError
from tracker.i18n import _
from tracker.notifications import delivery
from tracker.notifications.events import Channel, EventKind, channel_for
from tracker.notifications.models import Notification, NotificationPreference

PAGE_SIZE = 25


def notify(
    session: Session,
    *,
    event: EventKind,
    recipients: Iterable[User],
    subject_params: Mapping[str, Any],
    link: str,
    dedupe_key: str,
) -> list[Notification]:
    """Tell ``recipients`` of ``event``: one notification each, and a queued e-mail for those
    whose channel for the kind is e-mail at once. ``dedupe_key`` names the event: a recipient
    who already has a notification with that key gets nothing new (so a reminder run twice, or
    an event told twice, reaches nobody twice). Returns the notifications recorded."""
    params = {k: "" if v is None else str(v) for k, v in subject_params.items()}
    recorded = []
    for user in _unique(recipients):
        if not user.active or _exists(session, user.id, dedupe_key):
            continue
        channel = channel_for(event, preferences_of(session, user.id), bool(user.email))
        row = Notification(
            recipient_id=user.id,
            kind=event,
            params=params,
            link=link[:200],
            dedupe_key=dedupe_key[:200],
            channel=channel,
        )
        try:
            with session.begin_nested():  # the unique key turns a simultaneous twin away
                session.add(row)
        except IntegrityError:
            continue
        if channel is Channel.EMAIL:
            delivery.queue_single(session, row, user)
        recorded.append(row)
    session.flush()
    return recorded


def _unique(users: Iterable[User]) -> list[User]:
    return list({u.id: u for u in users}.values())


def _exists(session: Session, user_id: int, dedupe_key: str) -> bool:
    stmt = select(Notification.id).where(
        Notification.recipient_id == user_id, Notification.dedupe_key == dedupe_key[:200]
    )
    return session.scalar(stmt) is not None


def unread_count(session: Session, user_id: int) -> int:
    """The bell's number: one COUNT on (recipient, read_at), on every page."""
    return int(session.scalar(_unread(), {"user_id": user_id}) or 0)


@cache
def _unread() -> Select[int]:
    """Built once: building it cost as much as running it (issue 18 §3)."""
    return select(func.count(Notification.id)).where(
        Notification.recipient_id == bindparam("user_id"), Notification.read_at.is_(None)
    )


@dataclass(frozen=True)
class Page:
    rows: Sequence[Notification]
    number: int
    has_next: bool


def page_of(session: Session, user_id: int, number: int = 1) -> Page:
    """One page of the user's notifications, newest first."""
    number = max(1, number)
    rows = session.scalars(
        select(Notification)
        .where(Notification.recipient_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    return Page(rows[:PAGE_SIZE], number, len(rows) > PAGE_SIZE)


def open_notification(session: Session, *, user: User, notification_id: int) -> Notification:
    """The user's own notification, marked read. Raises NotFoundError for anyone else's (the
    same answer as for one that does not exist)."""
    row = session.get(Notification, notification_id)
    if row is None or row.recipient_id != user.id:
        raise NotFoundError(_("Notifikasi tidak ditemukan."))
    if row.read_at is None:
        row.read_at = utcnow()
        session.flush()
    return row


def mark_all_read(session: Session, *, user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many."""
    result = session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def preferences_of(session: Session, user_id: int) -> dict[EventKind, Channel]:
    """The channels the user chose (kinds without a choice keep their default)."""
    rows = session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    )
    return {row.kind: row.channel for row in rows}


def set_preferences(session: Session, *, user: User, chosen: Mapping[EventKind, Channel]) -> None:
    """Store the user's channel for each kind in ``chosen``."""
    have = {
        row.kind: row
        for row in session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for kind, channel in chosen.items():
        if kind in have:
            have[kind].channel = channel
        else:
            session.add(NotificationPreference(user_id=user.id, kind=kind, channel=channel))
    session.flush()
