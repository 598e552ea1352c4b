"""The one module that speaks SMTP: the standard library's ``smtplib``, plain, STARTTLS or TLS.

``MailServer`` is what ``Settings`` say about the server (the password never shows in its
repr); ``compose`` builds a plain-text message with a simple HTML alternative; ``send`` hands it
over and raises ``MailError`` with a short reason for anything that goes wrong on the way.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from config import Settings


class MailError(Exception):
    """The message could not be handed to the SMTP server (the reason is safe to show)."""


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    security: str  # "none", "starttls" or "ssl"
    username: str
    password: str = field(repr=False)
    sender: str
    timeout: float = 30.0
    ca_file: str = ""  # PEM certificates to trust instead of the system's (a private CA)

    @classmethod
    def from_settings(cls, settings: Settings) -> MailServer:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            username=settings.smtp_username,
            password=settings.smtp_password,
            sender=settings.mail_sender,
            timeout=float(settings.smtp_timeout_seconds),
            ca_file=settings.smtp_ca_file,
        )

    @property
    def configured(self) -> bool:
        """Without a host nothing is sent: messages wait in the outbox."""
        return bool(self.host)


def compose(
    server: MailServer, *, to: str, subject: str, text: str, html: str, message_id: str
) -> EmailMessage:
    """A message from the configured sender: ``text`` with ``html`` as its alternative.
    ``message_id`` is stable per outbox row, so a copy sent twice can be recognised."""
    message = EmailMessage()
    message["From"] = server.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(server.sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<{message_id}@{domain}>"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send(server: MailServer, message: EmailMessage) -> None:
    """Hand ``message`` to the server. Raises MailError (refused connection, TLS or login
    failure, a recipient refused, a timeout)."""
    try:
        with _connect(server) as smtp:
            if server.security == "starttls":
                smtp.starttls(context=_tls(server))
            if server.username:
                smtp.login(server.username, server.password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as err:
        raise MailError(f"{type(err).__name__}: {err}"[:500]) from err


def _connect(server: MailServer) -> smtplib.SMTP:
    if server.security == "ssl":
        return smtplib.SMTP_SSL(
            server.host, server.port, timeout=server.timeout, context=_tls(server)
        )
    return smtplib.SMTP(server.host, server.port, timeout=server.timeout)


def _tls(server: MailServer) -> ssl.SSLContext:
    """Certificates and host names are always checked; ``ca_file`` only says whom to trust."""
    return ssl.create_default_context(cafile=server.ca_file or None)
