"""Issue 16 §6: tables written as CSV (UTF-8 with a BOM) and Excel, read back, with formula
injection guarded and numbers and dates kept as what they are."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tracker import exports

TABLE = exports.Table(
    "Dasbor: ZI/2026",
    ["Unit", "Instansi", "Nilai", "Sejak"],
    [
        ["Polres Kepulauan Seribu — Ñusa", "Kepolisian", Decimal("82.35"), date(2026, 3, 1)],
        ['=HYPERLINK("http://x","klik")', "+62 21 555", Decimal("-1.5"), None],
        ["@SUM(A1)", "-2+3", 7, None],
        ["\tTab", "\rCR", None, None],
        ["Nama\x07berbel", "biasa", None, None],
    ],
)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Polres", "Polres"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_safe_text_prefixes_what_a_spreadsheet_would_evaluate(text, safe) -> None:
    assert exports.safe_text(text) == safe


def test_csv_starts_with_a_bom_and_reads_back_guarded() -> None:
    data = exports.to_csv(TABLE)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Unit", "Instansi", "Nilai", "Sejak"]
    assert rows[1] == ["Polres Kepulauan Seribu — Ñusa", "Kepolisian", "82.35", "2026-03-01"]
    assert rows[2] == ['\'=HYPERLINK("http://x","klik")', "'+62 21 555", "-1.5", ""]
    assert rows[3][:2] == ["'@SUM(A1)", "'-2+3"]
    assert rows[4][:2] == ["'\tTab", "'\rCR"]


def test_excel_reads_back_with_numbers_dates_and_guarded_text() -> None:
    book = load_workbook(io.BytesIO(exports.to_xlsx(TABLE)))
    sheet = book.active
    assert sheet.title == "Dasbor  ZI 2026"  # Excel forbids : and / in sheet names
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["Unit", "Instansi", "Nilai", "Sejak"]
    assert values[1][0] == "Polres Kepulauan Seribu — Ñusa"
    assert values[1][2] == pytest.approx(82.35) and values[1][3].date() == date(2026, 3, 1)
    assert values[2][:3] == ['\'=HYPERLINK("http://x","klik")', "'+62 21 555", -1.5]
    assert values[3][:2] == ["'@SUM(A1)", "'-2+3"]
    assert values[5][0] == "Namaberbel"  # a control character Excel cannot hold is dropped
    # Nothing became a formula.
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold


def test_the_download_name_carries_the_date() -> None:
    day = date(2027, 3, 31)
    assert exports.filename("dasbor-zi", day, exports.Format.CSV) == "dasbor-zi-2027-03-31.csv"
    assert (
        exports.disposition("daftar-zi", day, exports.Format.XLSX)
        == 'attachment; filename="daftar-zi-2027-03-31.xlsx"'
    )


def test_a_download_is_bounded() -> None:
    many = exports.Table("x", ["n"], [[n] for n in range(exports.MAX_ROWS + 5)])
    assert len(exports.to_csv(many).decode("utf-8-sig").splitlines()) == exports.MAX_ROWS + 1
