"""App factory, configuration, health check, language switch, headers and error pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Settings, SettingsError
from tests.helpers import csrf_token, login_as, post_form
from tests.html import get_page
from tracker import create_app


def test_settings_need_no_configuration_locally(tmp_path: Path) -> None:
    settings = Settings.from_env({"TRACKER_INSTANCE_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'tracker.sqlite3'}"
    assert len(settings.secret_key) == 64
    # The generated key is kept: a restart must not log everybody out.
    assert (
        Settings.from_env({"TRACKER_INSTANCE_DIR": str(tmp_path)}).secret_key == settings.secret_key
    )
    assert not settings.production


def test_production_refuses_to_start_without_database_and_secret(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL, SECRET_KEY"):
        Settings.from_env({"TRACKER_ENV": "production", "TRACKER_INSTANCE_DIR": str(tmp_path)})


def test_settings_reject_a_non_numeric_upload_limit(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="MAX_UPLOAD_MB"):
        Settings.from_env({"TRACKER_INSTANCE_DIR": str(tmp_path), "MAX_UPLOAD_MB": "lots"})


def test_production_cookies_are_secure(settings: Settings) -> None:
    app = create_app(Settings(**{**settings.__dict__, "env": "production"}))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_healthz_reaches_the_database(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_security_headers_on_every_response(client) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_are_indonesian_by_default_and_english_on_request(client, english) -> None:
    page = get_page(client, "/login")
    assert (page.one("html").attr("lang"), page.text_of("main h1")) == ("id", "Masuk ke ZI Tracker")
    response = post_form(
        client, "/language/en", page="/login", headers={"Referer": "http://localhost/login"}
    )
    assert response.status_code == 303
    page = get_page(client, "/login")
    assert (page.one("html").attr("lang"), page.text_of("main h1")) == (
        "en",
        "Sign in to ZI Tracker",
    )


def test_unknown_language_is_ignored(client) -> None:
    post_form(client, "/language/fr", page="/login")
    page = get_page(client, "/login")
    assert (page.one("html").attr("lang"), page.text_of("main h1")) == ("id", "Masuk ke ZI Tracker")


def test_not_found_page_is_in_the_users_language(client, factory) -> None:
    login_as(client, factory.user())
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client, factory) -> None:
    login_as(client, factory.user())
    response = client.post("/language/en")
    assert response.status_code == 400
    assert "Formulir kedaluwarsa atau tidak sah" in response.get_data(as_text=True)


def test_post_with_a_forged_csrf_token_is_refused(client, factory) -> None:
    login_as(client, factory.user())
    csrf_token(client, "/")
    response = client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 400


def test_unexpected_errors_show_a_generic_page(app, client, factory) -> None:
    @app.get("/_boom")
    def _boom():
        raise RuntimeError("secret internals: password=hunter2")

    response = client.get("/_boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "hunter2" not in body and "Traceback" not in body
    assert "Terjadi kesalahan pada server" in body


def test_racing_writes_get_a_conflict_message_not_a_500(app, client, factory) -> None:
    from sqlalchemy.exc import IntegrityError

    @app.get("/_race")
    def _race():
        raise IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed"))

    login_as(client, factory.user())
    response = client.get("/_race", headers={"Referer": "http://localhost/"})
    assert response.status_code == 303
    assert "baru saja diubah oleh pengguna lain" in client.get("/").get_data(as_text=True)
