"""Separation of duties (issue 13 §12): nobody judges a unit they belong to. Pure.

"Belonging to" a unit means holding a unit-scoped role in that very unit: its coordinator or
a member of its working group (``MEMBER_ROLES``) builds the self-assessment a judge would be
judging. The other roles are not membership. The agency head (``pimpinan``) and the agency's
TPI are agency-wide by design (the regulation has the inspectorate assess its own agency's
units); a unit's parent is not the unit (the parent's preliminary assessment of its units is
the regulation's own design); and an ancestor's coordinator does not belong to a child unit.

A grant that would make someone a judge of their own unit is not refused: people hold several
roles in small agencies, and the admin may be fixing an order of grants. The grant warns
(``conflicting``), and every judging action on that unit refuses (``tracker.accreditation
.duties``).
"""

from __future__ import annotations

from collections.abc import Iterable

from tracker.auth.access import Grant, UnitRef, covers
from tracker.auth.roles import Role

# Unit-scoped roles: holding one in a unit is belonging to it.
MEMBER_ROLES = frozenset({Role.KOORDINATOR, Role.ANGGOTA_POKJA})
# Roles that judge a unit: its reviews, sign-offs, tier verdicts and TPN decisions.
JUDGING_ROLES = frozenset({Role.PENILAI_PENDAHULUAN, Role.TPI, Role.TPN})


def memberships(grants: Iterable[Grant], unit: UnitRef) -> frozenset[Role]:
    """The roles by which the holder of ``grants`` belongs to ``unit`` (empty: independent)."""
    return frozenset(g.role for g in grants if g.role in MEMBER_ROLES and g.unit_id == unit.id)


def conflicting(judging: Grant, member: Grant) -> bool:
    """Does ``judging`` reach the unit that ``member`` makes its holder belong to?"""
    if judging.role not in JUDGING_ROLES or member.role not in MEMBER_ROLES:
        return False
    if member.unit_id is None or member.agency_id is None or member.unit_path is None:
        return False
    return covers(judging, UnitRef(member.unit_id, member.agency_id, member.unit_path))
