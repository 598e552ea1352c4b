"""Who hears of what: the people whose roles reach a unit, found through their role grants and
the scope rules of ``tracker.auth.access`` (the same rules that let them open the unit)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tracker.agencies.models import Unit
from tracker.auth.access import UnitRef, covers
from tracker.auth.models import RoleGrant, User
from tracker.auth.roles import Role

UNIT_PEOPLE = frozenset({Role.KOORDINATOR})
LEADERSHIP = frozenset({Role.PIMPINAN})


def reaching(
    session: Session, unit_id: int, roles: Collection[Role], *, area: str | None = None
) -> list[User]:
    """Active users holding one of ``roles`` with a scope that reaches the unit. With ``area``
    ("1".."6", or "B" for the results items), working-group members only when their grant
    covers that area."""
    unit = session.get(Unit, unit_id)
    if unit is None or not roles:
        return []
    ref = UnitRef(unit.id, unit.agency_id, unit.path)
    stmt = (
        select(RoleGrant)
        .join(User, User.id == RoleGrant.user_id)
        .where(User.active.is_(True), RoleGrant.role.in_(list(roles)))
        .where(
            or_(
                RoleGrant.unit_id.in_([*unit.ancestor_ids, unit.id]),
                RoleGrant.agency_id == unit.agency_id,
                (RoleGrant.unit_id.is_(None) & RoleGrant.agency_id.is_(None)),
            )
        )
    )
    users: dict[int, User] = {}
    for grant in session.scalars(stmt):
        if covers(grant.as_grant(), ref) and _area_fits(grant, area):
            users.setdefault(grant.user_id, grant.user)
    return sorted(users.values(), key=lambda u: u.id)


def _area_fits(grant: RoleGrant, area: str | None) -> bool:
    if grant.role is not Role.ANGGOTA_POKJA or area is None or grant.areas is None:
        return True
    return area.isdigit() and int(area) in grant.areas


def admins(session: Session) -> list[User]:
    """Every active administrator."""
    stmt = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(User.active.is_(True), RoleGrant.role == Role.ADMIN)
        .distinct()
        .order_by(User.id)
    )
    return list(session.scalars(stmt))


def of_agency(session: Session, agency_id: int, roles: Collection[Role]) -> list[User]:
    """Active users holding one of ``roles`` for the whole agency (pimpinan, TPI)."""
    stmt = (
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            User.active.is_(True),
            RoleGrant.role.in_(list(roles)),
            RoleGrant.agency_id == agency_id,
        )
        .distinct()
        .order_by(User.id)
    )
    return list(session.scalars(stmt))
