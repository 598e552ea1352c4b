"""Translation helpers usable from pure modules.

Message ids are written in Indonesian, the default UI language (D12); English comes from the
catalogues under ``tracker/**/translations/en``. Inside a Flask app context the strings are
translated with Flask-Babel for the user's language; outside one (pure unit tests, scripts) they
are returned as written, in Indonesian. This module imports Flask lazily so that pure domain
modules may use it without depending on Flask.
"""

from __future__ import annotations

from typing import Any


def _(message: str, **params: Any) -> str:
    """Translate ``message`` for the current user and fill ``%(name)s`` placeholders."""
    text = _translate(message)
    return text % params if params else text


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (module-level labels)."""
    return message


def _translate(message: str) -> str:
    try:
        from flask import has_app_context
    except ImportError:  # pragma: no cover - Flask is always installed with the app
        return message
    if not has_app_context():
        return message
    from flask_babel import gettext

    return str(gettext(message))
