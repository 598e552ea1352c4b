"""Issue 12 §5: TPN's scores per item, as PortalRB publishes them, imported into the TPN tier by
the agency's administrator: a CSV or JSON file keyed by ``soal_id``, or the TPN column of an
official worksheet, each through the preview and its confirmation."""

from __future__ import annotations

import dataclasses
import io
import json
import re

import pytest

from config import Settings
from tests.accreditation.test_agency_mode import proposed
from tests.helpers import login_as, post_form
from tests.html import get_page
from tests.world import World
from tracker.accreditation import assessments, soal_import
from tracker.accreditation.soal_import import SoalFormat
from tracker.csvfiles import ImportFailedError
from tracker.lke import get_framework
from tracker.lke.worksheet import WorksheetLayout, write_worksheet

FRAMEWORK = get_framework("lke-2021")
SOALS = {(ref.code, ref.input_key): sid for sid, ref in FRAMEWORK.soal_map().items()}
CHOICE = "A.I.1.iii.a"  # a choice item (A-E)
PERCENT = "A.II.1.i.a"  # a % item: one soal_id per typed count


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, deployment="agency")


def soal_of(code: str, key: str | None = None) -> int:
    return SOALS[(code, key)]


def good_rows() -> list[dict]:
    item = FRAMEWORK.item(PERCENT)
    counts = [
        {"soal_id": soal_of(PERCENT, i.key), "jawaban": n, "catatan": ""}
        for i, n in zip(item.inputs, (10, 8), strict=False)
    ]
    return [
        {"soal_id": soal_of(CHOICE), "jawaban": "B", "catatan": "Dokumen belum lengkap"},
        *counts,
    ]


def as_csv(rows: list[dict]) -> bytes:
    lines = ["soal_id;jawaban;catatan"] + [
        f"{r['soal_id']};{r['jawaban']};{r['catatan']}" for r in rows
    ]
    return "\n".join(lines).encode()


def test_soal_id_files_become_the_items_answers() -> None:
    assert len(FRAMEWORK.item(PERCENT).inputs) == 2
    for data, fmt in (
        (as_csv(good_rows()), SoalFormat.CSV),
        (json.dumps({"answers": good_rows()}).encode(), SoalFormat.JSON),
    ):
        read = soal_import.read_for_tier(data, fmt, FRAMEWORK)
        item = FRAMEWORK.item(PERCENT)
        assert read.result.answers == {
            CHOICE: "B",
            PERCENT: {
                i.key: v
                for i, v in zip(
                    item.inputs, ("10", "8") if fmt is SoalFormat.CSV else (10, 8), strict=True
                )
            },
        }
        assert read.result.notes == {CHOICE: "Dokumen belum lengkap"}
        assert "soal_id" in read.layout_label


@pytest.mark.parametrize(
    ("rows", "messages"),
    [
        (
            [{"soal_id": 999999, "jawaban": "A", "catatan": ""}],
            ["Baris 2: soal_id 999999 tidak ada"],
        ),
        (
            [{"soal_id": soal_of(CHOICE), "jawaban": "F", "catatan": ""}],
            ["Baris 2 (soal_id", "jawaban F tidak termasuk pilihan"],
        ),
        (
            [{"soal_id": soal_of(CHOICE), "jawaban": "A", "catatan": ""}] * 2,
            [f"Baris 3: soal_id {soal_of(CHOICE)} sudah ada di Baris 2"],
        ),
        (
            [
                {
                    "soal_id": soal_of(PERCENT, FRAMEWORK.item(PERCENT).inputs[0].key),
                    "jawaban": "-3",
                    "catatan": "",
                }
            ],
            ["Jumlah Agen Perubahan harus bilangan bulat tidak negatif, bukan -3"],
        ),
        (
            [
                {
                    "soal_id": soal_of(PERCENT, FRAMEWORK.item(PERCENT).inputs[0].key),
                    "jawaban": "10",
                    "catatan": "",
                }
            ],
            [f"Baris 2: butir {PERCENT} memerlukan semua jumlahnya"],
        ),
        ([{"soal_id": "abc", "jawaban": "A", "catatan": ""}], ["soal_id harus bilangan bulat"]),
    ],
)
def test_bad_rows_are_each_reported_and_nothing_is_read(rows, messages) -> None:
    with pytest.raises(ImportFailedError) as caught:
        soal_import.read_for_tier(as_csv(rows), SoalFormat.CSV, FRAMEWORK)
    text = " ".join(caught.value.errors)
    for message in messages:
        assert message in text


def test_bad_json_is_refused_with_its_entries_named() -> None:
    for data, message in (
        (b"{not json", "bukan JSON yang sah"),
        (b'{"data": 1}', "daftar jawaban"),
        (
            json.dumps([{"soal_id": soal_of(CHOICE), "nilai": "A"}]).encode(),
            "Entri 1: kunci tidak dikenal: nilai",
        ),
        (
            json.dumps([{"soal_id": soal_of("B.I.a"), "jawaban": "5,5"}]).encode(),
            "antara 0,00 dan 4,00",
        ),
    ):
        with pytest.raises(ImportFailedError, match=re.escape(message)):
            soal_import.read_for_tier(data, SoalFormat.JSON, FRAMEWORK)


def _tpn_value(world: World, e, code: str):
    world.session.expire_all()
    a = assessments.get_assessment(world.session, e.id, "tpn")
    return assessments.answer_rows(world.session, [a.id])[a.id][code]


def _preview_and_confirm(client, e, url: str, files: dict):
    response = post_form(
        client,
        url,
        files,
        page=f"/enrolments/{e.id}/lke?tier=tpn",
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="token"', html
    )
    assert token, "no confirmation on the preview"
    return html, post_form(
        client,
        f"/enrolments/{e.id}/lke/import/confirm",
        {"token": token.group(1)},
        page=f"/enrolments/{e.id}/lke?tier=tpn",
    )


def test_the_admin_imports_tpn_scores_by_soal_id_with_a_preview(client, world: World) -> None:
    e = proposed(world)
    login_as(client, world.admin)
    page = get_page(client, f"/enrolments/{e.id}/lke?tier=tpn")
    assert page.select("form.soal-import-form") != []
    assert "TPN menilai di PortalRB" in page.text
    bad = as_csv([{"soal_id": 999999, "jawaban": "A", "catatan": ""}])
    response = post_form(
        client,
        f"/enrolments/{e.id}/lke/import-soal",
        {"tier": "tpn", "file": (io.BytesIO(bad), "tpn.csv")},
        page=f"/enrolments/{e.id}/lke?tier=tpn",
        content_type="multipart/form-data",
        headers={"Referer": f"http://localhost/enrolments/{e.id}/lke?tier=tpn"},
    )
    assert response.status_code == 303
    errors = " ".join(get_page(client, f"/enrolments/{e.id}/lke?tier=tpn").flashes("error"))
    assert "soal_id 999999 tidak ada" in errors
    before = _tpn_value(world, e, CHOICE).value
    html, confirmed = _preview_and_confirm(
        client,
        e,
        f"/enrolments/{e.id}/lke/import-soal",
        {"tier": "tpn", "file": (io.BytesIO(json.dumps(good_rows()).encode()), "tpn.json")},
    )
    assert "Berkas JSON per soal_id PortalRB" in html
    assert before == "A" and CHOICE in html  # the preview listed the change it then saved
    assert confirmed.status_code == 303
    row = _tpn_value(world, e, CHOICE)
    assert (row.value, row.note) == ("B", "Dokumen belum lengkap")
    assert _tpn_value(world, e, PERCENT).value is not None


def test_the_tpn_column_of_a_worksheet_is_imported_by_the_admin(client, world: World) -> None:
    e = proposed(world)
    login_as(client, world.admin)
    answers = {CHOICE: "C"}
    for layout in (WorksheetLayout.LAMPIRAN3, WorksheetLayout.PORTALRB):
        data = write_worksheet(FRAMEWORK, answers, {CHOICE: "TPN: C"}, layout=layout)
        _html, confirmed = _preview_and_confirm(
            client,
            e,
            f"/enrolments/{e.id}/lke/import",
            {"tier": "tpn", "file": (io.BytesIO(data), "lke-tpn.xlsx")},
        )
        assert confirmed.status_code == 303
        assert _tpn_value(world, e, CHOICE).value == answers[CHOICE]
        answers = {CHOICE: "D"}


def test_a_tpn_member_cannot_import_in_an_agency_deployment(client, world: World) -> None:
    e = proposed(world)
    login_as(client, world.tpn)
    response = post_form(
        client,
        f"/enrolments/{e.id}/lke/import-soal",
        {"tier": "tpn", "file": (io.BytesIO(as_csv(good_rows())), "tpn.csv")},
        page=f"/enrolments/{e.id}/lke?tier=tpn",
        content_type="multipart/form-data",
    )
    assert response.status_code in (303, 403)
    world.session.expire_all()
    a = assessments.get_assessment(world.session, e.id, "tpn")
    rows = assessments.answer_rows(world.session, [a.id])[a.id] if a else {}
    assert CHOICE not in rows or rows[CHOICE].value != "B"
