"""The rule for an invalid evidence form: these are inline actions on accreditation's LKE page,
so each error is flashed and the user is sent back (303) to the item; a JSON client gets 422.
Nothing is stored either way (``tracker.forms``)."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.evidence.evidence_samples import pdf_bytes
from tests.helpers import csrf_token, login_as, post_form
from tests.html import get_page
from tests.world import World
from tracker.evidence.models import EvidenceFile

ITEM = "A.I.1.i.a"


def _files(world: World) -> int:
    return world.session.scalar(select(func.count()).select_from(EvidenceFile))


def test_a_link_without_address_is_flashed_back_on_the_item(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    lke = f"/enrolments/{e.id}/lke"
    response = post_form(
        client, f"/enrolments/{e.id}/evidence/link", {"item": ITEM, "url": ""}, page=lke
    )

    assert response.status_code == 303
    assert response.location == f"{lke}?area=1#item-{ITEM}"
    item_page = get_page(client, response.location)
    assert item_page.flashes("error") == ["Tautan: Kolom ini wajib diisi."]
    assert _files(world) == 0


def test_a_streamed_file_for_a_malformed_item_is_refused_with_422(
    client, world: World, settings
) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    response = client.post(
        f"/enrolments/{e.id}/evidence/stream?item=../../etc",
        data=pdf_bytes(),
        headers={
            "X-CSRFToken": csrf_token(client, f"/enrolments/{e.id}/lke"),
            "X-File-Name": "sk.pdf",
            "Content-Type": "application/octet-stream",
            "Accept": "application/json",
        },
    )

    assert response.status_code == 422
    assert response.json["error"] == "Butir: Isian tidak valid."
    assert _files(world) == 0
    assert [p for p in settings.evidence_dir.rglob("*") if p.is_file()] == []
