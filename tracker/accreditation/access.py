"""Reaching an enrolment or a unit as a user: found and in scope, or not found at all.

Outside the user's scope an enrolment is reported as missing, never as forbidden, so that a
probe cannot tell which exist. Views of any package call this through their own loaders.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, joinedload

from tracker.accreditation.context import Actor, actor_for
from tracker.accreditation.deployment import Deployment
from tracker.accreditation.models import Cycle, Enrolment
from tracker.agencies.models import Unit
from tracker.auth.access import UnitRef, can_view_unit
from tracker.auth.models import User
from tracker.errors import NotFoundError
from tracker.i18n import _


@cache
def _enrolment() -> Select[Enrolment]:
    """The enrolment pages name its agency and read its framework: in the same query, not two
    more; a statement built once (issue 18 §3)."""
    return (
        select(Enrolment)
        .where(Enrolment.id == bindparam("enrolment_id"))
        .options(
            joinedload(Enrolment.agency), joinedload(Enrolment.cycle).joinedload(Cycle.framework)
        )
    )


def _not_found() -> NotFoundError:
    # The same words as any unknown address: nothing tells "exists, not yours" apart.
    return NotFoundError(_("Alamat yang Anda buka tidak ada atau sudah dipindahkan."))


def unit_in_scope(
    session: Session, user: User, unit_id: int, deployment: Deployment = Deployment.NATIONAL
) -> tuple[Unit, Actor]:
    """The unit if ``user``'s grants reach it, and the user acting on it.
    Raises NotFoundError otherwise."""
    unit = session.get(Unit, unit_id)
    if unit is None or not can_view_unit(
        user.access_grants(), UnitRef(unit.id, unit.agency_id, unit.path)
    ):
        raise _not_found()
    return unit, actor_for(user, unit, deployment)


def enrolment_in_scope(
    session: Session, user: User, enrolment_id: int, deployment: Deployment = Deployment.NATIONAL
) -> tuple[Enrolment, Actor]:
    """The enrolment if ``user``'s grants reach its unit, and the user acting on that unit.
    Raises NotFoundError otherwise."""
    enrolment = session.scalars(_enrolment(), {"enrolment_id": enrolment_id}).first()
    if enrolment is None:
        raise _not_found()
    unit = enrolment.unit
    if not can_view_unit(user.access_grants(), UnitRef(unit.id, unit.agency_id, unit.path)):
        raise _not_found()
    return enrolment, actor_for(user, unit, deployment)
