"""Request helpers shared by the views that act on an enrolment (accreditation, evidence)."""

from __future__ import annotations

from flask import abort

from tracker.accreditation.context import Actor, actor_for
from tracker.accreditation.models import Enrolment
from tracker.auth.access import UnitRef, can_view_unit
from tracker.auth.login import actor_grants, current_actor
from tracker.db import get_or_404, get_session


def load_enrolment(enrolment_id: int) -> tuple[Enrolment, Actor]:
    """The enrolment if the user's scope reaches its unit (404 otherwise), and the actor."""
    enrolment = get_or_404(get_session(), Enrolment, enrolment_id)
    unit = enrolment.unit
    if not can_view_unit(actor_grants(), UnitRef(unit.id, unit.agency_id, unit.path)):
        abort(404)
    return enrolment, actor_for(current_actor(), unit)
