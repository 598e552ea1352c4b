"""Background tasks of notifications: sending the outbox, the daily digest, the reminders.

Mail is only ever sent here, from the job queue, never inside a request. ``deliver`` runs every
minute: it puts back messages a dead worker left half-sent, then sends each queued message whose
attempt is due. A failed attempt is queued again after a wait that doubles from a minute
(``events.retry_delay``, kept in the row, so it survives a worker restart) until
``events.MAX_ATTEMPTS``, then the message is failed with its last error. Without an SMTP host
(``make run``) nothing is sent: messages wait in the outbox the administrator sees.

Like the certificates' tasks, this module is the worker's equivalent of a view: it opens a
session, calls the services and commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from flask import Flask
from huey import Huey, crontab
from huey.api import TaskWrapper
from sqlalchemy.orm import Session

from tracker import jobs
from tracker.clock import today
from tracker.db import utcnow
from tracker.extensions import settings as tracker_settings
from tracker.notifications import delivery, mailer, reminders
from tracker.notifications.models import MailStatus

DELIVER = "notifications.deliver"
SEND = "notifications.send"
REMIND = "notifications.remind"
DIGEST = "notifications.digest"
logger = logging.getLogger(__name__)


def register(huey: Huey) -> dict[str, TaskWrapper]:
    return {
        DELIVER: huey.periodic_task(crontab(), name=DELIVER)(deliver),  # every minute
        SEND: huey.task(name=SEND)(send),
        # Huey's crontab reads UTC: 00:05 UTC is 07:05 in Jakarta, before the working day.
        REMIND: huey.periodic_task(crontab(hour="0", minute="5"), name=REMIND)(remind),
        DIGEST: huey.periodic_task(crontab(hour="0", minute="30"), name=DIGEST)(digest),
    }


def server(app: Flask) -> mailer.MailServer:
    return mailer.MailServer.from_settings(tracker_settings(app))


def deliver() -> int:
    """Send every message due now; returns how many were sent."""
    app = jobs.task_app()
    with app.app_context():
        session: Session = app.extensions["sessionmaker"]()
        try:
            return deliver_due(session, server(app))
        finally:
            session.close()


def send(message_id: int) -> None:
    """Send one message now (the administrator's test mail), if it is still queued."""
    app = jobs.task_app()
    with app.app_context():
        session: Session = app.extensions["sessionmaker"]()
        try:
            send_one(session, server(app), message_id)
        finally:
            session.close()


def remind() -> int:
    """The daily reminders (deadlines, monitoring reports, expiring tokens); returns how many
    were recorded."""
    return _in_session(lambda session: remind_now(session, today()))


def digest() -> int:
    """The daily digests, then their delivery; returns how many digests were queued."""
    return _in_session(lambda session: digest_now(session, today()))


def _in_session(work: Callable[[Session], int]) -> int:
    app = jobs.task_app()
    with app.app_context():
        session: Session = app.extensions["sessionmaker"]()
        try:
            done = work(session)
            deliver_due(session, server(app))
            return int(done)
        finally:
            session.close()


def remind_now(session: Session, day: date) -> int:
    told = (
        reminders.remind_deadlines(session, today=day)
        + reminders.remind_monitoring(session, today=day)
        + reminders.remind_tokens(session, today=day)
    )
    session.commit()
    return len(told)


def digest_now(session: Session, day: date) -> int:
    queued = delivery.queue_digests(session, day=day)
    session.commit()
    return len(queued)


def deliver_due(session: Session, mail: mailer.MailServer) -> int:
    """Requeue what dead workers left half-sent, then send what is due. Committed per message."""
    if not mail.configured:
        return 0
    delivery.requeue_stale(session, utcnow())
    session.commit()
    sent = 0
    for message_id in delivery.due_ids(session, utcnow()):
        sent += send_one(session, mail, message_id) is MailStatus.SENT
    return sent


def send_one(session: Session, mail: mailer.MailServer, message_id: int) -> MailStatus | None:
    """Claim, send, record: the claim is committed before the SMTP conversation and the result
    right after, so a message marked sent is never sent again. None when there was nothing to
    send (no SMTP host, or the message is not queued)."""
    if not mail.configured:
        return None
    row = delivery.claim(session, message_id, utcnow())
    session.commit()
    if row is None:
        return None
    message = mailer.compose(
        mail,
        to=row.to_address,
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        message_id=f"zi-tracker.outbox-{row.id}.{int(row.created_at.timestamp())}",
    )
    try:
        mailer.send(mail, message)
    except mailer.MailError as err:
        status = delivery.record_failure(session, message_id, str(err), utcnow())
        session.commit()
        logger.warning("mail %s not sent (%s): %s", message_id, status.value, err)
        return status
    delivery.record_sent(session, message_id, utcnow())
    session.commit()
    return MailStatus.SENT
