"""Language selection: Indonesian by default, English on request (D12)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, session
from flask_login import current_user

from tracker.extensions import babel
from tracker.extensions import settings as tracker_settings
from tracker.i18n import request_translations

LANGUAGES = ("id", "en")
PACKAGE_DIR = Path(__file__).resolve().parent


def translation_directories() -> list[str]:
    """Every ``translations`` folder in the package: each domain keeps its own catalogue."""
    return sorted(str(p) for p in PACKAGE_DIR.rglob("translations") if p.is_dir())


def init_app(app: Flask) -> None:
    settings = tracker_settings(app)
    app.config["BABEL_DEFAULT_LOCALE"] = settings.default_locale
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Jakarta"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories())
    babel.init_app(app, locale_selector=_locale_selector)
    # The templates' _() through the request's catalogue, looked up once (request_translations).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by Jinja's i18n extension
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def _locale_selector() -> str:
    if not has_request_context():  # CLI and background jobs speak the default language
        return tracker_settings().default_locale
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    return tracker_settings().default_locale
