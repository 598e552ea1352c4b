"""Reading the Lampiran III sheet ``LKE ZI``: our own export, or the regulation's sheet as
agencies keep it.

Our export has a two-row header with column groups (``Unit Kerja`` and ``Penilaian TPI``,
each with Jawaban, Nilai, Catatan...). The agencies' sheet has one header row: ``Penilaian``
(the question text, spread over B-G with the hierarchy markers), ``Bobot``, ``Penjelasan``,
``Pilihan Jawaban``, ``Jawaban``, ``Nilai``, ``%``, then notes and evidence in free-form
columns; column A often numbers the rows. Both are found by their header texts, never by
position, and rows are matched to the layout by hierarchy and text (``align``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.errors import ValidationError
from tracker.i18n import _
from tracker.lke.answers import is_blank
from tracker.lke.framework import Framework
from tracker.lke.worksheet.align import SheetRow, align_rows
from tracker.lke.worksheet.layout import (
    GRAND_TOTAL_TEXT,
    GROUP_COLUMNS,
    WorksheetLayout,
    layout,
    norm,
    type_kind,
)
from tracker.lke.worksheet.notes import ColumnKind
from tracker.lke.worksheet.reading import Columns, Reading, cell, split_marker, text
from tracker.lke.worksheet.workbook import SheetData

HEADER_SEARCH_ROWS = 40  # the header sits under a few title rows
_HEADER_WORDS = {"jawaban", "nilai", "catatan", "bukti dukung", "pilihan jawaban", "bobot"}
_COLUMN_WORDS = ("jawaban", "nilai", "catatan", "bukti", "pilihan", "bobot")
_TEXT_HEADER = re.compile(r"komponen|indikator|uraian|^penilaian$|^no$")
_NOT_NOTES = re.compile(r"^penjelasan$|^kriteria")  # criteria columns right of the answer
_GRAND_TOTAL = norm(GRAND_TOTAL_TEXT)
_COUNTER_ROWS = 30  # a row counter fills ~200 rows; area markers typed as numbers fill 12


@dataclass(frozen=True)
class _Header:
    top: int  # the row holding "Bobot"
    weight: int  # its column
    cells: list[tuple[int, int, str]]  # (row, column, normalised text) of the header rows
    raw: dict[int, str]  # column -> the header text as typed (for "%", which norm drops)

    @property
    def first_row(self) -> int:
        return max(r for r, _c, _t in self.cells) + 1


def read_lampiran(sheet: SheetData, framework: Framework, group: str) -> Reading | None:
    """The sheet read for answer group ``group`` ("unit" or "tpi"); None when it has no header
    with a ``Jawaban`` column (it is not the LKE sheet). Raises ValidationError for an unknown
    group, or a sheet that has the unit's answers but not the group asked for."""
    if group not in GROUP_COLUMNS:
        raise ValidationError(_("Kelompok kolom %(group)s tidak dikenal", group=group))
    header = _find_header(sheet)
    if header is None:
        return None
    columns = _columns(sheet, header, group)
    if columns is None:
        return None
    hierarchy = _hierarchy_columns(sheet, header)
    rows = _read_rows(sheet, header.first_row, hierarchy, columns)
    alignment = align_rows(rows, layout(framework))
    grouped = _has_groups(header)
    return Reading(
        WorksheetLayout.LAMPIRAN3,
        sheet,
        columns,
        alignment.matched,
        alignment.findings,
        strict=grouped,
    )


# --- the header -------------------------------------------------------------------------------


def _find_header(sheet: SheetData) -> _Header | None:
    """The row holding "Bobot" and the rows below it that hold sub-headers (Jawaban, Nilai)."""
    columns = range(1, sheet.max_column + 1)
    rows = range(1, min(HEADER_SEARCH_ROWS, sheet.max_row) + 1)
    bobot = [(r, c) for r in rows for c in columns if norm(sheet.value(r, c)) == "bobot"]
    if not bobot:
        return None
    top, weight = bobot[0]
    cells = [
        (r, c, norm(sheet.value(r, c)))
        for r in range(top, top + 3)
        for c in columns
        if isinstance(sheet.value(r, c), str)
    ]
    last = max(r for r, _c, t in cells if t in _HEADER_WORDS)
    cells = [entry for entry in cells if entry[0] <= last]
    raw = {c: str(sheet.value(r, c)).strip() for r, c, _t in cells}
    return _Header(top, weight, cells, raw)


def _columns(sheet: SheetData, header: _Header, group: str) -> Columns | None:
    """The group's columns; None without any Jawaban column. Raises ValidationError when the
    sheet has answers, but not for ``group``."""
    low, high = _group_span(sheet, header, group)
    answers = [c for _r, c, t in header.cells if _heads(header, t, "jawaban", group)]
    answers = [c for c in answers if low <= c <= high]
    if not answers:
        if group == "unit" or not _columns(sheet, header, "unit"):
            return None
        raise ValidationError(
            _(
                "Lembar %(sheet)s: kolom Jawaban untuk %(group)s tidak ditemukan",
                sheet=sheet.title,
                group=GROUP_COLUMNS[group][0],
            )
        )
    answer = answers[0]
    values = [c for _r, c, t in header.cells if _heads(header, t, "nilai", group)]
    value = next((c for c in values if answer < c <= high), None)
    kind = next((c for _r, c, t in header.cells if t == "pilihan jawaban"), None)
    notes = _note_columns(sheet, header, group, (low, high))
    return Columns(answer, value, kind, header.weight, notes)


def _heads(header: _Header, label: str, word: str, group: str) -> bool:
    """Whether a header names ``word``'s column of ``group``: "Jawaban" under a group label,
    or, without groups, "Jawaban" / "Jawaban Unit Kerja" (the unit's), "Jawaban TPI"."""
    if not (label == word or label.startswith(word + " ")):
        return False
    return _has_groups(header) or _is_tpi(label) == (group == "tpi")


def _note_columns(
    sheet: SheetData, header: _Header, group: str, span: tuple[int, int]
) -> tuple[tuple[int, ColumnKind], ...]:
    """Our export: the group's Catatan (the note) and Bukti Dukung (evidence). The agencies'
    sheet: every column right of the unit's Jawaban, Nilai and % is free-form notes and
    evidence (a TPI's columns there excepted)."""
    low, high = span
    if _has_groups(header) or group == "tpi":
        found = []
        for _r, column, label in header.cells:
            if not low <= column <= high or (group == "tpi") != _is_tpi(label):
                continue
            if label.startswith("catatan"):
                found.append((column, ColumnKind.NOTE))
            elif label.startswith("bukti"):
                found.append((column, ColumnKind.EVIDENCE))
        return tuple(sorted(found))
    fixed = {c for _r, c, t in header.cells if _column_word(t)}
    known = [c for _r, c, t in header.cells if _column_word(t) and not _is_tpi(t)]
    known += [c for c, raw in header.raw.items() if raw == "%"]
    skipped = {c for _r, c, t in header.cells if _NOT_NOTES.search(t) or _is_tpi(t)} | fixed
    return tuple(
        (c, ColumnKind.EVIDENCE)
        for c in range(max(known) + 1, sheet.max_column + 1)
        if c not in skipped
    )


def _column_word(label: str) -> bool:
    return label.split(" ", 1)[0] in ("jawaban", "nilai")


def _has_groups(header: _Header) -> bool:
    return any(_is_group_label(t) for _r, _c, t in header.cells)


def _is_group_label(label: str) -> bool:
    """ "Unit Kerja", "Penilaian TPI"...; plain "Penilaian" heads the question text instead,
    and "Jawaban TPI" or "Nilai Unit" head one column."""
    if label == "penilaian" or label.split(" ", 1)[0] in _COLUMN_WORDS:
        return False
    return bool(re.search(r"\bunit\b|\btpi\b|penilai", label))


def _group_span(sheet: SheetData, header: _Header, group: str) -> tuple[int, int]:
    """Columns of the "Unit Kerja" or "TPI" group; the whole sheet when there are no groups
    (then a plain Jawaban column is the unit's: the regulation's sheet is its
    self-assessment; "Jawaban TPI" is the TPI's)."""
    labels = sorted((c, r, t) for r, c, t in header.cells if _is_group_label(t))
    wanted = [(c, r) for c, r, t in labels if _is_tpi(t) == (group == "tpi")]
    if not labels:  # the headers themselves say whose column it is ("Jawaban TPI")
        return 1, sheet.max_column
    if not wanted:
        return (0, -1)
    column, row = wanted[0]
    for top, left, bottom, right in sheet.merged:
        if top <= row <= bottom and left <= column <= right:
            return left, right
    following = [c for c, _r, _t in labels if c > column]
    return column, (following[0] - 1 if following else sheet.max_column)


def _is_tpi(label: str) -> bool:
    return "tpi" in label.split() or ("penilai" in label and not re.search(r"unit|mandiri", label))


def _hierarchy_columns(sheet: SheetData, header: _Header) -> list[int]:
    """The columns holding markers and question text: from "No" or "Penilaian" to the text
    column (our export) or to the one before Bobot (agencies'), without a column that only
    numbers the rows (column A of many agencies' copies)."""
    heads = [(c, t) for _r, c, t in header.cells if _TEXT_HEADER.search(t) and c < header.weight]
    first = min((c for c, _t in heads), default=1)
    named = [c for c, t in heads if t not in ("no", "penilaian")]
    last = max(named) if named else header.weight - 1
    return [c for c in range(first, last + 1) if not _numbers_rows(sheet, c, header.first_row)]


def _numbers_rows(sheet: SheetData, column: int, first_row: int) -> bool:
    """Whether a column holds mostly numbers (a running row count), not markers as text."""
    values = [sheet.value(r, column) for r in range(first_row, sheet.max_row + 1)]
    filled = [v for v in values if v is not None]
    numbers = [v for v in filled if isinstance(v, int | float) and not isinstance(v, bool)]
    return len(numbers) >= _COUNTER_ROWS and len(numbers) >= 0.8 * len(filled)


# --- the rows ---------------------------------------------------------------------------------


def _read_rows(
    sheet: SheetData, first_row: int, hierarchy: list[int], columns: Columns
) -> list[SheetRow]:
    """Every non-blank row under the header, with its marker, text, type, answer and Nilai."""
    rows = []
    past_total = False  # below the grand total: the signature block ("ttd", the Minister)
    for number in range(first_row, sheet.max_row + 1):
        texts = [text(sheet.value(number, column)) for column in hierarchy]
        marker, label = split_marker([t for t in texts if t])
        answer = cell(sheet, number, columns.answer)
        if marker or label or (not past_total and not is_blank(answer[0])):
            typed = text(sheet.value(number, columns.type)) if columns.type else ""
            value = cell(sheet, number, columns.value)
            rows.append(
                SheetRow(number, marker, label, type_kind(typed), *answer, *value, type_text=typed)
            )
        past_total = past_total or norm(label) == _GRAND_TOTAL
    return rows
