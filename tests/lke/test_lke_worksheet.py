"""The official worksheet: the layout we write, and reading agencies' mangled copies of it."""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from tests.lke.helpers import Sheet, perfect_answers
from tracker.errors import ValidationError
from tracker.lke.answers import parse_answers
from tracker.lke.framework import Framework
from tracker.lke.worksheet import SHEET_NAME, WorksheetResult, read_worksheet, write_worksheet

PART_MARKER, AREA_MARKER, SUB_AREA_MARKER, ITEM_MARKER, COUNT_MARKER = "B", "C", "D", "E", "F"


@pytest.fixture
def answers(framework: Framework) -> dict[str, Any]:
    return perfect_answers(framework) | {"A.I.1.i.b": "B", "A.II.5.iii.a.1": [1, 2, 3, 5]}


def kinds(result: WorksheetResult) -> list[tuple[str, str | None]]:
    return [(issue.kind, issue.code) for issue in result.issues]


def same_answers(framework: Framework, found: dict[str, Any], expected: dict[str, Any]) -> None:
    assert parse_answers(framework, found) == parse_answers(framework, expected)


# --- the layout we write ----------------------------------------------------------------------


def test_written_layout_follows_the_official_sheet(framework: Framework) -> None:
    ws = load_workbook(BytesIO(write_worksheet(framework)))[SHEET_NAME]
    header = {ws.cell(4, c).value for c in range(1, 19)} | {ws.cell(5, c).value for c in (11, 12)}
    assert {
        "No",
        "Komponen/Sub Komponen/Indikator",
        "Bobot",
        "Pilihan Jawaban",
        "Unit Kerja",
        "Penilaian TPI",
        "Jawaban",
        "Nilai",
    } <= header
    rows = {r: [ws.cell(r, c).value for c in range(1, 13)] for r in (6, 7, 8, 9, 10)}
    assert rows[6][0] == "A." and rows[6][7] == "PENGUNGKIT" and rows[6][8] == 60
    assert rows[7][1] == "I." and rows[8][2] == "1." and rows[9][3] == "i."
    assert rows[10][4] == "a." and rows[10][9] == "Ya/Tidak"
    assert rows[10][11] == '=IF(K10="Ya",1,IF(K10="Tidak",0,"Blm Diisi"))'
    assert rows[9][11] == "=IFERROR(AVERAGE(L10,L11)*I9,0)"  # D3: AVERAGE skips "Blm Diisi"


def test_written_formulas_for_percent_counts_and_surveys(framework: Framework) -> None:
    sheet = Sheet(framework)
    item = sheet.rows[sheet.index("A.II.5.iii.a.1")]
    assert (item[5], item[9]) == ("1.", "%")  # the nested item's marker sits one column right
    k, m, n, r = (
        sheet.row_number("A.II.5.iii.a.1", key)
        for key in ("kepala_satker", "pejabat_wajib", "lainnya", "sudah_melaporkan")
    )
    total = sheet.rows[sheet.index("A.II.5.iii.a.1", "wajib_total")]
    assert (total[6], total[9], total[10]) == ("-", "Jumlah", f"=K{k}+K{m}+K{n}")
    assert item[10] == (
        f'=IF(COUNT(K{k},K{m},K{n},K{r})<4,"",IF((K{k}+K{m}+K{n})=0,'
        f'IF((K{r})=0,1,"Penyebut nol"),MAX(0,MIN(1,(K{r})/(K{k}+K{m}+K{n})))))'
    )
    p, c = (
        sheet.row_number("A.II.3.iii.a", key)
        for key in ("pelanggaran_tahun_lalu", "pelanggaran_tahun_ini")
    )
    discipline = sheet.rows[sheet.index("A.II.3.iii.a")][10]
    assert (
        f'IF(K{p}=0,IF((K{p}-K{c})=0,1,"Penyebut nol"),MAX(0,MIN(1,(K{p}-K{c})/K{p})))'
        in discipline
    )
    targets = sheet.row_number("A.II.4.i.a")  # D4: a zero denominator here is an input error
    assert '=0,"Penyebut nol","Penyebut nol")' in sheet.rows[targets - 1][10]
    ipak = sheet.row_number("B.I.a")
    assert sheet.rows[ipak - 1][11] == f'=IF(ISNUMBER(K{ipak}),K{ipak}/4*I{ipak},"Blm Diisi")'
    assert sheet.rows[ipak - 1][8] == 17.5


def test_filled_worksheet_round_trips(framework: Framework, answers: dict[str, Any]) -> None:
    data = write_worksheet(framework, answers, notes={"A.I.1.i.a": "SK nomor 12/2025"})
    ws = load_workbook(BytesIO(data))[SHEET_NAME]
    assert ws.cell(10, 11).value == "Ya" and ws.cell(10, 13).value == "SK nomor 12/2025"
    result = read_worksheet(data, framework)
    same_answers(framework, result.answers, answers)
    assert result.answers["A.II.5.iii.a.1"] == [1, 2, 3, 5]
    assert result.rows["A.I.1.i.a"] == 10
    assert kinds(result) == [("no_cached_values", None)]  # openpyxl stores no results


def test_blank_worksheet_reads_as_unanswered(framework: Framework) -> None:
    result = read_worksheet(write_worksheet(framework), framework)
    assert result.answers == {}
    assert kinds(result) == [("no_cached_values", None)]


def test_invalid_answers_are_refused_when_writing(framework: Framework) -> None:
    with pytest.raises(ValidationError, match=r"A\.I\.1\.i\.a"):
        write_worksheet(framework, {"A.I.1.i.a": "B"})


def test_a_computed_workbook_agrees_with_the_rules(framework: Framework, answers: dict) -> None:
    sheet = Sheet(framework, answers)
    result = read_worksheet(sheet.to_bytes(computed=answers), framework)
    assert result.issues == []
    same_answers(framework, result.answers, answers)


# --- agencies' copies -------------------------------------------------------------------------


def test_shifted_inserted_and_duplicated_rows(framework: Framework, answers: dict) -> None:
    sheet = Sheet(framework, answers)
    for _ in range(3):
        sheet.insert(0, ["Pemerintah Kabupaten Contoh"])
    sheet.insert(sheet.index("A.I.3"))
    sheet.insert(
        sheet.index("A.I.3"),
        [
            None,
            None,
            None,
            "x.",
            None,
            None,
            None,
            "Kegiatan tambahan unit",
            None,
            "Ya/Tidak",
            "Ya",
        ],
    )
    sheet.insert(sheet.index("A.II"), [None] * 7 + ["Catatan: diisi oleh pokja"])
    duplicate = list(sheet.rows[sheet.index("A.I.4.i.a")])
    duplicate[11] = 1  # as Excel computed it
    sheet.insert(sheet.index("A.I.4.i.b"), duplicate)
    result = read_worksheet(sheet.to_bytes(computed=answers), framework)
    same_answers(framework, result.answers, answers)
    assert result.rows["A.I.1.i.a"] == 13
    unmatched = [i for i in result.issues if i.kind == "unmatched_row"]
    assert [(i.row, i.message) for i in unmatched] == [
        (
            sheet.row_number("A.I.3") - 1,
            f"Baris {sheet.row_number('A.I.3') - 1} tidak cocok dengan butir mana pun: "
            "Kegiatan tambahan unit",
        )
    ]
    assert ("duplicate_row", "A.I.4.i.a") in kinds(result)
    assert {kind for kind, _code in kinds(result)} == {"unmatched_row", "duplicate_row"}


def test_mistyped_markers_are_tolerated(framework: Framework, answers: dict[str, Any]) -> None:
    sheet = Sheet(framework, answers)
    sheet.set("A.I", PART_MARKER, "l.")
    sheet.set("A.II", PART_MARKER, "ll")
    sheet.set("A.I.1", AREA_MARKER, "1")
    sheet.set("A.I.1.ii", SUB_AREA_MARKER, "ii")
    sheet.set("A.I.1.ii.a", ITEM_MARKER, "a")
    sheet.set("A.I.1.ii.b", ITEM_MARKER, "c.")  # a wrong letter
    row = sheet.index("A.I.1.ii.c")
    sheet.rows[row][4], sheet.rows[row][7] = None, "c. " + sheet.rows[row][7]  # marker in text
    sheet.set("A.II.4.i.a", COUNT_MARKER, "•", key="sasaran_kinerja")
    result = read_worksheet(sheet.to_bytes(computed=answers), framework)
    same_answers(framework, result.answers, answers)
    assert result.issues == []


def test_slightly_edited_question_text_still_matches(framework: Framework, answers: dict) -> None:
    sheet = Sheet(framework, answers)
    sheet.set("A.I.1.ii.a", "H", "Terdapat dokumen rencana kerja pembangunan ZI menuju WBK/WBBM")
    sheet.set("A.I.5.iv.b", "H", "Telah dilakukan evaluasi atas penerapan WBS")
    sheet.set("A.II.1.i.a", "H", "Jumlah Agen Perubahn", key="agen_perubahan")  # typos
    sheet.set("A.II.5.iii.a.1", "H", "Jumlah Lainya", key="lainnya")
    sheet.set("A.I.3.vi", "H", "Sistim Informasi Kepegawaian")
    result = read_worksheet(sheet.to_bytes(computed=answers), framework)
    same_answers(framework, result.answers, answers)
    assert result.issues == []


def test_wrong_formula_is_reported_at_every_level(framework: Framework, answers: dict) -> None:
    """The sheet scores B as 1 in an A/B/C item: the item and every total above it differ."""
    sheet = Sheet(framework, answers)
    wrong = '=IF(K11="A",1,IF(K11="B",1,IF(K11="C",0,"Blm Diisi")))'
    sheet.set("A.I.1.i.b", "L", wrong)
    data = sheet.to_bytes(computed=answers | {"A.I.1.i.b": "A"})
    result = read_worksheet(data, framework)
    mismatches = [(i.row, i.code) for i in result.issues if i.kind == "value_mismatch"]
    assert mismatches == [
        (6, "A"),
        (7, "A.I"),
        (8, "A.I.1"),
        (9, "A.I.1.i"),
        (11, "A.I.1.i.b"),
        (sheet.row_number("total"), "total"),
    ]
    item = next(i for i in result.issues if i.code == "A.I.1.i.b")
    assert item.message == (
        f"Baris 11 (A.I.1.i.b): Nilai di lembar kerja 1, menurut aturan 0,5 (rumus {wrong})"
    )
    sub_area = next(i for i in result.issues if i.code == "A.I.1.i")
    assert "Nilai di lembar kerja 0,5, menurut aturan 0,375" in sub_area.message
    assert result.answers["A.I.1.i.b"] == "B"  # answers come from Jawaban, never from Nilai


def test_exact_thirds_instead_of_0_67_are_reported(framework: Framework, answers: dict) -> None:
    """D2: the official multipliers are the literals 0.67/0.33."""
    sheet = Sheet(framework, answers | {"A.I.1.iii.a": "B"})
    data = sheet.to_bytes(
        computed=answers | {"A.I.1.iii.a": "B"}, overrides={("A.I.1.iii.a", None, "L"): 2 / 3}
    )
    issues = [i for i in read_worksheet(data, framework).issues if i.code == "A.I.1.iii.a"]
    assert [i.kind for i in issues] == ["value_mismatch"]
    assert "Nilai di lembar kerja 0,6667, menurut aturan 0,67" in issues[0].message


def test_a_typed_value_in_place_of_a_formula_is_compared(
    framework: Framework, answers: dict
) -> None:
    sheet = Sheet(framework, answers)
    sheet.set("A.I.2.ii", "L", 1.5)  # the agency typed a number over the formula
    issues = read_worksheet(sheet.to_bytes(computed=answers), framework).issues
    mismatch = next(i for i in issues if i.code == "A.I.2.ii")
    assert mismatch.message == (
        f"Baris {sheet.row_number('A.I.2.ii')} (A.I.2.ii): Nilai di lembar kerja 1,5, "
        "menurut aturan 2"
    )


def test_formula_errors_are_reported(framework: Framework, answers: dict) -> None:
    sheet = Sheet(framework, answers)
    data = sheet.to_bytes(computed=answers, overrides={("A.I.3.iv", None, "L"): "#REF!"})
    issues = read_worksheet(data, framework).issues
    assert [(i.kind, i.code) for i in issues] == [("formula_error", "A.I.3.iv")]
    assert issues[0].message.endswith("rumus Nilai menghasilkan galat #REF!")


def test_typed_total_that_disagrees_with_its_parts(framework: Framework, answers: dict) -> None:
    sheet = Sheet(framework, answers)
    sheet.set("A.II.5.iii.a.1", "K", 10, key="wajib_total")
    result = read_worksheet(sheet.to_bytes(computed=answers), framework)
    row = sheet.row_number("A.II.5.iii.a.1", "wajib_total")
    assert [(i.kind, i.row, i.message) for i in result.issues] == [
        (
            "total_mismatch",
            row,
            f"Baris {row} (A.II.5.iii.a.1): Jumlah yang harus melaporkan LHKPN tertulis 10, "
            "jumlah rinciannya 6",
        )
    ]
    assert result.answers["A.II.5.iii.a.1"] == [1, 2, 3, 5]  # the parts count, not the total


def test_a_sheet_without_the_derived_total_row_is_fine(framework: Framework, answers: dict) -> None:
    sheet = Sheet(framework, answers)
    sheet.delete(sheet.index("A.II.5.iii.a.1", "wajib_total"))
    result = read_worksheet(sheet.to_bytes(computed=answers), framework)
    assert result.issues == []
    assert result.answers["A.II.5.iii.a.1"] == [1, 2, 3, 5]


def test_missing_rows_leave_items_unanswered(framework: Framework, answers: dict) -> None:
    sheet = Sheet(framework, answers)
    for code, key in (("A.I.1.i.a", None), ("A.II.4.i.a", "sasaran_tercapai")):
        sheet.delete(sheet.index(code, key))
    result = read_worksheet(sheet.to_bytes(), framework)
    assert "A.I.1.i.a" not in result.answers and "A.II.4.i.a" not in result.answers
    missing = [i.message for i in result.issues if i.kind == "missing_row"]
    assert missing == [
        "A.I.1.i.a tidak ditemukan di lembar kerja; butir dianggap belum dijawab",
        "A.II.4.i.a: baris Jumlah Sasaran Kinerja yang tercapai 100% atau lebih tidak "
        "ditemukan di lembar kerja",
    ]


def test_partly_filled_counts_leave_the_item_unanswered(framework: Framework) -> None:
    sheet = Sheet(framework, {"A.II.5.ii.a": [4, 1, 3]})
    sheet.set("A.II.5.ii.a", "K", None, key="sedang_diproses")
    result = read_worksheet(sheet.to_bytes(), framework)
    assert "A.II.5.ii.a" not in result.answers
    assert ("incomplete_counts", "A.II.5.ii.a") in kinds(result)


def test_duplicated_row_with_another_answer_is_ambiguous(
    framework: Framework, answers: dict
) -> None:
    sheet = Sheet(framework, answers)
    duplicate = list(sheet.rows[sheet.index("A.I.3.v.a")])
    duplicate[10] = "D"
    sheet.insert(sheet.index("A.I.3.v.a") + 1, duplicate)
    result = read_worksheet(sheet.to_bytes(), framework)
    assert "A.I.3.v.a" not in result.answers
    ambiguous = next(i for i in result.issues if i.kind == "ambiguous_row")
    assert ambiguous.code == "A.I.3.v.a"
    assert "jawabannya berbeda; butir dianggap belum dijawab" in ambiguous.message


def test_a_row_moved_out_of_order_is_still_used(framework: Framework, answers: dict) -> None:
    sheet = Sheet(framework, answers | {"A.I.2.ii.a": "C"})
    index = sheet.index("A.I.2.ii.a")
    row = sheet.rows.pop(index)
    sheet.slots.pop(index)
    sheet.rows.append(row)
    sheet.slots.append(None)
    result = read_worksheet(sheet.to_bytes(), framework)
    assert result.answers["A.I.2.ii.a"] == "C"
    assert ("moved_row", "A.I.2.ii.a") in kinds(result)


def test_wrong_answer_type_label_is_reported(framework: Framework, answers: dict) -> None:
    sheet = Sheet(framework, answers)
    sheet.set("A.I.1.i.a", "J", "A/B/C")
    issues = read_worksheet(sheet.to_bytes(computed=answers), framework).issues
    assert [(i.kind, i.code) for i in issues] == [("answer_type_mismatch", "A.I.1.i.a")]


def test_an_answer_not_allowed_names_row_and_code(framework: Framework, answers: dict) -> None:
    sheet = Sheet(framework, answers)
    sheet.set("A.I.1.i.b", "K", "D")
    sheet.set("A.II.4.i.a", "K", -2, key="sasaran_tercapai")
    row = sheet.row_number("A.II.4.i.a", "sasaran_tercapai")
    with pytest.raises(ValidationError) as caught:
        read_worksheet(sheet.to_bytes(), framework)
    assert caught.value.details["problems"] == [
        "Baris 11: Butir A.I.1.i.b: jawaban D tidak termasuk pilihan A/B/C",
        f"Baris {row}: Butir A.II.4.i.a: Jumlah Sasaran Kinerja yang tercapai 100% atau lebih "
        "harus bilangan bulat tidak negatif, bukan -2",
    ]


def test_tpi_answers_are_read_from_their_own_columns(framework: Framework) -> None:
    sheet = Sheet(framework, {"A.I.1.i.a": "Ya", "B.I.a": 3.61})
    sheet.set("A.I.1.i.a", "O", "Tidak")
    sheet.set("B.I.a", "O", 3.58)
    data = sheet.to_bytes()
    assert read_worksheet(data, framework).answers == {"A.I.1.i.a": "Ya", "B.I.a": 3.61}
    tpi = read_worksheet(data, framework, column_group="tpi")
    assert tpi.answers == {"A.I.1.i.a": "Tidak", "B.I.a": 3.58}


def test_reads_from_a_path_and_a_file_object(framework: Framework, tmp_path: Any) -> None:
    data = write_worksheet(framework, {"A.I.1.i.a": "Tidak"})
    path = tmp_path / "lke.xlsx"
    path.write_bytes(data)
    assert read_worksheet(path, framework).answers == {"A.I.1.i.a": "Tidak"}
    assert read_worksheet(BytesIO(data), framework).answers == {"A.I.1.i.a": "Tidak"}


# --- files that are not the worksheet ---------------------------------------------------------


def _zip_without_workbook() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 broken", b"%PDF-1.7", _zip_without_workbook()])
def test_not_a_workbook(framework: Framework, data: bytes) -> None:
    with pytest.raises(ValidationError, match=r"^Berkas bukan buku kerja Excel \(\.xlsx\)"):
        read_worksheet(data, framework)


def test_wrong_sheet_names_the_sheets_found(framework: Framework) -> None:
    wb = Workbook()
    wb.active.title = "Rekap"
    wb.create_sheet("Jawaban")
    buffer = BytesIO()
    wb.save(buffer)
    with pytest.raises(ValidationError) as caught:
        read_worksheet(buffer.getvalue(), framework)
    assert str(caught.value) == (
        "Buku kerja ini tidak dikenali sebagai LKE. Yang dicari: lembar LKE ZI (Lampiran III) "
        "dengan baris judul kolom Bobot dan Jawaban, atau lembar Jawaban dari templat PortalRB "
        "dengan jawaban unit di kolom K baris 6-202. Lembar yang ada: Rekap, Jawaban"
    )


def test_sheet_name_is_matched_loosely(framework: Framework) -> None:
    wb = load_workbook(BytesIO(write_worksheet(framework, {"A.I.1.i.a": "Ya"})))
    wb[SHEET_NAME].title = "lke_zi"
    buffer = BytesIO()
    wb.save(buffer)
    assert read_worksheet(buffer.getvalue(), framework).answers == {"A.I.1.i.a": "Ya"}


def test_a_sheet_without_the_header_is_refused(framework: Framework) -> None:
    wb = Workbook()
    wb.active.title = SHEET_NAME
    wb.active["A1"] = "Lembar kosong"
    buffer = BytesIO()
    wb.save(buffer)
    with pytest.raises(ValidationError, match="baris judul kolom"):
        read_worksheet(buffer.getvalue(), framework)


def test_unknown_column_group_is_refused(framework: Framework) -> None:
    with pytest.raises(ValidationError, match="pusat"):
        read_worksheet(write_worksheet(framework), framework, column_group="pusat")


def test_a_typed_percentage_without_counts_is_not_used(framework: Framework) -> None:
    sheet = Sheet(framework)
    sheet.set("A.II.6.i.b", "K", 1)  # "100 %" typed over the formula, no counts below
    result = read_worksheet(sheet.to_bytes(), framework)
    assert "A.II.6.i.b" not in result.answers
    issue = next(i for i in result.issues if i.code == "A.II.6.i.b")
    assert issue.kind == "percent_without_counts"
    assert issue.message == (
        f"Baris {sheet.row_number('A.II.6.i.b')} (A.II.6.i.b): persentase diketik tanpa jumlah "
        "di bawahnya; butir dianggap belum dijawab"
    )
