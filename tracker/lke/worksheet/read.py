"""Reading a filled official worksheet back into raw answers plus warnings.

The header is found by its texts and rows are aligned to the layout (``align``), never by
position. Only answers and counts are taken; they are scored with the rules and every place
where the workbook's own results disagree comes back as an issue.
"""

from __future__ import annotations

import re
import struct
import warnings
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from zipfile import BadZipFile, ZipFile

from openpyxl import load_workbook  # type: ignore[import-untyped]  # openpyxl ships no type stubs
from openpyxl.reader.excel import ExcelReader  # type: ignore[import-untyped]  # openpyxl ships no type stubs
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]  # openpyxl ships no type stubs

from tracker.errors import ValidationError
from tracker.i18n import N_, _
from tracker.lke.answers import (
    AnswerValue,
    CountAnswer,
    answer_to_raw,
    is_blank,
    parse_answer,
    parse_count,
)
from tracker.lke.framework import AnswerType, Framework, Item
from tracker.lke.scoring import ScoreReport, score
from tracker.lke.worksheet import limits
from tracker.lke.worksheet.align import AMBIGUOUS, SheetRow, align_rows
from tracker.lke.worksheet.layout import GROUP_COLUMNS, SHEET_NAME, Slot, layout, norm, type_kind

VALUE_TOLERANCE = Decimal("0.000001")  # float noise of Excel's own arithmetic


@dataclass(frozen=True)
class WorksheetIssue:
    row: int | None
    code: str | None
    kind: str  # see _ISSUES and docs/lke-framework.md ("Worksheet issues")
    message: str


@dataclass(frozen=True)
class WorksheetResult:
    answers: dict[str, Any]  # raw answers, same shape as the JSON answers file
    issues: list[WorksheetIssue]
    rows: dict[str, int] = field(default_factory=dict)  # item code -> worksheet row


_ISSUES = {
    "unmatched_row": N_("Baris %(row)s tidak cocok dengan butir mana pun: %(text)s"),
    "moved_row": N_("Baris %(row)s dipakai untuk %(code)s walaupun letaknya di luar urutan"),
    "duplicate_row": N_("Baris %(row)s mengulang %(code)s (baris %(other)s)"),
    "ambiguous_row": N_(
        "Baris %(row)s dan %(other)s sama-sama cocok dengan %(code)s tetapi "
        "jawabannya berbeda; butir dianggap belum dijawab"
    ),
    "answer_type_mismatch": N_(
        "Baris %(row)s (%(code)s): pilihan jawaban tertulis untuk jenis "
        "%(found)s, seharusnya %(expected)s"
    ),
    "missing_row": N_("%(code)s tidak ditemukan di lembar kerja; butir dianggap belum dijawab"),
    "missing_count_row": N_("%(code)s: baris %(label)s tidak ditemukan di lembar kerja"),
    "percent_without_counts": N_(
        "Baris %(row)s (%(code)s): persentase diketik tanpa jumlah di bawahnya; butir dianggap "
        "belum dijawab"
    ),
    "incomplete_counts": N_("%(code)s: sebagian jumlah belum diisi; butir dianggap belum dijawab"),
    "formula_error": N_("Baris %(row)s (%(code)s): rumus Nilai menghasilkan galat %(error)s"),
    "value_mismatch": N_(
        "Baris %(row)s (%(code)s): Nilai di lembar kerja %(found)s, menurut aturan %(expected)s"
    ),
    "total_mismatch": N_(
        "Baris %(row)s (%(code)s): %(label)s tertulis %(typed)s, jumlah rinciannya %(parts)s"
    ),
    "no_cached_values": N_(
        "%(count)s rumus belum pernah dihitung (buka dan simpan ulang di "
        "Excel), jadi hasilnya tidak dibandingkan"
    ),
}


def _issue(kind: str, row: int | None, code: str | None, **params: Any) -> WorksheetIssue:
    message = _(_ISSUES[kind], row=row, code=code, **params)
    return WorksheetIssue(row, code, kind.replace("missing_count_row", "missing_row"), message)


@dataclass(frozen=True)
class _Columns:
    first_row: int
    text: int | None
    weight: int
    type: int | None
    answer: int
    value: int | None


@dataclass(frozen=True)
class _Sheet:
    """The LKE sheet as plain values by (row, column): as typed (formulas as text) and as
    Excel last computed them. Rows and columns run to the last one the sheet uses."""

    title: str
    typed: Mapping[tuple[int, int], Any]
    cached: Mapping[tuple[int, int], Any]
    max_row: int
    max_column: int
    merged: tuple[tuple[int, int, int, int], ...]  # (top, left, bottom, right)

    def value(self, row: int, column: int) -> Any:
        return self.typed.get((row, column))


def read_worksheet(
    source: str | Path | bytes | IO[bytes], framework: Framework, *, column_group: str = "unit"
) -> WorksheetResult:
    """Read the answers of ``column_group`` ("unit" or "tpi") from a filled official worksheet.

    Raises ValidationError when the file is not a workbook, is beyond the limits of ``limits``
    (too big, too many rows, columns, cells or texts, a zip bomb), has no ``LKE ZI`` sheet or
    header, or holds answers the items do not allow (messages name the row and code).
    Everything else (unmatched, duplicated or missing rows, typed totals that disagree with
    their parts, Nilai values that differ from the rules) comes back as issues.
    """
    sheet = _open_sheet(source)
    return _Reader(framework, _read_rows(sheet, _find_columns(sheet, column_group))).read()


def _open_sheet(source: str | Path | bytes | IO[bytes]) -> _Sheet:
    """The LKE sheet's values, read within the limits of ``limits`` (see there for why).
    Raises ValidationError for a file that is not a workbook, lacks the sheet or is too big."""
    data = _read_source(source)
    try:
        with warnings.catch_warnings():  # agencies' files trip openpyxl's harmless warnings
            warnings.simplefilter("ignore")
            return _bounded_sheet(data)
    except _UNREADABLE as exc:
        raise ValidationError(_("Berkas bukan buku kerja Excel (.xlsx) yang dapat dibaca")) from exc


# What zipfile, zlib, expat and openpyxl raise for a file that is not a well-formed workbook.
_UNREADABLE = (
    BadZipFile,
    InvalidFileException,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    EOFError,
    RuntimeError,  # an encrypted part, a compression method zipfile lacks
    struct.error,
    zlib.error,
)


def _read_source(source: str | Path | bytes | IO[bytes]) -> bytes:
    """The file's bytes, refusing one over the size limit before reading it all."""
    if isinstance(source, str | Path):
        limits.check_file_size(Path(source).stat().st_size)
        return Path(source).read_bytes()
    data = source if isinstance(source, bytes) else source.read(limits.MAX_FILE_BYTES + 1)
    limits.check_file_size(len(data))
    return data


def _bounded_sheet(data: bytes) -> _Sheet:
    """Zip and XML bounds first, then the sheet's shape, then its values: openpyxl is asked
    for exactly the rows and columns the sheet uses, twice (as typed, and as last computed)."""
    limits.check_archive(data)
    with ZipFile(BytesIO(data)) as archive:
        limits.check_parts(archive.infolist())
        shapes = limits.scan_package(archive)
    name, part = _find_sheet(data)
    shape = shapes[part]
    limits.check_sheet(name, shape)
    typed, cached = (_values(data, name, shape, data_only=flag) for flag in (False, True))
    return _Sheet(name, typed, cached, shape.last_row, shape.last_column, tuple(shape.merged))


def _find_sheet(data: bytes) -> tuple[str, str]:
    """(name, zip part) of the ``LKE ZI`` sheet, its name matched loosely; the parts are
    resolved by openpyxl from the workbook alone, before any sheet is parsed."""
    reader = ExcelReader(BytesIO(data), read_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_workbook()
        present = set(reader.valid_files)
        parts = {s.name: r.target for s, r in reader.parser.find_sheets() if r.target in present}
    finally:
        reader.archive.close()
    names = {norm(name).replace(" ", ""): name for name in parts}
    name = names.get(norm(SHEET_NAME).replace(" ", ""))
    if name is None:
        raise ValidationError(
            _(
                "Lembar %(sheet)s tidak ditemukan; lembar yang ada: %(sheets)s",
                sheet=SHEET_NAME,
                sheets=", ".join(parts),
            )
        )
    return name, parts[name]


def _values(
    data: bytes, name: str, shape: limits.SheetShape, *, data_only: bool
) -> dict[tuple[int, int], Any]:
    """{(row, column): value} of the sheet's non-empty cells, read-only and bounded by its
    checked shape; formulas as text, or (``data_only``) the results Excel last stored."""
    if not shape.cells:
        return {}
    book = load_workbook(BytesIO(data), read_only=True, data_only=data_only, keep_links=False)
    try:
        rows = book[name].iter_rows(
            max_row=shape.last_row, max_col=shape.last_column, values_only=True
        )
        values = {
            (row, column): value
            for row, cells in enumerate(rows, start=1)
            for column, value in enumerate(cells, start=1)
            if value is not None
        }
    finally:
        book.close()
    return _hide_merged(values, shape.merged)


def _hide_merged(
    values: dict[tuple[int, int], Any], merged: Sequence[tuple[int, int, int, int]]
) -> dict[tuple[int, int], Any]:
    """Excel shows only the top-left value of a merged range (openpyxl's normal mode too), so
    a value stored under the rest is hidden from the reader as well. The merged area is
    bounded by the cell limit."""
    for top, left, bottom, right in merged:
        for row in range(top, bottom + 1):
            for column in range(left, right + 1):
                if (row, column) != (top, left):
                    values.pop((row, column), None)
    return values


def _find_columns(ws: _Sheet, group: str) -> _Columns:
    """Locate the header by its texts: the ``Bobot`` cell, then the group's Jawaban and Nilai.
    Raises ValidationError when the header or the group's Jawaban column is missing."""
    if group not in GROUP_COLUMNS:
        raise ValidationError(_("Kelompok kolom %(group)s tidak dikenal", group=group))
    weight, cells = _header_cells(ws)
    low, high = _group_span(ws, cells, group)
    answers = [c for _r, c, t in cells if t == "jawaban" and low <= c <= high]
    if not answers:
        label = GROUP_COLUMNS[group][0]
        raise ValidationError(
            _(
                "Lembar %(sheet)s: kolom Jawaban untuk %(group)s tidak ditemukan",
                sheet=ws.title,
                group=label,
            )
        )
    values = [c for _r, c, t in cells if t == "nilai" and answers[0] < c <= high]
    return _Columns(
        first_row=max(r for r, _c, _t in cells) + 1,
        text=next((c for _r, c, t in cells if re.search(r"komponen|indikator|uraian", t)), None),
        weight=weight,
        type=next((c for _r, c, t in cells if t == "pilihan jawaban"), None),
        answer=answers[0],
        value=values[0] if values else None,
    )


def _header_cells(ws: _Sheet) -> tuple[int, list[tuple[int, int, str]]]:
    """(Bobot column, [(row, column, normalised text)]) of the header: the row holding "Bobot"
    and the rows below it that hold sub-headers (Jawaban, Nilai). Raises ValidationError."""
    columns = range(1, ws.max_column + 1)
    bobot = [(r, c) for r in range(1, 41) for c in columns if norm(ws.value(r, c)) == "bobot"]
    if not bobot:
        raise ValidationError(
            _(
                "Lembar %(sheet)s: baris judul kolom (Bobot, Pilihan Jawaban, "
                "Jawaban, Nilai) tidak ditemukan",
                sheet=ws.title,
            )
        )
    top, column = bobot[0]
    cells = [
        (r, c, norm(ws.value(r, c)))
        for r in range(top, top + 3)
        for c in columns
        if isinstance(ws.value(r, c), str)
    ]
    last = max(r for r, _c, t in cells if t in _HEADER_WORDS)
    return column, [cell for cell in cells if cell[0] <= last]


_HEADER_WORDS = {"jawaban", "nilai", "catatan", "bukti dukung", "pilihan jawaban", "bobot"}


def _group_span(ws: _Sheet, cells: list[tuple[int, int, str]], group: str) -> tuple[int, int]:
    """Columns of the "Unit Kerja" or "TPI" group; the whole sheet when there are no groups."""
    labels = sorted((c, r, t) for r, c, t in cells if re.search(r"\bunit\b|\btpi\b|penilai", t))
    wanted = [(c, r) for c, r, t in labels if _is_tpi(t) == (group == "tpi")]
    if not labels:
        return (1, ws.max_column) if group == "unit" else (0, -1)
    if not wanted:
        return (0, -1)
    column, row = wanted[0]
    for top, left, bottom, right in ws.merged:
        if top <= row <= bottom and left <= column <= right:
            return left, right
    following = [c for c, _r, _t in labels if c > column]
    return column, (following[0] - 1 if following else ws.max_column)


def _is_tpi(label: str) -> bool:
    return "tpi" in label.split() or ("penilai" in label and not re.search(r"unit|mandiri", label))


def _read_rows(ws: _Sheet, columns: _Columns) -> list[SheetRow]:
    """Every non-blank row under the header, with its marker, text, type, answer and Nilai."""
    rows = []
    last = columns.text or columns.weight - 1  # markers (and maybe the text) up to here
    for number in range(columns.first_row, ws.max_row + 1):
        texts = [_text(ws.value(number, column)) for column in range(1, last + 1)]
        marker, text = _split_marker([t for t in texts if t])
        answer = _cell(ws, number, columns.answer)
        if marker or text or not is_blank(answer[0]):
            kind = type_kind(ws.value(number, columns.type) if columns.type else None)
            value = _cell(ws, number, columns.value)
            rows.append(SheetRow(number, marker, text, kind, *answer, *value))
    return rows


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a marker typed as the number 1
    return str(value).strip() if value is not None else ""


def _cell(ws: _Sheet, row: int, column: int | None) -> tuple[Any, str | None]:
    """(value, formula): the literal, or a formula's cached result (None if never computed)."""
    if column is None:
        return None, None
    raw = ws.value(row, column)
    if isinstance(raw, str) and raw.startswith("="):
        return ws.cached.get((row, column)), raw
    if hasattr(raw, "text"):  # array formulas
        return ws.cached.get((row, column)), str(raw.text)
    return raw, None


_MARKER = re.compile(r"^(?:[ivxIVXl1]{1,4}|[A-Za-z]|\d{1,2}|[-–—•*·])[.)]?$")
_LEADING_MARKER = re.compile(r"^((?:[ivxIVXl]{1,4}|[A-Za-z]|\d{1,2})[.)]|[-–—•*·])\s+(\S.*)$")


def _split_marker(texts: list[str]) -> tuple[str, str]:
    """(canonical marker, text) from the first columns; "a. Teks" in one cell is split too."""
    marker = next((t for t in texts if _MARKER.match(t)), "")
    text = max((t for t in texts if t is not marker), key=len, default="")
    if not marker and (match := _LEADING_MARKER.match(text)):
        marker, text = match.group(1), match.group(2)
    return _canonical_marker(marker), text


def _canonical_marker(marker: str) -> str:
    """Undo common typos: "l." and "1." typed for "I.", "ii" without its dot, "•" for "-"."""
    mark = marker.strip().rstrip(".)").strip()
    if mark and mark in "-–—•*·":
        return "-"
    if mark.isdigit():
        return str(int(mark))
    if (re.fullmatch(r"[IVXl1]+", mark) and not mark.islower()) or mark in ("l", "ll", "lll"):
        return mark.replace("l", "I").replace("1", "I")
    return mark


class _RowError(Exception):
    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row, self.message = row, message


class _Reader:
    """Aligns the rows of one sheet, extracts the answers and checks the sheet's own results."""

    def __init__(self, framework: Framework, rows: list[SheetRow]) -> None:
        self.framework, self.rows = framework, rows
        self.slots = layout(framework)
        self.issues: list[WorksheetIssue] = []
        self.matched: dict[int, SheetRow] = {}

    def read(self) -> WorksheetResult:
        """Raises ValidationError listing every invalid answer with its row."""
        self.align()
        parsed, problems = self.extract()
        if problems:
            raise ValidationError("; ".join(problems), problems=problems)
        self.compare(parsed, score(self.framework, parsed))
        raw = {code: answer_to_raw(self.framework.item(code), a) for code, a in parsed.items()}
        rows = {
            self.slots[i].code: r.row
            for i, r in sorted(self.matched.items())
            if self.slots[i].kind == "item" and r is not AMBIGUOUS
        }
        return WorksheetResult(raw, self.issues, rows)

    def align(self) -> None:
        alignment = align_rows(self.rows, self.slots)
        self.matched = alignment.matched
        self.issues += [_issue(f.kind, f.row, f.code, **f.params) for f in alignment.findings]

    def extract(self) -> tuple[dict[str, AnswerValue], list[str]]:
        """Parse every item's answer; returns (parsed, problems naming rows)."""
        parsed: dict[str, AnswerValue] = {}
        problems: list[str] = []
        for index, slot in enumerate(self.slots):
            if slot.kind != "item":
                continue
            item = self.framework.item(slot.code)
            try:
                answer = (
                    self.counts(item, index)
                    if item.answer_type is AnswerType.PERCENT
                    else self.single(item, self.matched.get(index))
                )
            except _RowError as exc:
                problems.append(_("Baris %(row)s: %(error)s", row=exc.row, error=exc.message))
                continue
            if answer is not None:
                parsed[item.code] = answer
        return parsed, problems

    def single(self, item: Item, row: SheetRow | None) -> AnswerValue | None:
        if row is None:
            self.issues.append(_issue("missing_row", None, item.code))
        if row is None or row is AMBIGUOUS or is_blank(row.answer):
            return None
        try:
            raw = row.answer.strip() if isinstance(row.answer, str) else row.answer
            return parse_answer(item, raw)
        except ValidationError as exc:
            raise _RowError(row.row, exc.message) from exc

    def counts(self, item: Item, index: int) -> CountAnswer | None:
        """The counts typed in the ``Jumlah`` rows under a % item (derived totals skipped)."""
        where = {self.slots[i].input_key: i for i in range(index + 1, index + 1 + len(item.rows))}
        values: list[int | None] = []
        for spec in item.inputs:
            row = self.matched.get(where[spec.key])
            if row is None:
                self.issues.append(_issue("missing_count_row", None, item.code, label=spec.label))
            if row is None or row is AMBIGUOUS or is_blank(row.answer):
                values.append(None)
                continue
            try:
                values.append(parse_count(item, spec.label, row.answer))
            except ValidationError as exc:
                raise _RowError(row.row, exc.message) from exc
        if None in values and any(value is not None for value in values):
            self.issues.append(_issue("incomplete_counts", None, item.code))
        elif None in values:
            self.typed_percent(item, self.matched.get(index))
        counts = [value for value in values if value is not None]
        return CountAnswer(tuple(counts)) if len(counts) == len(values) else None

    def typed_percent(self, item: Item, row: SheetRow | None) -> None:
        """A percentage typed on the % row without its counts: the rules need the counts (D4)."""
        if row is None or row is AMBIGUOUS or row.answer_formula or is_blank(row.answer):
            return
        self.issues.append(_issue("percent_without_counts", row.row, item.code))

    def compare(self, parsed: Mapping[str, AnswerValue], report: ScoreReport) -> None:
        """Every place where the workbook's own result differs from the rules' result."""
        uncomputed = 0
        for index, row in sorted(self.matched.items(), key=lambda pair: pair[1].row):
            slot = self.slots[index]
            if row is AMBIGUOUS or (slot.kind == "count" and not slot.derived):
                continue
            counting = slot.kind == "count"
            found = row.answer if counting else row.value
            if (row.answer_formula if counting else row.value_formula) and found is None:
                uncomputed += 1
            elif counting:
                self.check_total(slot, row, parsed.get(slot.code))
            else:
                self.check_value(slot, row, self.rules_value(slot, report))
        if uncomputed:
            self.issues.append(_issue("no_cached_values", None, None, count=uncomputed))

    def rules_value(self, slot: Slot, report: ScoreReport) -> Decimal | None:
        if slot.kind == "total":
            return report.total.score
        if slot.kind != "item":
            return report.groups[slot.code].score
        result = report.items[slot.code]
        if not result.answered:
            return None
        return result.score if self.framework.item(slot.code).weight is not None else result.value

    def check_value(self, slot: Slot, row: SheetRow, expected: Decimal | None) -> None:
        found, number = row.value, _number(row.value)
        if isinstance(found, str) and found.startswith("#"):
            self.issues.append(_issue("formula_error", row.row, slot.code, error=found))
            return
        if found is None or (number is None and expected is None):
            return
        if (
            number is not None
            and expected is not None
            and abs(number - expected) <= VALUE_TOLERANCE
        ):
            return
        shown = _show_number(expected) if expected is not None else _("belum dijawab")
        issue = _issue(
            "value_mismatch", row.row, slot.code, found=_show_number(found), expected=shown
        )
        if row.value_formula:  # name the formula: agencies' sheets often carry wrong ones
            formula = _("(rumus %(formula)s)", formula=row.value_formula)
            issue = WorksheetIssue(issue.row, issue.code, issue.kind, f"{issue.message} {formula}")
        self.issues.append(issue)

    def check_total(self, slot: Slot, row: SheetRow, answer: AnswerValue | None) -> None:
        """A derived total row (e.g. "Jumlah yang harus melaporkan") against its parts."""
        typed = _number(row.answer)
        if not isinstance(answer, CountAnswer) or typed is None:
            return
        item = self.framework.item(slot.code)
        counts = dict(zip((i.key for i in item.inputs), answer.counts, strict=True))
        spec = next(r for r in item.rows if r.key == slot.input_key)
        parts = sum(counts[key] for key in spec.sum_of)
        if typed != parts:
            self.issues.append(
                _issue(
                    "total_mismatch",
                    row.row,
                    slot.code,
                    label=spec.label,
                    typed=_show_number(typed),
                    parts=parts,
                )
            )


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _show_number(value: Any) -> str:
    number = _number(value)
    if number is None:
        return str(value)
    return format(number.quantize(Decimal("0.0001")).normalize(), "f").replace(".", ",")
