"""Cross-package hooks: how one package reacts to another's event without importing it.

Accreditation designates a unit; certificates issues the award certificate. Accreditation must
not know certificates exists (certificates already reads accreditation's designations, and the
dependency may point one way only), so the designation service fires ``designated`` and the
composition root (``tracker.wiring``) subscribes the certificate service to it.

The hooks travel with the database session (``session.info``): services receive a session, never
the Flask app, so the session is what carries the app's wiring to them. A handler runs inside
the caller's transaction: if it raises, the whole change is refused and nothing is saved.
A session without hooks is a wiring error, never a silent skip: a designation without its
certificate must not happen.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SESSION_KEY = "tracker.hooks"


class DesignatedHandler(Protocol):
    def __call__(
        self, session: Session, *, designation: Any, user: Any, issued_on: date
    ) -> None: ...


class Happening(enum.StrEnum):
    """What a service tells people about (issue 15 §2: notifications subscribe, through the
    wiring, to ``happened``; accreditation does not know them)."""

    ITEM_SENT_BACK = "item_sent_back"
    ITEM_RESUBMITTED = "item_resubmitted"
    AREA_SIGNED_OFF = "area_signed_off"
    STAGE_CHANGED = "stage_changed"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Happened:
    """One happening: to which unit (and enrolment), by whom (a User, or None for the system),
    with plain details (item code, tier, area, action, stages, comment)."""

    kind: Happening
    unit_id: int
    agency_id: int
    enrolment_id: int | None
    actor: Any
    details: Mapping[str, str] = field(default_factory=dict)


class HappenedHandler(Protocol):
    def __call__(self, session: Session, event: Happened) -> None: ...


@dataclass
class Hooks:
    """The subscribers of each cross-package event, in the order they were added."""

    designated: list[DesignatedHandler] = field(default_factory=list)
    happened: list[HappenedHandler] = field(default_factory=list)

    def on_designated(self, handler: DesignatedHandler) -> DesignatedHandler:
        self.designated.append(handler)
        return handler

    def on_happened(self, handler: HappenedHandler) -> HappenedHandler:
        self.happened.append(handler)
        return handler

    def fire_happened(self, session: Session, event: Happened) -> None:
        """Tell every subscriber, in the caller's transaction (a subscriber that must never
        refuse the change, like notifications, guards itself with a savepoint)."""
        for handler in self.happened:
            handler(session, event)

    def fire_designated(
        self, session: Session, *, designation: Any, user: Any, issued_on: date
    ) -> None:
        """Run every subscriber in the caller's transaction (D11: the certificate is issued
        with the designation or not at all)."""
        for handler in self.designated:
            handler(session, designation=designation, user=user, issued_on=issued_on)


def bind(session_info: dict[str, Any], hooks: Hooks) -> None:
    """Make ``hooks`` reach every service that works with a session carrying ``session_info``."""
    session_info[SESSION_KEY] = hooks


def tell(session: Session, kind: Happening, *, enrolment: Any, actor: Any, **details: str) -> None:
    """Fire ``happened`` about ``enrolment`` (anything with ``id``, ``unit_id`` and
    ``agency_id``) as ``actor`` (a User, or None)."""
    event = Happened(kind, enrolment.unit_id, enrolment.agency_id, enrolment.id, actor, details)
    of(session).fire_happened(session, event)


def of(session: Session) -> Hooks:
    """The hooks wired into ``session``. Raises RuntimeError when the session was made outside
    the app's wiring (a programming error: events must not be dropped)."""
    hooks = session.info.get(SESSION_KEY)
    if not isinstance(hooks, Hooks):
        raise RuntimeError("this database session carries no hooks: build it with the app's wiring")
    return hooks
