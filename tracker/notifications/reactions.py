"""What the tracker's events tell whom: the subscribers the wiring hands to the hooks.

Accreditation fires ``happened`` (items sent back and resubmitted, areas signed off, stage
changes, revocations) and ``designated``; it does not know notifications exist. Each handler
runs in the caller's transaction inside a savepoint of its own: a notification that cannot be
recorded is logged and dropped, and never refuses the review or the hand-off it tells of.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.accreditation import cycles, reviews, tiers
from tracker.accreditation.models import Enrolment, ItemDecision, StageTransition
from tracker.accreditation.workflow import STAGE_LABELS, Stage
from tracker.agencies.models import Unit
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.hooks import Happened, Happening, Hooks
from tracker.notifications import recipients, services
from tracker.notifications.events import EventKind, event_kind_for_action
from tracker.notifications.recipients import LEADERSHIP, UNIT_PEOPLE

logger = logging.getLogger(__name__)
SYSTEM = "ZI Tracker"


def subscribe(hooks: Hooks) -> None:
    """Have ``hooks`` tell notifications of every event they carry."""
    hooks.on_happened(on_happened)
    hooks.on_designated(on_designated)


def on_happened(session: Session, event: Happened) -> None:
    handler = HANDLERS.get(event.kind)
    if handler is not None:
        _guarded(session, lambda: handler(session, event))


def on_designated(session: Session, *, designation: Any, user: Any, issued_on: date) -> None:
    def tell() -> None:
        session.flush()  # the designation's id names the event
        _notify(
            session,
            EventKind.DESIGNATED,
            unit_id=designation.unit_id,
            roles=UNIT_PEOPLE | LEADERSHIP,
            actor=user,
            params={"predicate": designation.predicate.value, "decree": designation.decree_number},
            link=_enrolment_link(designation.enrolment_id, designation.unit_id),
            key=f"designated:{designation.id}",
        )

    _guarded(session, tell)


def _guarded(session: Session, tell: Callable[[], None]) -> None:
    try:
        with session.begin_nested():
            tell()
    except Exception:  # a notification never refuses the change it tells of (see above)
        logger.exception("notification not recorded")


def _sent_back(session: Session, event: Happened) -> None:
    item, tier = event.details["item"], event.details["tier"]
    _notify(
        session,
        EventKind.ITEM_SENT_BACK,
        unit_id=event.unit_id,
        roles={Role.KOORDINATOR, Role.ANGGOTA_POKJA},
        area=tiers.area_of(item),
        actor=event.actor,
        params={"item": item, "comment": event.details.get("comment", "")},
        link=_item_link(event.enrolment_id, tier, item),
        key=f"sent_back:{event.enrolment_id}:{tier}:{item}:{_seq(session, event)}",
    )


def _resubmitted(session: Session, event: Happened) -> None:
    item, tier = event.details["item"], event.details["tier"]
    enrolment = session.get(Enrolment, event.enrolment_id)
    if enrolment is None:
        return
    roles = tiers.by_code(cycles.cycle_tiers(enrolment.cycle), tier).roles
    _notify(
        session,
        EventKind.ITEM_RESUBMITTED,
        unit_id=event.unit_id,
        roles=roles,
        actor=event.actor,
        params={"item": item},
        link=_item_link(event.enrolment_id, tier, item),
        key=f"resubmitted:{event.enrolment_id}:{tier}:{item}:{_seq(session, event)}",
    )


def _signed_off(session: Session, event: Happened) -> None:
    area, tier = event.details["area"], event.details["tier"]
    row = reviews.signed_areas(session, event.enrolment_id or 0, tier).get(area)
    _notify(
        session,
        EventKind.AREA_SIGNED_OFF,
        unit_id=event.unit_id,
        roles=UNIT_PEOPLE | LEADERSHIP,
        actor=event.actor,
        params={"area": area},
        link=f"/enrolments/{event.enrolment_id}/lke?tier={tier}&area={area}",
        key=f"signed_off:{event.enrolment_id}:{tier}:{area}:{row.id if row else 0}",
    )


def _stage_changed(session: Session, event: Happened) -> None:
    kind = event_kind_for_action(event.details["action"])
    enrolment = session.get(Enrolment, event.enrolment_id)
    if kind is None or enrolment is None:
        return
    stage = Stage(event.details["to_stage"])
    deciding = tiers.tier_for_stage(cycles.cycle_tiers(enrolment.cycle), stage)
    roles = set(UNIT_PEOPLE | LEADERSHIP) | (set(deciding.roles) if deciding else set())
    last = session.scalar(
        select(func.max(StageTransition.id)).where(StageTransition.enrolment_id == enrolment.id)
    )
    _notify(
        session,
        kind,
        unit_id=event.unit_id,
        roles=roles,
        actor=event.actor,
        params={
            "stage": STAGE_LABELS[stage],
            "from_stage": STAGE_LABELS[Stage(event.details["from_stage"])],
        },
        link=f"/enrolments/{enrolment.id}",
        key=f"stage:{enrolment.id}:{last}",
    )


def _revoked(session: Session, event: Happened) -> None:
    _notify(
        session,
        EventKind.REVOKED,
        unit_id=event.unit_id,
        roles=UNIT_PEOPLE | LEADERSHIP,
        actor=event.actor,
        params={"predicates": event.details.get("predicates", "")},
        link=_enrolment_link(event.enrolment_id, event.unit_id),
        key=f"revoked:{event.details.get('designation')}",
    )


HANDLERS: dict[Happening, Callable[[Session, Happened], None]] = {
    Happening.ITEM_SENT_BACK: _sent_back,
    Happening.ITEM_RESUBMITTED: _resubmitted,
    Happening.AREA_SIGNED_OFF: _signed_off,
    Happening.STAGE_CHANGED: _stage_changed,
    Happening.REVOKED: _revoked,
}


def _notify(
    session: Session,
    kind: EventKind,
    *,
    unit_id: int,
    roles: Collection[Role],
    actor: User | None,
    params: dict[str, str],
    link: str,
    key: str,
    area: str | None = None,
) -> None:
    """Tell everyone the roles reach at the unit, except whoever acted."""
    unit = session.get(Unit, unit_id)
    people = [
        u
        for u in recipients.reaching(session, unit_id, roles, area=area)
        if actor is None or u.id != actor.id
    ]
    services.notify(
        session,
        event=kind,
        recipients=people,
        subject_params={
            "unit": unit.name if unit else "-",
            "actor": actor.full_name if actor else SYSTEM,
            **params,
        },
        link=link,
        dedupe_key=key,
    )


def _seq(session: Session, event: Happened) -> int:
    """The decision's number: each send-back (and each resubmission) is its own event."""
    stmt = select(func.max(ItemDecision.seq)).where(
        ItemDecision.enrolment_id == event.enrolment_id,
        ItemDecision.tier == event.details["tier"],
        ItemDecision.item_code == event.details["item"],
    )
    return int(session.scalar(stmt) or 0)


def _item_link(enrolment_id: int | None, tier: str, item: str) -> str:
    area = tiers.area_of(item)
    return f"/enrolments/{enrolment_id}/lke?tier={tier}&area={area}#item-{item}"


def _enrolment_link(enrolment_id: int | None, unit_id: int) -> str:
    return f"/enrolments/{enrolment_id}" if enrolment_id else f"/units/{unit_id}"
