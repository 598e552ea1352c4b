"""Mail settings come from the environment (config.py); the password never shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Settings, SettingsError
from tracker.notifications.mailer import MailServer


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"TRACKER_INSTANCE_DIR": str(tmp_path), **extra}


def test_without_smtp_host_nothing_is_configured(tmp_path: Path) -> None:
    server = MailServer.from_settings(Settings.from_env(env(tmp_path)))
    assert not server.configured and server.security == "starttls" and server.port == 587


def test_the_environment_sets_the_server(tmp_path: Path) -> None:
    settings = Settings.from_env(
        env(
            tmp_path,
            SMTP_HOST="smtp.example.go.id",
            SMTP_PORT="465",
            SMTP_SECURITY="SSL",
            SMTP_USERNAME="zi",
            SMTP_PASSWORD="rahasia-smtp",
            MAIL_FROM="ZI Tracker <zi@example.go.id>",
        )
    )
    server = MailServer.from_settings(settings)
    assert (server.host, server.port, server.security) == ("smtp.example.go.id", 465, "ssl")
    assert server.sender == "ZI Tracker <zi@example.go.id>" and server.configured
    assert "rahasia-smtp" not in repr(server) and "rahasia-smtp" not in repr(settings)


def test_an_unknown_security_is_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SMTP_SECURITY"):
        Settings.from_env(env(tmp_path, SMTP_SECURITY="tls1.0"))
