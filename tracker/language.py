"""Language selection: Indonesian by default, English on request (D12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, session
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

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
    # The templates' _() itself, straight to the catalogue (see template_gettext).
    app.jinja_env.globals["_"] = template_gettext


@pass_context
def template_gettext(context: Context, message: str, **variables: Any) -> str:
    """``_()`` in templates: what Jinja's new-style gettext does (translate, mark safe under
    autoescape, fill ``%(name)s`` placeholders escaped), without its two indirections through
    the context: 8 µs a string, and an LKE area page prints about a thousand of them. A string
    with no ``%`` is its own formatting, so only the others are formatted (``100 %%`` must
    still read ``100 %``)."""
    text = request_translations().ugettext(message)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our catalogues, as Jinja's own gettext marks them
    return text % variables if variables or "%" in text else text


def _locale_selector() -> str:
    if not has_request_context():  # CLI and background jobs speak the default language
        return tracker_settings().default_locale
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    return tracker_settings().default_locale
