"""Who may see and do what, for which organisation. Pure predicates over role grants.

Views and services turn ORM rows into these small frozen values and ask. Keeping the rules here,
apart from Flask and SQL, means one place decides scope and the access-matrix tests can exercise
it exhaustively.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tracker.auth.roles import SCOPE_OF, Role, ScopeKind


@dataclass(frozen=True)
class Grant:
    """One role held by a user, scoped to an agency or a unit (or nothing, for global roles)."""

    role: Role
    agency_id: int | None = None
    unit_id: int | None = None
    unit_path: str | None = None  # materialised path of unit_id, "/3/17/"
    areas: frozenset[int] | None = None  # anggota_pokja limited to these LKE areas; None = all


@dataclass(frozen=True)
class UnitRef:
    id: int
    agency_id: int
    path: str


@dataclass(frozen=True)
class Scope:
    """What a set of grants can see, in a form a query can filter on."""

    everything: bool
    agency_ids: frozenset[int]
    unit_ids: frozenset[int]
    subtree_paths: frozenset[str]

    @property
    def empty(self) -> bool:
        return not (self.everything or self.agency_ids or self.unit_ids or self.subtree_paths)


def covers(grant: Grant, unit: UnitRef) -> bool:
    """Does ``grant`` reach ``unit``?"""
    kind = SCOPE_OF[grant.role]
    if kind is ScopeKind.GLOBAL:
        return True
    if kind is ScopeKind.AGENCY:
        return grant.agency_id == unit.agency_id
    if kind is ScopeKind.UNIT:
        return grant.unit_id == unit.id
    return grant.unit_path is not None and unit.path.startswith(grant.unit_path)


def roles_for_unit(grants: Iterable[Grant], unit: UnitRef) -> frozenset[Role]:
    """The roles whose scope reaches ``unit``."""
    return frozenset(g.role for g in grants if covers(g, unit))


def can_view_unit(grants: Iterable[Grant], unit: UnitRef) -> bool:
    return bool(roles_for_unit(grants, unit))


def can_view_agency(grants: Iterable[Grant], agency_id: int) -> bool:
    """Agency-wide pages (dashboards) need a global role or an agency-scoped one."""
    return any(
        SCOPE_OF[g.role] is ScopeKind.GLOBAL
        or (SCOPE_OF[g.role] is ScopeKind.AGENCY and g.agency_id == agency_id)
        for g in grants
    )


def is_admin(grants: Iterable[Grant]) -> bool:
    return any(g.role is Role.ADMIN for g in grants)


def has_role(grants: Iterable[Grant], *roles: Role) -> bool:
    return any(g.role in roles for g in grants)


def editable_areas(grants: Iterable[Grant], unit: UnitRef) -> frozenset[int]:
    """LKE areas (1–6) whose self-assessment answers the user may edit for ``unit``.

    The coordinator edits all six; a working-group member only the areas of their grant.
    """
    areas: set[int] = set()
    for g in grants:
        if not covers(g, unit):
            continue
        if g.role is Role.KOORDINATOR:
            return frozenset(range(1, 7))
        if g.role is Role.ANGGOTA_POKJA:
            areas |= g.areas if g.areas is not None else set(range(1, 7))
    return frozenset(areas)


def scope_of(grants: Iterable[Grant]) -> Scope:
    grants = list(grants)
    everything = any(SCOPE_OF[g.role] is ScopeKind.GLOBAL for g in grants)
    return Scope(
        everything=everything,
        agency_ids=frozenset(
            g.agency_id
            for g in grants
            if SCOPE_OF[g.role] is ScopeKind.AGENCY and g.agency_id is not None
        ),
        unit_ids=frozenset(
            g.unit_id for g in grants if SCOPE_OF[g.role] is ScopeKind.UNIT and g.unit_id
        ),
        subtree_paths=frozenset(
            g.unit_path for g in grants if SCOPE_OF[g.role] is ScopeKind.SUBTREE and g.unit_path
        ),
    )
