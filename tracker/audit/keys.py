"""The audit trail's key, carried by the database session (as ``tracker.hooks`` are).

Services receive a session, never the app, so the session is what brings them the key that
``config.AUDIT_KEY`` names: ``tracker.sessions`` binds it to every session the app makes (web
requests, CLI commands, jobs). A session built outside the app (unit tests, scripts) has none and
signs with ``UNCONFIGURED``, a fixed and public key. That is not a silent weakness: records so
signed fail ``flask audit verify`` under the real key, so a session that missed its key shows up
as tampering rather than as a quietly forgeable chain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SESSION_KEY = "tracker.audit_key"
UNCONFIGURED = b"tracker-audit: no key configured (tests and scripts only)"


def bind(session_info: dict[str, Any], key: str) -> None:
    """Make every session carrying ``session_info`` sign the trail with ``key`` (when given)."""
    if key:
        session_info[SESSION_KEY] = key.encode("utf-8")


def of(session: Session) -> bytes:
    """The key ``session`` signs and verifies the trail with."""
    key = session.info.get(SESSION_KEY)
    return key if isinstance(key, bytes) else UNCONFIGURED
