"""The navigation bar: which links each role sees (data and ``items_for``), and the context
processor that gives every page its links (``init_app``).

It sits above ``auth``: it reads the signed-in user's roles, and ``auth`` does not know it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_login import current_user

from tracker.auth.login import actor_grants
from tracker.auth.roles import Role
from tracker.i18n import N_


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: frozenset[Role] | None = None  # None: every signed-in user


# The roles the review queue answers (report_views.queue): a menu entry never leads to a 403.
ALL_REVIEWERS = frozenset({Role.PENILAI_PENDAHULUAN, Role.TPI, Role.TPN})

NAV_ITEMS = (
    NavItem("core.index", N_("Beranda")),
    NavItem(
        "accreditation.dashboard",
        N_("Dasbor"),
        frozenset({Role.PIMPINAN, Role.TPN, Role.TPI, Role.ADMIN}),
    ),
    NavItem("accreditation.queue", N_("Antrean penilaian"), ALL_REVIEWERS),
    NavItem("agencies.index", N_("Instansi & unit")),
    NavItem("certificates.index", N_("Piagam"), frozenset({Role.PIMPINAN, Role.ADMIN, Role.TPN})),
    NavItem("accreditation.cycles_index", N_("Siklus evaluasi"), frozenset({Role.ADMIN, Role.TPN})),
    NavItem("accreditation.designations_admin", N_("Riwayat penetapan"), frozenset({Role.ADMIN})),
    NavItem("portalrb.index", N_("PortalRB"), frozenset({Role.PIMPINAN, Role.ADMIN})),
    NavItem("auth.users", N_("Pengguna"), frozenset({Role.ADMIN})),
    NavItem("system.settings", N_("Pengaturan sistem"), frozenset({Role.ADMIN})),
)


def items_for(roles: Collection[Role], available: Collection[str]) -> list[NavItem]:
    """Links for a user holding ``roles``, skipping endpoints the app does not have."""
    return [
        item
        for item in NAV_ITEMS
        if item.endpoint in available and (item.roles is None or item.roles & set(roles))
    ]


def init_app(app: Flask) -> None:
    """Give every template ``nav_items``: the links of the signed-in user (none when signed out)."""

    @app.context_processor
    def _inject_nav() -> dict[str, Any]:
        if not current_user.is_authenticated:
            return {"nav_items": []}
        roles = {g.role for g in actor_grants()}
        return {"nav_items": items_for(roles, app.view_functions)}
