"""Translation helpers usable from pure modules.

Message ids are written in Indonesian, the default UI language (D12); English comes from the
catalogues under ``tracker/**/translations/en``. Inside a Flask app context the strings are
translated with Flask-Babel for the user's language; outside one (pure unit tests, scripts) they
are returned as written, in Indonesian. This module imports Flask lazily so that pure domain
modules may use it without depending on Flask.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any


def _(message: str, **params: Any) -> str:
    """Translate ``message`` for the current user and fill ``%(name)s`` placeholders."""
    text = _translate(message)
    return text % params if params else text


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (module-level labels)."""
    return message


def in_english() -> bool:
    """Whether the current user reads English (for names kept in two languages as data, such
    as the framework's labels); False outside a request."""
    from flask import has_request_context

    return has_request_context() and language() == "en"


def language() -> str:
    """The language of the current request as Flask-Babel selected it ("id" or "en"; the
    default locale outside a request). Asked ~150 times for an LKE page: once it has been
    worked out, the locale Flask-Babel keeps for the request is read directly."""
    g, has_app_context, get_locale, _get_translations = _flask_parts()
    if not has_app_context():
        return "id"
    store = g._get_current_object().__dict__  # one context lookup, not one per attribute
    locale = getattr(store.get("_flask_babel"), "babel_locale", None) or get_locale()
    cached: tuple[object, str] | None = store.get("_tracker_language")
    if cached is not None and cached[0] is locale:  # the same locale: its code as worked out
        return cached[1]
    code = str(locale or "id")
    store["_tracker_language"] = (locale, code)
    return code


def long_date(day: date) -> str:
    """A date the Indonesian way, ``31 Maret 2027`` (``March 31, 2027`` for an English reader)."""
    from babel.dates import format_date

    return format_date(day, "long", locale="en" if in_english() else "id")


def _translate(message: str) -> str:
    try:
        from flask import has_app_context
    except ImportError:  # pragma: no cover - Flask is always installed with the app
        return message
    if not has_app_context():
        return message
    return str(request_translations().ugettext(message))


def request_translations() -> Any:
    """The catalogue of the current request's language, as ``flask_babel.get_translations``
    gives it, but looked up once per request and locale: Flask-Babel's own lookup costs about
    25 µs per string (three context lookups and the locale's identifier each time), and an LKE
    area page asks for about a thousand strings (the templates' ``_()`` use this too:
    ``tracker.language``). Flask-Babel's cached locale object names the language the catalogue
    was taken for, so a locale changed mid-request is still honoured."""
    g, has_app_context, get_locale, get_translations = _flask_parts()
    if not has_app_context():
        return get_translations()
    store = g._get_current_object().__dict__  # one context lookup, not one per attribute
    babel_context = store.get("_flask_babel")
    locale = getattr(babel_context, "babel_locale", None)
    cached = store.get("_tracker_translations")
    if cached is not None and locale is not None and cached[0] is locale:
        return cached[1]
    translations = get_translations()
    store["_tracker_translations"] = (get_locale(), translations)
    return translations


@lru_cache(maxsize=1)
def _flask_parts() -> tuple[Any, Any, Any, Any]:
    """Flask's and Flask-Babel's lookups, imported on first use (pure modules import this
    module without Flask) and once, not on every string."""
    from flask import g, has_app_context
    from flask_babel import get_locale, get_translations

    return g, has_app_context, get_locale, get_translations
