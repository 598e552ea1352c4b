"""Separation of duties on the life cycle (issue 13 §12). Pure: no Flask, no database.

Nobody reviews (approves or returns items), signs off areas, answers a reviewing tier's LKE,
gives a tier verdict or takes a TPN decision (designation included) on a unit they belong to
(``tracker.auth.duties``: its coordinator or working-group member). Services ask here with the
actor's ``memberships`` for the unit, which ``Actor`` always carries (it has no default), so a
path that forgets to gather them fails instead of letting the action through.
"""

from __future__ import annotations

from collections.abc import Collection

from tracker.accreditation.workflow import ACTION_LABELS, ALLOWED_ROLES, Action
from tracker.auth.duties import JUDGING_ROLES
from tracker.auth.roles import ROLE_LABELS, Role
from tracker.i18n import _

# Voiding follows a KKN case recorded against the whole agency (D10): it judges no unit, and
# refusing it would leave the agency's other proposals standing.
NOT_JUDGEMENTS = frozenset({Action.VOID})
# Every action a judging role may take is a judgement of the unit, so that an action added to
# the table for an assessor is covered without anyone remembering to list it here.
JUDGING_ACTIONS = (
    frozenset(a for a, roles in ALLOWED_ROLES.items() if roles & JUDGING_ROLES) - NOT_JUDGEMENTS
)


def _roles(memberships: Collection[Role]) -> str:
    return ", ".join(_(ROLE_LABELS[r]) for r in sorted(memberships))


def action_conflict(action: Action, memberships: Collection[Role], unit: str) -> str | None:
    """Why the actor, belonging to ``unit`` by ``memberships``, may not take ``action`` on it;
    None when the action judges nothing or the actor does not belong to the unit."""
    if action not in JUDGING_ACTIONS or not memberships:
        return None
    return _(
        "Pemisahan tugas: Anda %(roles)s di unit “%(unit)s”, sehingga tidak dapat melakukan "
        "“%(action)s” untuk unit Anda sendiri. Tindakan ini harus dilakukan penilai lain.",
        roles=_roles(memberships),
        unit=unit,
        action=_(ACTION_LABELS[action]),
    )


def review_conflict(memberships: Collection[Role], unit: str) -> str | None:
    """Why the actor may not review, sign off or answer a reviewing tier's LKE of ``unit``;
    None when they do not belong to it."""
    if not memberships:
        return None
    return _(
        "Pemisahan tugas: Anda %(roles)s di unit “%(unit)s”, sehingga tidak dapat menilai, "
        "memutuskan butir, atau menandatangani area LKE unit Anda sendiri. Penilaian ini harus "
        "dilakukan penilai lain.",
        roles=_roles(memberships),
        unit=unit,
    )
