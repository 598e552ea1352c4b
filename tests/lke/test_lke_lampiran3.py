"""The regulation's Lampiran III sheet as agencies have it (issue 11, point 1 (b)): one
``Jawaban`` column, a row counter in A, notes and Google Drive links right of the answers,
mistyped answer types and answers, typed totals, wrong formulas and unanswered items.

Each case runs on a sheet built here (``AgencySheet``) and, where it matters, on the real
agency blank from ``../shared`` filled the way agencies fill it (skipped without it).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.lke.agency import AgencySheet, fill_real_blank
from tests.lke.helpers import inject_cached, perfect_answers
from tracker.errors import ValidationError
from tracker.lke.answers import parse_answers
from tracker.lke.framework import Framework
from tracker.lke.worksheet import WorksheetLayout, WorksheetResult, read_worksheet

LHKASN_FORGOTTEN = (
    "Rumus Nilai di baris {row} (A.II.5.iii) tidak menghitung baris {lhkasn} ({text})"
)


@pytest.fixture
def answers(framework: Framework) -> dict[str, Any]:
    return perfect_answers(framework) | {
        "A.I.1.i.b": "B",
        "A.I.2.i.a": "C",
        "A.II.5.iii.a.1": [1, 2, 3, 5],
        "A.II.5.iii.b.1": [2, 4, 10, 12],
        "A.II.5.ii.a": [0, 0, 0],  # no complaints: nothing required (D4)
        "B.I.a": 3.61,
    }


def same(framework: Framework, found: dict[str, Any], expected: dict[str, Any]) -> None:
    assert parse_answers(framework, found) == parse_answers(framework, expected)


def issues(result: WorksheetResult, kind: str) -> list[str]:
    return [issue.message for issue in result.issues if issue.kind == kind]


# --- a sheet built here -------------------------------------------------------------------------


def test_an_agency_sheet_is_read_with_every_answer(framework: Framework, answers: dict) -> None:
    result = read_worksheet(AgencySheet(framework, answers).to_bytes(), framework)
    assert (result.layout, result.sheet) == (WorksheetLayout.LAMPIRAN3, "LKE ZI")
    same(framework, result.answers, answers)
    assert result.rows["A.I.1.i.a"] == 8  # row 2 header, row 3 blank, A. in row 4
    # Nothing but the workbook never having been computed: its formulas are right.
    assert [i.kind for i in result.issues] == ["no_cached_values"]


def test_unanswered_items_stay_unanswered(framework: Framework, answers: dict) -> None:
    partial = {code: value for code, value in answers.items() if not code.startswith("A.I.3")}
    partial["A.II.4.i.a"] = None
    result = read_worksheet(AgencySheet(framework, partial).to_bytes(), framework)
    same(framework, result.answers, {k: v for k, v in partial.items() if v is not None})
    assert "A.I.3.i.a" not in result.answers and "A.II.4.i.a" not in result.answers


def test_ya_typed_as_the_answer_type_is_reported(framework: Framework, answers: dict) -> None:
    sheet = AgencySheet(framework, answers, ya_type=["A.I.1.i.a"])
    result = read_worksheet(sheet.to_bytes(), framework)
    assert result.answers["A.I.1.i.a"] == "Ya"  # the answer counts: the rules know the type
    assert issues(result, "type_label_typo") == [
        "Baris 8 (A.I.1.i.a): Pilihan Jawaban tertulis \u201cYa\u201d, seharusnya "
        "\u201cYa/Tidak\u201d; rumus Nilai yang memeriksa kolom ini tidak akan menghitung butir ini"
    ]


def test_the_excel_result_of_a_mistyped_type_is_compared(
    framework: Framework, answers: dict
) -> None:
    """Saved by Excel, the sheet shows "-" for that item: the rules give 1."""
    sheet = AgencySheet(framework, answers, ya_type=["A.I.1.i.a"])
    data = inject_cached(sheet.to_bytes(), {"L8": "-"}, part="xl/worksheets/sheet2.xml")
    mismatch = issues(read_worksheet(data, framework), "value_mismatch")
    assert mismatch == [
        "Baris 8 (A.I.1.i.a): Nilai di lembar kerja -, menurut aturan 1 (rumus "
        + AgencySheet(framework).nilai(sheet.slots[4], 8)
        + ")"
    ]


@pytest.mark.parametrize(
    ("typed", "read", "message"),
    [
        ("a", "A", None),  # lower case: the official formula accepts it too
        ("b.", "B", None),
        (
            "Ya",
            None,
            "Baris {row} (A.I.1.i.b): jawaban \u201cYa\u201d untuk pilihan A/B/C dibaca sebagai "
            "belum dijawab",
        ),
        (
            "a. Jika dengan prosedur/mekanisme yang jelas",
            "A",
            "Baris {row} (A.I.1.i.b): jawaban \u201ca. Jika dengan prosedur/mekanisme yang "
            "jelas\u201d dibaca sebagai A",
        ),
        (
            1,
            None,
            "Baris {row} (A.I.1.i.b): jawaban \u201c1\u201d untuk pilihan A/B/C dibaca sebagai "
            "belum dijawab",
        ),
    ],
)
def test_mistyped_answers_are_read_and_reported(
    framework: Framework, answers: dict, typed: Any, read: str | None, message: str | None
) -> None:
    sheet = AgencySheet(framework, answers, raw_cells={("A.I.1.i.b", None): typed})
    result = read_worksheet(sheet.to_bytes(), framework)
    assert result.answers.get("A.I.1.i.b") == read
    reported = [i.message for i in result.issues if i.code == "A.I.1.i.b"]
    assert reported == ([message.format(row=sheet.row("A.I.1.i.b"))] if message else [])


def test_invalid_counts_and_indices_leave_the_item_unanswered(
    framework: Framework, answers: dict
) -> None:
    raw = {("A.II.4.i.a", "sasaran_kinerja"): "lima", ("B.I.a", None): 36.1}
    sheet = AgencySheet(framework, answers, raw_cells=raw)
    result = read_worksheet(sheet.to_bytes(), framework)
    assert "A.II.4.i.a" not in result.answers and "B.I.a" not in result.answers
    assert issues(result, "invalid_answer") == [
        f"Baris {sheet.row('A.II.4.i.a', 'sasaran_kinerja')}: Butir A.II.4.i.a: Jumlah Sasaran "
        "Kinerja harus bilangan bulat tidak negatif, bukan lima; dibaca sebagai belum dijawab",
        f"Baris {sheet.row('B.I.a')}: Butir B.I.a: nilai indeks survei harus antara 0,00 dan "
        "4,00, bukan 36.1; dibaca sebagai belum dijawab",
    ]


def test_a_typed_total_that_disagrees_with_its_parts(framework: Framework, answers: dict) -> None:
    sheet = AgencySheet(framework, answers, typed_totals={"A.II.5.iii.b.1": 20})
    result = read_worksheet(sheet.to_bytes(), framework)
    row = sheet.row("A.II.5.iii.b.1", "wajib_total")
    assert issues(result, "total_mismatch") == [
        f"Baris {row} (A.II.5.iii.b.1): Jumlah yang harus menyampaikan Non LHKPN tertulis 20, "
        "jumlah rinciannya 16"
    ]
    assert result.answers["A.II.5.iii.b.1"] == [2, 4, 10, 12]  # the parts count


def test_a_total_formula_that_forgets_lhkasn(framework: Framework, answers: dict) -> None:
    sheet = AgencySheet(framework, answers, forget_lhkasn=True)
    result = read_worksheet(sheet.to_bytes(), framework)
    group, lhkpn = sheet.row("A.II.5.iii"), sheet.row("A.II.5.iii.a")
    assert issues(result, "formula_reference") == [
        f"Rumus Nilai di baris {group} (A.II.5.iii) tidak menghitung baris "
        f"{sheet.row('A.II.5.iii.b')} (Penyampaian Laporan Harta Kekayaan Non LHKPN (Tidak "
        "Wajib LHKPN))",
        f"Rumus Nilai di baris {group} (A.II.5.iii) menghitung baris {lhkpn + 1} (Persentase "
        f"penyampaian LHKPN) dua kali: nilainya sudah termasuk di baris {lhkpn}",
    ]


def test_notes_and_evidence_links(framework: Framework, answers: dict) -> None:
    sheet = AgencySheet(
        framework,
        answers,
        notes={
            "A.I.1.i.a": "SK Tim ZI Nomor 12/2025",
            "A.I.1.i.b": "Lihat https://drive.google.com/file/d/1/view dan "
            "https://drive.google.com/file/d/2/view.",
            "A.I.1.ii.a": '=HYPERLINK("https://drive.google.com/file/d/3/view","Bukti")',
        },
        links={
            "A.I.1.i.a": ["https://drive.google.com/drive/folders/abc"],
            "A.I.1.ii.b": ["Dokumen ada di sekretariat", "javascript:alert(1)"],
        },
        cell_links={
            "A.I.1.ii.c": "https://drive.google.com/file/d/4/view",
            "B.I.a": "file:///C:/x",
        },
    )
    result = read_worksheet(sheet.to_bytes(), framework)
    assert result.notes == {
        "A.I.1.i.a": "SK Tim ZI Nomor 12/2025",
        "A.I.1.i.b": "Lihat https://drive.google.com/file/d/1/view dan "
        "https://drive.google.com/file/d/2/view.",
        "A.I.1.ii.b": "Dokumen ada di sekretariat\njavascript:alert(1)",
    }
    assert result.links == {
        "A.I.1.i.a": ["https://drive.google.com/drive/folders/abc"],
        "A.I.1.i.b": [
            "https://drive.google.com/file/d/1/view",
            "https://drive.google.com/file/d/2/view",
        ],
        "A.I.1.ii.a": ["https://drive.google.com/file/d/3/view"],
        "A.I.1.ii.c": ["https://drive.google.com/file/d/4/view"],
    }


def test_the_one_answer_column_is_the_units(framework: Framework, answers: dict) -> None:
    data = AgencySheet(framework, answers).to_bytes()
    with pytest.raises(ValidationError) as caught:
        read_worksheet(data, framework, column_group="tpi")
    assert str(caught.value) == "Lembar LKE ZI: kolom Jawaban untuk Penilaian TPI tidak ditemukan"


# --- the real agency blank (../shared) ----------------------------------------------------------


def test_the_real_blank_filled_by_an_agency_is_read(framework: Framework, answers: dict) -> None:
    data, rows = fill_real_blank(
        framework,
        answers,
        notes={"A.I.1.i.a": "SK Tim ZI Nomor 12/2025"},
        links={"A.I.1.i.a": "https://drive.google.com/drive/folders/abc"},
        cell_links={"A.I.1.i.b": "https://drive.google.com/file/d/9/view"},
    )
    result = read_worksheet(data, framework)
    assert (result.layout, result.sheet) == (WorksheetLayout.LAMPIRAN3, "LKE ZI")
    same(framework, result.answers, answers)
    assert result.rows == {code: row for (code, key), row in rows.items() if key is None}
    assert result.notes == {"A.I.1.i.a": "SK Tim ZI Nomor 12/2025"}
    assert result.links == {
        "A.I.1.i.a": ["https://drive.google.com/drive/folders/abc"],
        "A.I.1.i.b": ["https://drive.google.com/file/d/9/view"],
    }
    # The agency's own mistakes, in its own words: "Ya" as a type, the LHKASN total.
    messages = [i.message for i in result.issues if i.kind != "no_cached_values"]
    assert messages == [
        "Baris 8 (A.I.1.i.a): Pilihan Jawaban tertulis \u201cYa\u201d, seharusnya "
        "\u201cYa/Tidak\u201d; rumus Nilai yang memeriksa kolom ini tidak akan menghitung butir "
        "ini",
        "Rumus Nilai di baris 175 (A.II.5.iii) tidak menghitung baris 183 (Penyampaian Laporan "
        "Harta Kekayaan Aparatur Sipil Negara (LHKASN))",
        "Rumus Nilai di baris 175 (A.II.5.iii) menghitung baris 177 (Persentase penyampaian "
        "LHKPN) dua kali: nilainya sudah termasuk di baris 176",
    ]


def test_the_real_blank_with_agencies_mistakes(framework: Framework, answers: dict) -> None:
    data, rows = fill_real_blank(
        framework,
        answers,
        raw_cells={
            ("A.I.3.v.a", None): "Ya",  # a Ya/Tidak answer for an A/B/C/D item
            ("A.I.4.i.a", None): "a",  # lower case
            ("A.II.5.iii.b.1", "wajib_total"): 30,  # a typed total (parts: 16)
        },
    )
    result = read_worksheet(data, framework)
    assert "A.I.3.v.a" not in result.answers and result.answers["A.I.4.i.a"] == "A"
    row, total = rows[("A.I.3.v.a", None)], rows[("A.II.5.iii.b.1", "wajib_total")]
    messages = [i.message for i in result.issues]
    assert (
        f"Baris {row} (A.I.3.v.a): jawaban \u201cYa\u201d untuk pilihan A/B/C/D dibaca sebagai "
        "belum dijawab"
    ) in messages
    assert (
        f"Baris {total} (A.II.5.iii.b.1): Jumlah yang harus menyampaikan Non LHKPN tertulis 30, "
        "jumlah rinciannya 16"
    ) in messages


def test_the_real_blank_unanswered_reads_as_nothing(framework: Framework) -> None:
    data, _rows = fill_real_blank(framework, {})
    result = read_worksheet(data, framework)
    assert result.answers == {} and result.notes == {} and result.links == {}


def test_forgotten_lhkasn_message_names_the_agencys_row(framework: Framework) -> None:
    """The issue's own example: the coordinator reads which row the total forgets."""
    data, _rows = fill_real_blank(framework, {"A.II.5.iii.b.1": [1, 1, 1, 3]})
    message = LHKASN_FORGOTTEN.format(
        row=175,
        lhkasn=183,
        text="Penyampaian Laporan Harta Kekayaan Aparatur Sipil Negara (LHKASN)",
    )
    assert message in [i.message for i in read_worksheet(data, framework).issues]


def test_a_percentage_typed_over_its_formula(framework: Framework, answers: dict) -> None:
    """The counts decide (D4); a typed figure that disagrees with them is reported."""
    raw = {("A.II.4.i.a", None): 100, ("A.II.6.i.b", None): 1}  # counts: 8 of 10, 5 of 5
    answers = answers | {"A.II.4.i.a": [10, 8], "A.II.6.i.b": [5, 5]}
    sheet = AgencySheet(framework, answers, raw_cells=raw)
    result = read_worksheet(sheet.to_bytes(), framework)
    assert result.answers["A.II.4.i.a"] == [10, 8]
    assert issues(result, "percent_mismatch") == [
        f"Baris {sheet.row('A.II.4.i.a')} (A.II.4.i.a): persentase diketik 100 %, menurut "
        "jumlahnya 80 %"
    ]


def test_a_typed_total_without_its_parts(framework: Framework, answers: dict) -> None:
    """The real workbook has no formula for LHKASN's total: agencies type it and skip the
    breakdown. The % uses only the sum, so the total stands in for the parts, reported."""
    raw = {("A.II.5.iii.b.1", key): None for key in ("eselon_iii", "eselon_iv")}
    raw[("A.II.5.iii.b.1", "fungsional_pelaksana")] = ""
    sheet = AgencySheet(framework, answers, typed_totals={"A.II.5.iii.b.1": 20}, raw_cells=raw)
    data = sheet.to_bytes()
    book = load_workbook(BytesIO(data))
    for key in ("eselon_iii", "eselon_iv", "fungsional_pelaksana"):
        book["LKE ZI"].cell(sheet.row("A.II.5.iii.b.1", key), 11).value = None
    buffer = BytesIO()
    book.save(buffer)
    result = read_worksheet(buffer.getvalue(), framework)
    assert result.answers["A.II.5.iii.b.1"] == [20, 0, 0, 12]
    assert issues(result, "total_without_parts") == [
        f"Baris {sheet.row('A.II.5.iii.b.1', 'wajib_total')} (A.II.5.iii.b.1): hanya Jumlah yang "
        "harus menyampaikan Non LHKPN yang diisi (20), rinciannya kosong; jumlah itu dicatat pada "
        "Jumlah Pejabat administrator (eselon III) yang harus menyampaikan Non LHKPN, mohon "
        "lengkapi rinciannya"
    ]


@pytest.mark.parametrize(
    ("typed", "read", "reported"),
    [(3.6100000000000003, 3.61, False), (3.6149, 3.61, True), ("3,615", 3.62, True)],
)
def test_a_survey_index_with_more_decimals(
    framework: Framework, answers: dict, typed: Any, read: float, reported: bool
) -> None:
    sheet = AgencySheet(framework, answers, raw_cells={("B.I.a", None): typed})
    result = read_worksheet(sheet.to_bytes(), framework)
    assert result.answers["B.I.a"] == read
    messages = issues(result, "answer_reread")
    shown = format(read, ".2f").replace(".", ",")
    expected = (
        f"Baris {sheet.row('B.I.a')} (B.I.a): jawaban \u201c{typed}\u201d dibaca sebagai {shown}"
    )
    assert messages == ([expected] if reported else [])


def test_headers_that_name_their_group(framework: Framework, answers: dict) -> None:
    """ "Jawaban Unit Kerja" and "Nilai Unit Kerja", with the TPI's own columns right of them."""
    sheet = AgencySheet(framework, answers | {"A.I.1.i.a": "Ya"}, notes={"A.I.1.i.a": "SK"})
    book = load_workbook(BytesIO(sheet.to_bytes()))
    ws = book["LKE ZI"]
    ws["K2"], ws["L2"] = "Jawaban Unit Kerja", "Nilai Unit Kerja"
    ws["S2"], ws["T2"] = "Jawaban TPI", "Catatan TPI"
    ws["S8"], ws["T8"] = "Tidak", "Belum ada SK"
    buffer = BytesIO()
    book.save(buffer)
    unit = read_worksheet(buffer.getvalue(), framework)
    assert unit.answers["A.I.1.i.a"] == "Ya" and unit.notes == {"A.I.1.i.a": "SK"}
    tpi = read_worksheet(buffer.getvalue(), framework, column_group="tpi")
    assert tpi.answers == {"A.I.1.i.a": "Tidak"} and tpi.notes == {"A.I.1.i.a": "Belum ada SK"}
