"""STARTTLS and TLS from the first byte against a real SMTP server (aiosmtpd) with a certificate
of its own: the mailer checks it against the CA it is told to trust, and refuses it otherwise."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.notifications.conftest import Inbox
from tests.servers import free_port
from tracker.notifications import mailer
from tracker.notifications.mailer import MailServer


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (it is its own CA)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.fixture
def starttls_inbox(certificate) -> Iterator[Inbox]:
    box = Inbox("127.0.0.1", free_port())
    controller = Controller(
        box,
        hostname=box.host,
        port=box.port,
        tls_context=_context(certificate),
        require_starttls=True,
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "zi@example.go.id", "ops@example.go.id", "TLS"
    mail.set_content("isi")
    return mail


def server_for(box: Inbox, security: str, ca_file: str = "") -> MailServer:
    return MailServer(box.host, box.port, security, "", "", "zi@example.go.id", 5.0, ca_file)


def test_starttls_with_the_trusted_certificate_delivers(starttls_inbox: Inbox, certificate) -> None:
    mailer.send(server_for(starttls_inbox, "starttls", str(certificate[0])), message())
    assert [m["Subject"] for m in starttls_inbox.messages] == ["TLS"]


def test_an_untrusted_certificate_is_refused(starttls_inbox: Inbox) -> None:
    with pytest.raises(mailer.MailError, match=r"SSLCertVerificationError|certificate verify"):
        mailer.send(server_for(starttls_inbox, "starttls"), message())
    assert starttls_inbox.messages == []


def test_a_server_that_demands_starttls_refuses_plain_mail(starttls_inbox: Inbox) -> None:
    with pytest.raises(mailer.MailError):
        mailer.send(server_for(starttls_inbox, "none"), message())
    assert starttls_inbox.messages == []


def test_tls_from_the_first_byte_delivers(certificate) -> None:
    box = Inbox("127.0.0.1", free_port())
    controller = Controller(
        box, hostname=box.host, port=box.port, ssl_context=_context(certificate)
    )
    controller.start()
    try:
        server = server_for(box, "ssl", str(certificate[0]))
        mailer.send(server, message())
        with pytest.raises(mailer.MailError):
            mailer.send(replace(server, ca_file=""), message())
    finally:
        controller.stop()
    assert len(box.messages) == 1
