"""The mail outbox: messages queued in their recipient's language, claimed and marked by the
sender, retried with a growing wait, and the daily digests.

Never sent twice: the sender claims a message (``queued`` → ``sending``, attempts + 1) with a
conditional UPDATE and commits before it speaks SMTP, and marks it ``sent`` and commits right
after. Only a ``queued`` message can be claimed, so a message marked sent is never sent again,
whoever runs the task and however often. A worker killed between the two leaves the message
``sending``: after ``STALE_SENDING_SECONDS`` it is queued again (the one case that may send a
copy; its Message-ID is the same, so mail servers and clients can recognise it).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.db import utcnow
from tracker.i18n import N_
from tracker.notifications import events
from tracker.notifications.events import Channel
from tracker.notifications.language import locale_of, translator
from tracker.notifications.models import (
    MailKind,
    MailStatus,
    Notification,
    OutboxMessage,
)
from tracker.system.services import public_base_url

OPEN_PATH = "/notifications/{id}"  # opening a notification marks it read, then follows its link
SETTINGS_PATH = "/notifications/settings"
SUBJECT_PREFIX = "[ZI Tracker] "
OPEN_LABEL = N_("Buka di ZI Tracker:")
FOOTER = N_("Atur notifikasi yang Anda terima: %(url)s")
DIGEST_SUBJECT = N_("Ringkasan notifikasi %(date)s (%(n)s)")
DIGEST_INTRO = N_("Notifikasi Anda sejak ringkasan terakhir:")
TEST_SUBJECT = N_("Uji pengiriman e-mail ZI Tracker")
TEST_BODY = N_(
    "E-mail ini dikirim dari halaman notifikasi administrator untuk menguji server SMTP."
)
BATCH = 100


@dataclass(frozen=True)
class Line:
    """One notification in a mail: what it says and its absolute link."""

    subject: str
    body: str
    url: str


def rendered(row: Notification, locale: str) -> events.Rendered:
    """The notification's subject and body in ``locale``."""
    return events.render(row.kind, row.params, translator(locale))


def queue_single(session: Session, row: Notification, user: User) -> OutboxMessage:
    """Queue the e-mail telling ``user`` of ``row`` (flushed: it needs the row's id)."""
    session.flush()
    locale = locale_of(user.locale)
    message = rendered(row, locale)
    base = public_base_url(session)
    line = Line(message.subject, message.body, base + OPEN_PATH.format(id=row.id))
    return _queue(
        session,
        kind=MailKind.SINGLE,
        user=user,
        locale=locale,
        subject=message.subject,
        lines=[line],
        intro=None,
        notification_id=row.id,
    )


def queue_test(session: Session, *, to: str, by: User) -> OutboxMessage:
    """The administrator's test message to ``to``, in their language."""
    locale = locale_of(by.locale)
    t = translator(locale)
    line = Line(t(TEST_SUBJECT), t(TEST_BODY), public_base_url(session) + "/admin/notifications")
    return _queue(
        session,
        kind=MailKind.TEST,
        user=by,
        locale=locale,
        subject=line.subject,
        lines=[line],
        intro=None,
        to=to,
    )


def queue_digests(session: Session, *, day: date) -> list[OutboxMessage]:
    """One digest per user with digest notifications not yet in one; at most one per user and
    ``day`` (a second run the same day leaves the new ones for tomorrow's)."""
    rows = session.scalars(
        select(Notification)
        .where(Notification.channel == Channel.DIGEST, Notification.digested_at.is_(None))
        .order_by(Notification.recipient_id, Notification.created_at, Notification.id)
    ).all()
    by_user: dict[int, list[Notification]] = {}
    for row in rows:
        by_user.setdefault(row.recipient_id, []).append(row)
    queued = []
    for user_id, notes in by_user.items():
        key = f"digest:{user_id}:{day.isoformat()}"
        if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
            continue
        user = session.get(User, user_id)
        if user is not None and user.active and user.email:
            queued.append(_digest(session, user, notes, key, day))
        for note in notes:
            note.digested_at = utcnow()
    session.flush()
    return queued


def _digest(
    session: Session, user: User, notes: list[Notification], key: str, day: date
) -> OutboxMessage:
    locale = locale_of(user.locale)
    t, base = translator(locale), public_base_url(session)
    lines = []
    for note in notes:
        message = rendered(note, locale)
        lines.append(Line(message.subject, message.body, base + OPEN_PATH.format(id=note.id)))
    subject = t(DIGEST_SUBJECT) % {"date": day.isoformat(), "n": len(notes)}
    return _queue(
        session,
        kind=MailKind.DIGEST,
        user=user,
        locale=locale,
        subject=subject,
        lines=lines,
        intro=t(DIGEST_INTRO),
        dedupe_key=key,
    )


def _queue(
    session: Session,
    *,
    kind: MailKind,
    user: User,
    locale: str,
    subject: str,
    lines: Sequence[Line],
    intro: str | None,
    notification_id: int | None = None,
    to: str | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    t = translator(locale)
    footer = t(FOOTER) % {"url": public_base_url(session) + SETTINGS_PATH}
    message = OutboxMessage(
        kind=kind,
        dedupe_key=dedupe_key,
        notification_id=notification_id,
        user_id=user.id,
        to_address=(to or user.email or "")[:200],
        subject=(SUBJECT_PREFIX + subject)[:200],
        body_text=_text(lines, intro, t(OPEN_LABEL), footer),
        body_html=_html(lines, intro, t(OPEN_LABEL), footer, locale),
        locale=locale,
    )
    session.add(message)
    session.flush()
    return message


def _text(lines: Sequence[Line], intro: str | None, open_label: str, footer: str) -> str:
    parts = [intro] if intro else []
    for line in lines:
        parts.append(f"{line.subject}\n{line.body}\n{open_label} {line.url}")
    return "\n\n".join([*parts, f"-- \n{footer}"]) + "\n"


def _html(
    lines: Sequence[Line], intro: str | None, open_label: str, footer: str, locale: str
) -> str:
    e = html.escape
    items = "".join(
        f'<h3>{e(line.subject)}</h3><p>{e(line.body)}</p><p>{e(open_label)} <a href="'
        f'{e(line.url)}">{e(line.url)}</a></p>'
        for line in lines
    )
    head = f"<p>{e(intro)}</p>" if intro else ""
    return (
        f'<!doctype html><html lang="{e(locale)}"><body>{head}{items}'
        f'<hr><p style="color:#555">{e(footer)}</p></body></html>'
    )


# --- the sender's side ---------------------------------------------------------------------


def due_ids(session: Session, now: datetime, limit: int = BATCH) -> list[int]:
    """Queued messages whose (next) attempt is due, oldest first."""
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == MailStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def claim(session: Session, message_id: int, now: datetime) -> OutboxMessage | None:
    """Take a queued message for sending (counts the attempt); None when it is not queued
    (sent, failed, or claimed by another worker). The caller commits before sending."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MailStatus.QUEUED)
        .values(status=MailStatus.SENDING, attempts=OutboxMessage.attempts + 1, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    row = session.get(OutboxMessage, message_id, populate_existing=True)
    session.flush()
    return row


def record_sent(session: Session, message_id: int, now: datetime) -> None:
    """The server accepted the message: it is never sent again."""
    row = session.get(OutboxMessage, message_id, populate_existing=True)
    if row is not None:
        row.status, row.sent_at, row.last_error = MailStatus.SENT, now, None
        session.flush()


def record_failure(session: Session, message_id: int, error: str, now: datetime) -> MailStatus:
    """The attempt failed: queued again after the next wait, or failed for good when every
    attempt is used up. Returns the status it is left in."""
    row = session.get(OutboxMessage, message_id, populate_existing=True)
    if row is None:
        return MailStatus.FAILED
    delay = events.retry_delay(row.attempts)
    row.last_error = error[:2000]
    if delay is None:
        row.status = MailStatus.FAILED
    else:
        row.status, row.next_attempt_at = MailStatus.QUEUED, now + timedelta(seconds=delay)
    session.flush()
    return row.status


def requeue_stale(session: Session, now: datetime) -> int:
    """Messages left ``sending`` by a worker that died mid-send go back to the queue."""
    before = now - timedelta(seconds=events.STALE_SENDING_SECONDS)
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.SENDING, OutboxMessage.claimed_at < before)
        .values(status=MailStatus.QUEUED, last_error="worker stopped while sending")
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


# --- the administrator's outbox --------------------------------------------------------------


@dataclass(frozen=True)
class Outbox:
    rows: Sequence[OutboxMessage]
    counts: dict[MailStatus, int]
    number: int
    has_next: bool


def outbox(session: Session, number: int = 1, size: int = 50) -> Outbox:
    """Messages newest first, a page at a time, with the number in each status."""
    number = max(1, number)
    rows = session.scalars(
        select(OutboxMessage)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .offset((number - 1) * size)
        .limit(size + 1)
    ).all()
    counts = dict(
        session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return Outbox(
        rows[:size], {s: int(counts.get(s, 0)) for s in MailStatus}, number, len(rows) > size
    )
