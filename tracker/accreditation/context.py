"""The acting user as services need them: the roles that reach one unit, and their areas."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.accreditation.deployment import Deployment, acting_roles
from tracker.agencies.models import Unit
from tracker.auth.access import UnitRef, editable_areas, roles_for_unit
from tracker.auth.duties import memberships
from tracker.auth.models import User
from tracker.auth.roles import Role


@dataclass(frozen=True)
class Actor:
    user: User
    roles: frozenset[Role]  # only the roles whose scope covers the unit acted on
    areas: frozenset[int]  # LKE areas whose self-assessment the user may edit
    # Separation of duties (issue 13 §12): the roles by which the user belongs to the unit
    # (coordinator, working group); no default, so an Actor built without them is an error.
    memberships: frozenset[Role]
    # Issue 12: in an agency deployment TPN's steps are recorded from PortalRB (``deployment``).
    deployment: Deployment = Deployment.NATIONAL

    @property
    def id(self) -> int:
        return self.user.id


def actor_for(user: User, unit: Unit, deployment: Deployment = Deployment.NATIONAL) -> Actor:
    """``user`` acting on ``unit``: the roles that reach it, as they act in ``deployment``."""
    grants = user.access_grants()
    ref = UnitRef(unit.id, unit.agency_id, unit.path)
    roles = acting_roles(roles_for_unit(grants, ref), deployment)
    return Actor(
        user,
        roles,
        editable_areas(grants, ref),
        memberships=memberships(grants, ref),
        deployment=deployment,
    )
