"""The stored system settings: reading the effective public address, and changing it.

``public_base_url(session)`` is the one way to read the tracker's public address: the
administrator's setting when there is one, else ``PUBLIC_BASE_URL`` from the environment. The
environment's value travels with the session, as the hooks do (``tracker.hooks``): the
composition root binds it to every session of the app (``bind_env_default``), so services,
commands and background jobs read the same address without reaching for the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import DEFAULT_PUBLIC_BASE_URL
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.db import utcnow
from tracker.errors import ValidationError
from tracker.system import public_url
from tracker.system.models import SystemSetting

PUBLIC_BASE_URL = "public_base_url"  # the setting's key
SESSION_KEY = "tracker.public_base_url"  # the environment's default, in ``session.info``


def bind_env_default(session_info: dict[str, Any], url: str) -> None:
    """Make ``url`` (``Settings.public_base_url``) the default of every session carrying
    ``session_info``."""
    session_info[SESSION_KEY] = url.rstrip("/")


def env_public_base_url(session: Session) -> str:
    """The environment's public address (``PUBLIC_BASE_URL``), as bound to ``session``."""
    return str(session.info.get(SESSION_KEY) or DEFAULT_PUBLIC_BASE_URL)


def public_base_url(session: Session) -> str:
    """The tracker's public address, e.g. ``https://zi.instansi.go.id`` (no trailing slash):
    the administrator's setting, else the environment's. Certificates print and encode it;
    every public link the tracker hands out is built on it."""
    return _stored(session) or env_public_base_url(session)


@dataclass(frozen=True)
class PublicAddress:
    """What the administrator's page and the dashboard warning show."""

    url: str  # in force
    stored: str | None  # the administrator's setting, None when the environment's is used
    env_default: str
    problem: str | None  # why the public could never open ``url``, or None

    @property
    def reachable(self) -> bool:
        return self.problem is None


def public_address(session: Session) -> PublicAddress:
    """The address in force, where it comes from, and why the public could not open it."""
    stored, env_default = _stored(session), env_public_base_url(session)
    url = stored or env_default
    try:  # the environment's value was never checked: say so rather than print it broken
        problem = public_url.unreachable_reason(public_url.clean(url))
    except ValidationError as err:
        problem = str(err)
    return PublicAddress(url, stored, env_default, problem)


def set_public_base_url(session: Session, *, user: User | None, value: str) -> str:
    """Store the public address ``value`` (cleaned), or with an empty ``value`` go back to the
    environment's. Returns the address now in force. Audited when it changes; certificates
    already issued keep the address they were issued with.

    Raises ``ValidationError`` (from ``public_url.clean``) for an address that is not an
    http(s) origin.
    """
    new = public_url.clean(value) if (value or "").strip() else ""
    row = session.scalar(select(SystemSetting).where(SystemSetting.key == PUBLIC_BASE_URL))
    old = row.value if row is not None else ""
    if new == old:
        return public_base_url(session)
    if row is None:
        row = SystemSetting(key=PUBLIC_BASE_URL)
        session.add(row)
    row.value, row.updated_at = new, utcnow()
    row.updated_by_id = user.id if user is not None else None
    session.flush()
    env_default = env_public_base_url(session)
    audit.record(
        session,
        actor=user,
        tag="system:public_url:set",
        subject=row,
        data={"old": old or env_default, "new": new or env_default},
    )
    return public_base_url(session)


def _stored(session: Session) -> str | None:
    value = session.scalar(select(SystemSetting.value).where(SystemSetting.key == PUBLIC_BASE_URL))
    return value or None
