"""E-mail through a real SMTP server on 127.0.0.1 (aiosmtpd): what arrives, in whose language,
with which link; never twice, however often the task runs or fails; the outbox without SMTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import Factory
from tests.notifications.conftest import PUBLIC, Inbox
from tests.servers import free_port
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.db import utcnow
from tracker.notifications import delivery, services, tasks
from tracker.notifications.events import Channel, EventKind
from tracker.notifications.mailer import MailServer
from tracker.notifications.models import MailStatus, Notification, OutboxMessage

PARAMS = {"unit": "Polres Uji", "item": "A.I.1.i.a", "actor": "Penilai Uji", "comment": "SK kurang"}


def person(factory: Factory, session: Session, locale: str | None = None) -> User:
    user = factory.user(Role.TPN)
    user.email = f"{user.username}@example.go.id"
    user.locale = locale
    session.commit()
    return user


def sent_back(session: Session, users: list[User], key: str = "sent_back:1") -> list[Notification]:
    rows = services.notify(
        session,
        event=EventKind.ITEM_SENT_BACK,
        recipients=users,
        subject_params=PARAMS,
        link="/enrolments/1/lke?tier=preliminary&area=1#item-A.I.1.i.a",
        dedupe_key=key,
    )
    session.commit()
    return rows


def outbox_of(session: Session, notification: Notification) -> OutboxMessage:
    return session.scalars(
        select(OutboxMessage).where(OutboxMessage.notification_id == notification.id)
    ).one()


def test_mail_arrives_in_each_recipients_language_with_the_link(
    session: Session, factory: Factory, inbox: Inbox, server: MailServer, public: str, english
) -> None:
    budi = person(factory, session)  # no choice: Indonesian
    jane = person(factory, session, locale="en")
    rows = sent_back(session, [budi, jane])
    assert tasks.deliver_due(session, server) == 2
    [to_budi], [to_jane] = inbox.to(budi.email), inbox.to(jane.email)
    assert (
        to_budi["Subject"] == "[ZI Tracker] Butir A.I.1.i.a Polres Uji dikembalikan untuk perbaikan"
    )
    assert to_jane["Subject"] == "[ZI Tracker] Item A.I.1.i.a of Polres Uji sent back for revision"
    assert to_budi["From"] == "ZI Tracker <zi@example.go.id>"
    text = to_jane.get_body(preferencelist=("plain",)).get_content()
    html = to_jane.get_body(preferencelist=("html",)).get_content()
    link = f"{PUBLIC}/notifications/{rows[1].id}"
    assert "Reviewer's comment: SK kurang" in text and f"Open in ZI Tracker: {link}" in text
    assert f'href="{link}"' in html and 'lang="en"' in html
    assert "Catatan penilai: SK kurang" in to_budi.get_body(preferencelist=("plain",)).get_content()
    assert outbox_of(session, rows[0]).status is MailStatus.SENT


def test_running_the_send_task_twice_sends_nothing_twice(
    session: Session, factory: Factory, inbox: Inbox, server: MailServer, public: str
) -> None:
    [row] = sent_back(session, [person(factory, session)])
    message = outbox_of(session, row)
    assert tasks.deliver_due(session, server) == 1
    assert tasks.deliver_due(session, server) == 0
    assert tasks.send_one(session, server, message.id) is None  # marked sent: never again
    assert len(inbox.messages) == 1
    session.refresh(message)
    assert message.attempts == 1 and message.sent_at is not None


def test_a_refused_connection_keeps_the_message_queued_then_a_retry_sends_it_once(
    session: Session, factory: Factory, inbox: Inbox, server: MailServer, public: str
) -> None:
    [row] = sent_back(session, [person(factory, session)])
    refused = replace(server, port=free_port())  # nothing listens there
    assert tasks.deliver_due(session, refused) == 0
    message = outbox_of(session, row)
    session.refresh(message)
    assert message.status is MailStatus.QUEUED and message.attempts == 1
    assert "Connection refused" in (message.last_error or "") or "Errno" in (
        message.last_error or ""
    )
    assert message.next_attempt_at > utcnow() + timedelta(seconds=50)  # waits before retrying
    assert tasks.deliver_due(session, server) == 0  # not yet due: nothing sent early
    message.next_attempt_at = utcnow() - timedelta(seconds=1)  # the wait is over
    session.commit()
    assert tasks.deliver_due(session, server) == 1
    assert tasks.deliver_due(session, server) == 0
    session.refresh(message)
    assert (message.status, message.attempts, len(inbox.messages)) == (MailStatus.SENT, 2, 1)


def test_a_message_that_keeps_failing_ends_failed_with_its_error(
    session: Session, factory: Factory, server: MailServer, public: str
) -> None:
    [row] = sent_back(session, [person(factory, session)])
    refused = replace(server, port=free_port())
    message = outbox_of(session, row)
    for _ in range(10):
        message.next_attempt_at = utcnow() - timedelta(seconds=1)
        session.commit()
        tasks.deliver_due(session, refused)
        session.refresh(message)
    assert message.status is MailStatus.FAILED and message.attempts == 6
    assert message.last_error


def test_a_worker_killed_mid_send_does_not_resend_at_once_and_never_after_sent(
    session: Session, factory: Factory, inbox: Inbox, server: MailServer, public: str
) -> None:
    [row] = sent_back(session, [person(factory, session)])
    message = outbox_of(session, row)
    # The worker claimed the message, committed, and died before recording the outcome.
    assert delivery.claim(session, message.id, utcnow()) is not None
    session.commit()
    assert tasks.deliver_due(session, server) == 0  # claimed by someone: left alone
    # Long after, it is put back and sent once; once marked sent it is never sent again.
    message.claimed_at = utcnow() - timedelta(hours=1)
    session.commit()
    assert tasks.deliver_due(session, server) == 1
    assert tasks.deliver_due(session, server) == 0
    assert len(inbox.messages) == 1


def test_the_daily_digest_sends_one_mail_with_everything_since_the_last(
    session: Session, factory: Factory, inbox: Inbox, server: MailServer, public: str
) -> None:
    user = person(factory, session)
    services.set_preferences(session, user=user, chosen={EventKind.ITEM_SENT_BACK: Channel.DIGEST})
    sent_back(session, [user], key="a")
    sent_back(session, [user], key="b")
    assert session.scalars(select(OutboxMessage)).all() == []  # nothing at once
    day = date(2026, 3, 2)
    assert tasks.digest_now(session, day) == 1
    assert tasks.digest_now(session, day) == 0  # one a day
    assert tasks.deliver_due(session, server) == 1
    [mail] = inbox.messages
    assert mail["Subject"] == "[ZI Tracker] Ringkasan notifikasi 2026-03-02 (2)"
    assert (
        mail.get_body(preferencelist=("plain",)).get_content().count("Polres Uji dikembalikan") == 2
    )
    sent_back(session, [user], key="c")
    assert tasks.digest_now(session, day + timedelta(days=1)) == 1  # only what came since


def test_in_app_only_sends_nothing(
    session: Session, factory: Factory, inbox: Inbox, server: MailServer, public: str
) -> None:
    user = person(factory, session)
    services.set_preferences(session, user=user, chosen={EventKind.ITEM_SENT_BACK: Channel.IN_APP})
    [row] = sent_back(session, [user])
    assert row.channel is Channel.IN_APP
    assert tasks.deliver_due(session, server) == 0 and inbox.messages == []
    assert tasks.digest_now(session, date(2026, 3, 2)) == 0


def test_without_smtp_mail_waits_in_the_outbox(
    session: Session, factory: Factory, server: MailServer, public: str
) -> None:
    [row] = sent_back(session, [person(factory, session)])
    nothing = replace(server, host="")
    assert tasks.deliver_due(session, nothing) == 0
    message = outbox_of(session, row)
    assert (message.status, message.attempts) == (MailStatus.QUEUED, 0)
    assert delivery.outbox(session).counts[MailStatus.QUEUED] == 1


def test_the_commands_deliver_remind_and_digest_on_demand(
    mail_app, session: Session, factory: Factory, inbox: Inbox
) -> None:
    sent_back(session, [person(factory, session)])
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["notifications", "deliver"])
    assert result.exit_code == 0 and "sent: 1" in result.output and len(inbox.messages) == 1
    result = runner.invoke(args=["notifications", "remind", "--on", "2026-03-24"])
    assert result.exit_code == 0 and "reminders recorded: 0" in result.output
    result = runner.invoke(args=["notifications", "digest", "--on", "2026-03-24"])
    assert result.exit_code == 0 and "digests queued: 0" in result.output


def test_the_worker_tasks_are_registered_and_run_in_the_app(
    mail_app, session: Session, factory: Factory, inbox: Inbox
) -> None:
    from huey.api import PeriodicTask

    from tracker.extensions import JOB_TASKS

    registered = mail_app.extensions[JOB_TASKS]
    for name in (tasks.DELIVER, tasks.REMIND, tasks.DIGEST):
        assert isinstance(registered[name].task_class(), PeriodicTask), name
    sent_back(session, [person(factory, session)])
    with mail_app.app_context():
        assert tasks.deliver() == 1  # what the worker runs every minute
        assert tasks.deliver() == 0
        assert tasks.remind() == 0 and tasks.digest() == 0
    assert len(inbox.messages) == 1
