"""Who takes TPN's steps in this deployment (issue 12 §5). Pure: no Flask, no database.

In the **national** deployment (the default) TPN's members act in the tracker itself. In an
**agency** deployment TPN works in PortalRB, the ministry's system, so nobody acts as TPN here:
the agency's administrator records each step from PortalRB's published results (administrative
selection, corrections, appeal, desk and field evaluation, the TPN survey, the designation
decree), through the same transitions and services as TPN acting, each citing the PortalRB
result it copies.

The rule is applied once, to the roles an actor holds on a unit (``acting_roles``): in an agency
deployment an administrator whose grant reaches the unit takes TPN's part there, and the TPN
role itself acts on nothing (its members may still read what their grant reaches). Because the
roles are those already scoped to the unit, nobody records for a unit their grants do not reach.
"""

from __future__ import annotations

import enum
from collections.abc import Collection

from tracker.auth.roles import Role
from tracker.i18n import _


class Deployment(enum.StrEnum):
    NATIONAL = "national"  # TPN users act in the tracker
    AGENCY = "agency"  # TPN works in PortalRB; the agency records its results here


# Who records TPN's outcomes from PortalRB in an agency deployment.
PORTALRB_RECORDERS = frozenset({Role.ADMIN})
MAX_REFERENCE_LENGTH = 500


def acting_roles(roles: Collection[Role], deployment: Deployment) -> frozenset[Role]:
    """The roles ``roles`` (already scoped to one unit) act with in ``deployment``.

    National: unchanged. Agency: the TPN role is dropped (TPN acts in PortalRB, not here), and a
    PortalRB recorder takes TPN's part: its rights over TPN's actions and the TPN tier."""
    held = frozenset(roles)
    if deployment is Deployment.NATIONAL:
        return held
    held -= {Role.TPN}
    return held | {Role.TPN} if held & PORTALRB_RECORDERS else held


def records_from_portalrb(deployment: Deployment, tpn_step: bool) -> bool:
    """Whether a TPN step (``tpn_step``) taken now is a record of PortalRB's result."""
    return deployment is Deployment.AGENCY and tpn_step


def reference_problem(reference: str) -> str | None:
    """Why ``reference`` cannot stand as the PortalRB result a record copies; None if it can."""
    text = " ".join(reference.split())
    if not text:
        return _(
            "Referensi hasil PortalRB wajib diisi (mis. “Hasil PortalRB 2027-08-30, pengumuman "
            "nomor …” atau tautannya)."
        )
    if len(text) > MAX_REFERENCE_LENGTH:
        return _("Referensi hasil PortalRB paling panjang %(n)s karakter.", n=MAX_REFERENCE_LENGTH)
    return None


def clean_reference(reference: str) -> str:
    return " ".join(reference.split())
