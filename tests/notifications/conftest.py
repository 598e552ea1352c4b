"""A real SMTP server on 127.0.0.1 (aiosmtpd's Controller on a free port) that keeps every
message it receives, and an app whose settings point the mailer at it."""

from __future__ import annotations

import email
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy.orm import Session

from config import Settings
from tests.compiled import share_compiled_templates
from tests.servers import free_port
from tests.world import world  # noqa: F401 - the life-cycle world, for the event tests
from tracker import create_app
from tracker.notifications.mailer import MailServer
from tracker.system import services as system

PUBLIC = "https://zi.example.go.id"


@dataclass
class Inbox:
    """What the SMTP server received: parsed messages and their envelopes' recipients."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append(message)  # type: ignore[arg-type]
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [
            m for m, rcpt in zip(self.messages, self.recipients, strict=True) if address in rcpt
        ]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox("127.0.0.1", free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def mail_settings(settings: Settings, inbox: Inbox) -> Settings:
    return replace(
        settings,
        smtp_host=inbox.host,
        smtp_port=inbox.port,
        smtp_security="none",
        mail_sender="ZI Tracker <zi@example.go.id>",
        smtp_timeout_seconds=5,
        public_base_url=PUBLIC,
    )


@pytest.fixture
def server(mail_settings: Settings) -> MailServer:
    return MailServer.from_settings(mail_settings)


@pytest.fixture
def public(session: Session) -> str:
    """The public address the session's services build links on."""
    system.bind_env_default(session.info, PUBLIC)
    return PUBLIC


@pytest.fixture
def mail_app(mail_settings: Settings, session: Session, public: str) -> Iterator[Flask]:
    app = share_compiled_templates(create_app(mail_settings))
    app.config.update(TESTING=True)
    app.extensions["sessionmaker"] = lambda: session
    yield app
    app.extensions["engine"].dispose()
