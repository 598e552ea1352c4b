"""The acting user as services need them: the roles that reach one unit, and their areas."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.agencies.models import Unit
from tracker.auth.access import UnitRef, editable_areas, roles_for_unit
from tracker.auth.models import User
from tracker.auth.roles import Role


@dataclass(frozen=True)
class Actor:
    user: User
    roles: frozenset[Role]  # only the roles whose scope covers the unit acted on
    areas: frozenset[int]  # LKE areas whose self-assessment the user may edit

    @property
    def id(self) -> int:
        return self.user.id


def actor_for(user: User, unit: Unit) -> Actor:
    grants = user.access_grants()
    ref = UnitRef(unit.id, unit.agency_id, unit.path)
    return Actor(user, roles_for_unit(grants, ref), editable_areas(grants, ref))
