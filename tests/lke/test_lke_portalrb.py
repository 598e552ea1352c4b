"""PortalRB's ``Jawaban`` sheet (issue 11, point 1 (c) and 4): fixed cells from the master
list, read and written; the master list's questions mapped to our codes by hierarchy and text.

Sheets are built here (a bare sheet with values at the cells, and our own export); the master
list in ``../shared`` pins every cell when it is there (skipped without it).
"""

from __future__ import annotations

import time
import zipfile
from io import BytesIO
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from tests.lke.agency import (
    KNOWN_CELLS,
    bare_portalrb,
    cells_from_master,
    master,
    portal_cells,
)
from tests.lke.helpers import perfect_answers
from tracker.errors import ValidationError
from tracker.lke.answers import parse_answers
from tracker.lke.framework import Framework
from tracker.lke.worksheet import WorksheetLayout, read_worksheet, write_worksheet
from tracker.lke.worksheet.portalrb import master_cells, template_cells


@pytest.fixture
def answers(framework: Framework) -> dict[str, Any]:
    return perfect_answers(framework) | {
        "A.I.1.i.b": "B",
        "A.II.4.i.a": [8, 6],
        "A.II.5.iii.a.1": [1, 2, 3, 5],
        "A.II.3.iii.a": [0, 0, 0],
        "B.II.a": 3.2,
    }


def places(framework: Framework) -> dict[tuple[str, str | None], int]:
    return template_cells(framework)


def same(framework: Framework, found: dict[str, Any], expected: dict[str, Any]) -> None:
    assert parse_answers(framework, found) == parse_answers(framework, expected)


# --- the template's cells -----------------------------------------------------------------------


def test_known_cells_of_the_master_list(framework: Framework) -> None:
    rows = places(framework)
    for soal, (code, key, row) in KNOWN_CELLS.items():
        assert rows[(code, key)] == row, soal
        if key is None:
            assert framework.item(code).soal_id == soal


def test_every_cell_of_the_master_list(framework: Framework) -> None:
    rows = places(framework)
    cells = master_cells(master(), framework)
    assert len(cells) == len(list(cells_from_master(master()))) == 127
    for cell in cells:
        assert rows[(cell.code, cell.input_key)] == cell.row, cell
        if cell.input_key is None:  # the framework file carries the item's soal id
            assert framework.item(cell.code).soal_id == cell.soal_id


# --- reading --------------------------------------------------------------------------------------


def test_a_bare_sheet_at_the_cells(framework: Framework, answers: dict) -> None:
    data = bare_portalrb(
        portal_cells(framework, answers),
        notes={6: "SK Tim ZI"},
        evidence={6: "https://drive.google.com/x", 7: "Arsip di lemari sekretariat"},
    )
    result = read_worksheet(data, framework)
    assert (result.layout, result.sheet) == (WorksheetLayout.PORTALRB, "Jawaban")
    same(framework, result.answers, answers)
    assert result.issues == []  # no formulas, nothing to compare
    assert result.notes == {"A.I.1.i.a": "SK Tim ZI", "A.I.1.i.b": "Arsip di lemari sekretariat"}
    assert result.links == {"A.I.1.i.a": ["https://drive.google.com/x"]}
    assert result.rows["A.I.1.i.a"] == 6 and result.rows["B.II.a"] == 202


def test_every_question_of_the_master_list_is_read(framework: Framework) -> None:
    """Each soal's cell filled with a valid answer of its type comes back on its item."""
    values = {"YA_TIDAK": "Tidak", "ABC": "B", "ABCD": "C", "ABCDE": "D", "0-4": 3.3}
    cells = {row: values.get(kind, 7) for _soal, kind, row in cells_from_master(master())}
    result = read_worksheet(bare_portalrb(cells), framework)
    assert len(result.answers) == len(list(framework.items()))
    assert result.answers["A.I.1.i.a"] == "Tidak" and result.answers["B.I.b"] == "D"
    assert result.answers["A.II.5.iii.a.1"] == [7, 7, 7, 7]


def test_tpi_answers_and_notes(framework: Framework) -> None:
    data = bare_portalrb({6: "Ya"}, tpi={6: "Tidak", 199: 3.5})
    assert read_worksheet(data, framework).answers == {"A.I.1.i.a": "Ya"}
    tpi = read_worksheet(data, framework, column_group="tpi")
    assert tpi.answers == {"A.I.1.i.a": "Tidak", "B.I.a": 3.5}


def test_a_mistyped_answer_is_read_as_unanswered(framework: Framework) -> None:
    result = read_worksheet(bare_portalrb({6: "Ya", 7: "Ya", 8: "c"}), framework)
    assert result.answers == {"A.I.1.i.a": "Ya"}
    assert [i.message for i in result.issues] == [
        "Baris 7 (A.I.1.i.b): jawaban \u201cYa\u201d untuk pilihan A/B/C dibaca sebagai belum "
        "dijawab"
    ]


def test_our_export_round_trips_with_notes_and_links(framework: Framework, answers: dict) -> None:
    data = write_worksheet(
        framework,
        answers,
        {"A.I.1.i.a": "=cmd|' /C calc'!A0"},  # a note stays text, never a formula
        links={"A.I.1.i.a": ["https://drive.google.com/a", "https://drive.google.com/b"]},
        layout="portalrb",
    )
    ws = load_workbook(BytesIO(data))["Jawaban"]
    assert (ws["K6"].value, ws["L6"].data_type, ws["K199"].value) == ("Ya", "s", 4.0)
    assert ws["K126"].value == 1 and ws["O6"].value.startswith('=IF(K6="Ya",1')
    result = read_worksheet(data, framework)
    assert result.layout is WorksheetLayout.PORTALRB
    same(framework, result.answers, answers)
    assert [i.kind for i in result.issues] == ["no_cached_values"]
    assert result.notes == {"A.I.1.i.a": "=cmd|' /C calc'!A0"}
    assert result.links == {
        "A.I.1.i.a": ["https://drive.google.com/a", "https://drive.google.com/b"]
    }


def test_a_shifted_sheet_is_matched_by_question_text(framework: Framework, answers: dict) -> None:
    book = load_workbook(BytesIO(write_worksheet(framework, answers, layout="portalrb")))
    book["Jawaban"].insert_rows(3)  # openpyxl moves cells, not formulas: only answers matter
    buffer = BytesIO()
    book.save(buffer)
    result = read_worksheet(buffer.getvalue(), framework)
    same(framework, result.answers, answers)
    shifted = [i for i in result.issues if i.kind == "portalrb_shifted"]
    assert [i.message for i in shifted] == [
        "Lembar Jawaban bergeser dari templat PortalRB: baris 6 berisi \u201cPenyusunan Tim "
        "Kerja\u201d, bukan A.I.1.i.a; butir dicocokkan menurut teks pertanyaannya"
    ]
    assert result.rows["A.I.1.i.a"] == 7


# --- detection ----------------------------------------------------------------------------------


def test_lampiran_iii_wins_over_an_empty_jawaban_sheet(framework: Framework) -> None:
    book = load_workbook(BytesIO(write_worksheet(framework, {"A.I.1.i.a": "Ya"})))
    book.create_sheet("Jawaban")
    buffer = BytesIO()
    book.save(buffer)
    assert read_worksheet(buffer.getvalue(), framework).layout is WorksheetLayout.LAMPIRAN3


def test_a_jawaban_sheet_named_loosely(framework: Framework) -> None:
    book = load_workbook(BytesIO(bare_portalrb({6: "Ya"})))
    book["Jawaban"].title = "JAWABAN 2026"
    buffer = BytesIO()
    book.save(buffer)
    assert read_worksheet(buffer.getvalue(), framework).answers == {"A.I.1.i.a": "Ya"}


def test_neither_layout_gets_one_message(framework: Framework) -> None:
    book = Workbook()
    book.active.title = "LKE ZI"
    book.active["A1"] = "Rekap nilai"
    book.create_sheet("Jawaban")  # empty: nothing at the template's cells
    buffer = BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError) as caught:
        read_worksheet(buffer.getvalue(), framework)
    assert str(caught.value) == (
        "Buku kerja ini tidak dikenali sebagai LKE. Yang dicari: lembar LKE ZI (Lampiran III) "
        "dengan baris judul kolom Bobot dan Jawaban, atau lembar Jawaban dari templat PortalRB "
        "dengan jawaban unit di kolom K baris 6-202. Lembar yang ada: LKE ZI, Jawaban"
    )


def test_the_bounds_hold_for_the_jawaban_sheet(framework: Framework) -> None:
    """The reported attack, in PortalRB's sheet: refused fast with the sheet's name."""
    book = Workbook()
    book.active.title = "Jawaban"
    book.active.cell(1_048_576, 11, "Ya")
    buffer = BytesIO()
    book.save(buffer)
    start = time.perf_counter()
    with pytest.raises(ValidationError) as caught:
        read_worksheet(buffer.getvalue(), framework)
    assert str(caught.value) == (
        "Berkas ini tidak dapat dibaca sebagai LKE: lembar Jawaban berisi lebih dari 5.000 baris "
        "(baris terakhir 1.048.576)."
    )
    assert time.perf_counter() - start < 2.0


def test_a_flood_of_links_is_refused(framework: Framework) -> None:
    """Links live in a relationships part: it has the same element budget as styles."""
    book = load_workbook(BytesIO(bare_portalrb({6: "Ya"})))
    for row in range(6, 26):
        book["Jawaban"].cell(row, 13).hyperlink = f"https://drive.google.com/{row}"
    buffer = BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    links = read_worksheet(data, framework).links
    assert links["A.I.1.i.a"] == ["https://drive.google.com/6"]
    assert links["A.I.1.iv.d"] == ["https://drive.google.com/20"]
    flood = "".join(
        f'<Relationship Id="x{i}" Type="t" Target="https://a.id/{i}" TargetMode="External"/>'
        for i in range(25_000)
    )
    source = zipfile.ZipFile(BytesIO(data))
    part = "xl/worksheets/_rels/sheet1.xml.rels"
    xml = source.read(part).decode().replace("</Relationships>", flood + "</Relationships>")
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, xml if name == part else source.read(name))
    with pytest.raises(ValidationError) as caught:
        read_worksheet(out.getvalue(), framework)
    assert f"bagian {part} berisi lebih dari 20.000 elemen XML" in str(caught.value)
