"""The rule for an invalid form in accreditation (``tracker.accreditation.web``), form by form.

A form its page renders field by field comes back with status 422, each error next to its field
and what was typed kept; an inline action flashes each error ("Label: message") and redirects
303 back to its page. Either way nothing is saved.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.helpers import login_as, post_form
from tests.html import Page, get_page, page_of
from tests.world import World
from tracker.accreditation.models import (
    AgencyQuota,
    Answer,
    Cycle,
    DeadlineExtension,
    Enrolment,
    ItemDecision,
    KknCase,
    Prerequisite,
)


def _count(world: World, model) -> int:
    world.session.expire_all()
    return world.session.scalar(select(func.count()).select_from(model)) or 0


def _field(page: Page, name: str):
    """The ``.field`` block holding the input, select or textarea named ``name``."""
    (block,) = [f for f in page.select(".field") if f.select(f'[name="{name}"]')]
    return block


# Forms their page renders field by field: re-rendered with 422, errors beside the fields.


def test_a_new_cycle_with_a_bad_year_comes_back_with_the_error_and_the_typed_values(
    client, world: World
) -> None:
    login_as(client, world.admin)
    page = get_page(client, "/cycles")
    inputs = page.select('form[action="/cycles"] input')
    form = {n.attr("name"): n.attr("value") or "" for n in inputs if n.attr("name") != "csrf_token"}
    framework = page.one('select[name="framework_id"] option').attr("value")
    form |= {"year": "1999", "name": "Siklus uji", "framework_id": framework}
    before = _count(world, Cycle)
    answer = page_of(post_form(client, "/cycles", form, page="/cycles"), 422)
    year = _field(answer, "year")
    assert "has-error" in year.classes
    assert year.texts(".field-error") == ["Angka harus antara 2000 dan 2100."]
    assert year.one('input[name="year"]').attr("value") == "1999"
    assert _field(answer, "name").one("input").attr("value") == "Siklus uji"
    assert _count(world, Cycle) == before


@pytest.mark.parametrize(
    ("url", "data", "field", "error", "model"),
    [
        (
            "extensions",
            {"deadline": "proposal_deadline", "agency_id": 0, "new_date": "2026-06-30"},
            "reason",
            "Kolom ini wajib diisi.",
            DeadlineExtension,
        ),
        (
            "quotas",
            {"max_proposals": "-1"},
            "max_proposals",
            "Angka harus antara 0 dan 10000.",
            AgencyQuota,
        ),
        ("kkn", {"occurred_on": "2026-02-01"}, "description", "Kolom ini wajib diisi.", KknCase),
    ],
)
def test_the_cycle_forms_come_back_with_their_errors(
    client, world: World, url, data, field, error, model
) -> None:
    login_as(client, world.admin)
    page = f"/cycles/{world.cycle.id}"
    if "agency_id" not in data:
        data = {**data, "agency_id": world.agency.id}
    answer = page_of(post_form(client, f"{page}/{url}", data, page=page), 422)
    block = _field(answer, field)
    assert "has-error" in block.classes
    assert block.texts(".field-error") == [error]
    # The page's other forms stay blank: only the posted one shows errors and values.
    assert len(answer.select(".field.has-error")) == 1
    assert _count(world, model) == 0


def test_a_declaration_with_a_bad_date_comes_back_with_the_error(client, world: World) -> None:
    login_as(client, world.pimpinan)
    page = f"/units/{world.polres.id}/zi"
    data = {
        "cycle_id": world.cycle.id,
        "target": "WBK",
        "decree_number": "KEP/12/I/2026",
        "decree_date": "2026-01-10",
        "declared_on": "kemarin",
        "note": "Apel pagi",
        "pakta_link": "https://polres.example.go.id/pakta",
    }
    answer = page_of(post_form(client, f"/units/{world.polres.id}/enrol", data, page=page), 422)
    assert _field(answer, "declared_on").texts(".field-error") == ["Tanggal tidak valid."]
    assert _field(answer, "note").one("textarea").text == "Apel pagi"
    assert _field(answer, "pakta_link").one("input").attr("value") == data["pakta_link"]
    assert _count(world, Enrolment) == 0


# Inline actions, one among many on their page: each error flashed, 303 back to the page.


def _flashed_back(client, response, to: str) -> list[str]:
    assert response.status_code == 303
    assert response.headers["Location"] == to
    return get_page(client, to.split("#")[0]).flashes("error")


def test_an_answer_with_a_negative_version_is_flashed_back_at_its_item(
    client, world: World
) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    lke = f"/enrolments/{e.id}/lke"
    response = post_form(client, f"{lke}/unit/A.I.1.i.b", {"value": "B", "version": "-1"}, page=lke)
    back = f"{lke}?tier=unit&area=1#item-A.I.1.i.b"
    assert _flashed_back(client, response, back) == ["Versi isian: Angka paling kecil 0."]
    assert _count(world, Answer) == 0


def test_a_script_gets_the_errors_as_json_with_422(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    lke = f"/enrolments/{e.id}/lke"
    response = post_form(
        client,
        f"{lke}/unit/A.I.1.i.b",
        {"value": "B", "version": "-1"},
        page=lke,
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == ["Versi isian: Angka paling kecil 0."]
    assert _count(world, Answer) == 0


def test_a_review_decision_without_a_verdict_is_flashed_back(client, world: World) -> None:
    e = world.submitted()
    login_as(client, world.penilai)
    lke = f"/enrolments/{e.id}/lke"
    response = post_form(
        client, f"/enrolments/{e.id}/items/A.I.2.i.a/decision", {"seq": 0}, page=lke
    )
    flashes = _flashed_back(client, response, f"{lke}?area=2#item-A.I.2.i.a")
    assert flashes and all(line.startswith("Keputusan: ") for line in flashes)
    assert _count(world, ItemDecision) == 0


def test_a_resubmission_with_a_negative_number_is_flashed_back(client, world: World) -> None:
    e = world.submitted()
    login_as(client, world.koordinator)
    lke = f"/enrolments/{e.id}/lke"
    response = post_form(
        client, f"/enrolments/{e.id}/items/A.I.2.i.a/resubmit", {"seq": -1}, page=lke
    )
    flashes = _flashed_back(client, response, f"{lke}?tier=unit&area=2#item-A.I.2.i.a")
    assert flashes == ["Urutan keputusan: Angka paling kecil 0."]
    assert _count(world, ItemDecision) == 0


def test_a_worksheet_import_without_a_file_is_flashed_back(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    lke = f"/enrolments/{e.id}/lke"
    response = post_form(
        client,
        f"{lke}/import",
        {"tier": "unit", "file": (io.BytesIO(b""), "")},
        page=lke,
        content_type="multipart/form-data",
    )
    assert _flashed_back(client, response, lke) == [
        "Berkas LKE (.xlsx: Lampiran III atau templat PortalRB): Pilih berkas LKE (.xlsx) untuk "
        "diimpor."
    ]
    assert _count(world, Answer) == 0


def test_a_transition_with_an_unknown_action_is_flashed_back(client, world: World) -> None:
    e = world.enrol()
    login_as(client, world.koordinator)
    page = f"/enrolments/{e.id}"
    response = post_form(
        client, f"{page}/advance", {"action": "jump_ahead", "version": e.version}, page=page
    )
    assert _flashed_back(client, response, page) == ["Pilihan tidak valid."]
    world.session.expire_all()
    assert world.session.get(Enrolment, e.id).version == e.version  # not moved


def test_a_prerequisite_without_a_value_is_flashed_back(client, world: World) -> None:
    e = world.enrol()
    login_as(client, world.pimpinan)
    page = f"/enrolments/{e.id}/prerequisites"
    response = post_form(client, page, {"code": "agency.bpk_opinion", "value": ""}, page=page)
    assert _flashed_back(client, response, page) == ["Nilai: Kolom ini wajib diisi."]
    assert _count(world, Prerequisite) == 0
