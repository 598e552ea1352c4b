"""Reviewer assignment (issue 15 §4). Pure: no Flask, no database.

A lead of a reviewing tier (a grant of one of the tier's roles marked ``lead``, whose scope
reaches the unit) assigns the unit to one reviewer of that tier. The reviewer must hold one of
the tier's roles with scope over the unit and must not belong to it (separation of duties,
``tracker.auth.duties``). Once a unit is assigned, the tier's other reviewers read it but do
not decide on it; its lead still may (to cover an absence without a reassignment). A unit not
yet assigned stays open to every reviewer of the tier in scope, as before assignments existed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from tracker.accreditation.duties import review_conflict
from tracker.auth.access import Grant, UnitRef, covers, roles_for_unit
from tracker.auth.duties import memberships
from tracker.auth.roles import Role
from tracker.i18n import _


@dataclass(frozen=True)
class Reviewer:
    """Someone who could be assigned: their id, name and every grant they hold."""

    id: int
    name: str
    grants: tuple[Grant, ...]


def is_lead(lead_grants: Iterable[Grant], tier_roles: Collection[Role], unit: UnitRef) -> bool:
    """Do the grants flagged ``lead`` make their holder a lead of the tier for ``unit``?"""
    return any(g.role in tier_roles and covers(g, unit) for g in lead_grants)


def reviews_unit(grants: Iterable[Grant], tier_roles: Collection[Role], unit: UnitRef) -> bool:
    """Does the holder of ``grants`` review ``unit`` for the tier, independent of it?"""
    grants = list(grants)
    return bool(roles_for_unit(grants, unit) & set(tier_roles)) and not memberships(grants, unit)


def eligible(
    reviewers: Iterable[Reviewer], tier_roles: Collection[Role], unit: UnitRef
) -> list[Reviewer]:
    """The reviewers who may be assigned ``unit`` for the tier, by name."""
    return sorted(
        (r for r in reviewers if reviews_unit(r.grants, tier_roles, unit)),
        key=lambda r: r.name.casefold(),
    )


def assign_refusal(
    *,
    actor_is_lead: bool,
    tier_label: str,
    reviewer: Reviewer,
    tier_roles: Collection[Role],
    unit: UnitRef,
    unit_name: str,
) -> str | None:
    """Why the assignment may not be made; None when it may."""
    if not actor_is_lead:
        return _(
            "Hanya ketua penilai %(tier)s untuk unit ini yang dapat menugaskan penilai.",
            tier=tier_label,
        )
    if reason := review_conflict(memberships(reviewer.grants, unit), unit_name):
        return _("%(name)s tidak dapat ditugaskan. %(reason)s", name=reviewer.name, reason=reason)
    if not roles_for_unit(reviewer.grants, unit) & set(tier_roles):
        return _(
            "%(name)s bukan penilai %(tier)s untuk unit “%(unit)s”, sehingga tidak dapat "
            "ditugaskan.",
            name=reviewer.name,
            tier=tier_label,
            unit=unit_name,
        )
    return None


def decision_refusal(
    *, assignee_id: int | None, assignee_name: str, actor_id: int, actor_is_lead: bool
) -> str | None:
    """Why the actor may not decide on a unit assigned to ``assignee_id``; None when they may
    (not assigned, assigned to them, or they lead the tier)."""
    if assignee_id is None or assignee_id == actor_id or actor_is_lead:
        return None
    return _(
        "Unit ini ditugaskan kepada %(name)s. Anda dapat membacanya, tetapi keputusan dan "
        "tanda tangan area dilakukan oleh penilai yang ditugaskan atau ketua penilai.",
        name=assignee_name,
    )
