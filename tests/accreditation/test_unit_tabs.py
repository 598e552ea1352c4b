"""The tabs of an enrolment's pages: a tab is shown exactly to those who may open it (issue 14:
the coordinator saw a "Jejak audit" tab that answered 403)."""

from __future__ import annotations

from tests.helpers import login_as
from tests.html import get_page
from tests.world import World


def tabs(client, path: str) -> dict[str, str]:
    """Tab label → link of the enrolment header on ``path``."""
    page = get_page(client, path)
    return {link.text: link.attr("href") for link in page.select("nav.tabs a")}


# Who sees the tab: the roles the trail's own rule admits (may_read_audit), no one else.
SEES_AUDIT = {
    "koordinator": False,
    "pokja": False,
    "pimpinan": False,
    "penilai": True,
    "tpi": True,
    "tpn": True,
    "admin": True,
}


def test_the_audit_tab_is_shown_exactly_to_who_may_open_it(client, world: World) -> None:
    enrolment = world.building()
    audit = f"/enrolments/{enrolment.id}/audit"
    for who, sees_audit in SEES_AUDIT.items():
        login_as(client, getattr(world, who))
        for path in (f"/enrolments/{enrolment.id}", f"/enrolments/{enrolment.id}/compare"):
            shown = tabs(client, path)
            assert "Ringkasan & tahap" in shown, (who, path)  # the header is there
            assert (shown.get("Jejak audit") == audit) is sees_audit, (who, path)
        assert client.get(audit).status_code == (200 if sees_audit else 403), who
