"""The official LKE worksheet (Lampiran III layout, sheet ``LKE ZI``): write it and read it back.

Layout, top to bottom: title rows, a two-row header (``No`` | ``Komponen/Sub Komponen/Indikator``
| ``Bobot`` | ``Pilihan Jawaban`` | ``Unit Kerja``: ``Jawaban``, ``Nilai``, ``Catatan``,
``Bukti Dukung`` | ``Penilaian TPI``: ``Jawaban``, ``Nilai``, ``Catatan`` | ``Kriteria``), then one
row per component, part, area, sub-area and item, hierarchy markers (``A.``/``I.``/``1.``/``i.``/
``a.``) in the first columns and one ``-`` row typed ``Jumlah`` per count input under a % item.

Agencies' copies shift rows, mistype markers and keep broken formulas, so the reader finds the
header by its texts and aligns rows to the framework in order by question text similarity, marker
and answer type (never by row number). It takes answers and counts only, scores them with the
rules and reports every place where the workbook's own results disagree.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from tracker.errors import ValidationError
from tracker.i18n import N_, _
from tracker.lke.answers import (
    AnswerValue,
    ChoiceAnswer,
    CountAnswer,
    IndexAnswer,
    answer_to_raw,
    parse_answer,
    parse_answers,
    parse_count,
)
from tracker.lke.framework import (
    CHOICE_KEYS,
    AnswerType,
    Formula,
    FormulaKind,
    Framework,
    Item,
    SubArea,
    sub_area_tree,
)
from tracker.lke.scoring import ScoreReport, score

SHEET_NAME = "LKE ZI"
GRAND_TOTAL_TEXT = "NILAI EVALUASI ZONA INTEGRITAS"
TYPE_LABELS = {
    AnswerType.YA_TIDAK: "Ya/Tidak",
    AnswerType.ABC: "A/B/C",
    AnswerType.ABCD: "A/B/C/D",
    AnswerType.ABCDE: "A/B/C/D/E",
    AnswerType.PERCENT: "%",
    AnswerType.SURVEY_INDEX: "Nilai (0-4)",
}
COUNT_LABEL = "Jumlah"
NOT_FILLED = "Blm Diisi"  # what the official Excel shows for an unanswered item (D3)

# Column positions of the sheet this module writes (the reader finds them by header text).
MARKER_COLUMNS = 7  # depth 0..6: A. / I. / 1. / i. / a. / 1. (nested) / - (counts)
COL_TEXT, COL_WEIGHT, COL_TYPE = 8, 9, 10
GROUP_COLUMNS = {  # group -> (label, first column, sub-headers)
    "unit": ("Unit Kerja", 11, ("Jawaban", "Nilai", "Catatan", "Bukti Dukung")),
    "tpi": ("Penilaian TPI", 15, ("Jawaban", "Nilai", "Catatan")),
}
COL_CRITERIA = 18
HEADER_ROW, FIRST_ROW = 4, 6


@dataclass(frozen=True)
class Slot:
    """One row of the official layout, in worksheet order."""

    kind: str  # component | part | area | sub_area | item | count | total
    code: str  # node code; for count rows the owning item's code
    depth: int
    marker: str  # canonical marker without the dot: "A", "I", "1", "i", "a", "-", ""
    text: str
    type_label: str = ""
    weight: Decimal | None = None
    input_key: str | None = None
    derived: bool = False

    @property
    def type_kind(self) -> str:
        return _type_kind(self.type_label)


def layout(framework: Framework) -> list[Slot]:
    """The rows of the official worksheet for ``framework``, top to bottom."""
    slots: list[Slot] = []
    for component in framework.components:
        slots.append(
            Slot(
                "component",
                component.code,
                0,
                component.code,
                component.name,
                weight=component.weight,
            )
        )
        for part in component.parts:
            slots.append(
                Slot("part", part.code, 1, _last(part.code), part.name, weight=part.weight)
            )
            for item in part.items:
                slots.extend(_item_slots(item, 2))
            for area in part.areas:
                slots.append(Slot("area", area.code, 2, area.number, area.name, weight=area.weight))
                for sub_area in area.sub_areas:
                    slots.extend(_sub_area_slots(sub_area, 3))
    slots.append(Slot("total", "total", 0, "", GRAND_TOTAL_TEXT, weight=framework.total_weight))
    return slots


def _sub_area_slots(node: SubArea, depth: int) -> Iterator[Slot]:
    yield Slot("sub_area", node.code, depth, _last(node.code), node.name, weight=node.weight)
    for child in node.children:
        yield from _sub_area_slots(child, depth + 1)
    for item in node.items:
        yield from _item_slots(item, depth + 1)


def _item_slots(item: Item, depth: int) -> Iterator[Slot]:
    yield Slot(
        "item",
        item.code,
        depth,
        _last(item.code),
        item.text,
        TYPE_LABELS[item.answer_type],
        weight=item.weight,
    )
    for row in item.rows:
        yield Slot(
            "count",
            item.code,
            depth + 1,
            "-",
            row.label,
            COUNT_LABEL,
            input_key=row.key,
            derived=row.derived,
        )


def _last(code: str) -> str:
    return code.rsplit(".", 1)[-1]


# --- writing ----------------------------------------------------------------------------------

_FILL = PatternFill("solid", fgColor="FFF2CC")  # the official sheet's "fill me" yellow
_BOLD = Font(bold=True)
_HEADERS = (
    (1, "No"),
    (COL_TEXT, "Komponen/Sub Komponen/Indikator"),
    (COL_WEIGHT, "Bobot"),
    (COL_TYPE, "Pilihan Jawaban"),
    (COL_CRITERIA, "Kriteria Penilaian"),
)


def write_worksheet(
    framework: Framework,
    answers: Mapping[str, Any] | None = None,
    notes: Mapping[str, str] | None = None,
) -> bytes:
    """An .xlsx in the official layout, blank or filled with ``answers`` (raw, as in the JSON
    answers file) and unit ``notes`` per item code. Nilai cells carry formulas like the official
    sheet's. Raises ValidationError for invalid answers."""
    return _Writer(framework, parse_answers(framework, answers or {}), notes or {}).build()


class _Writer:
    """Writes one workbook; holds what every row needs."""

    def __init__(
        self, framework: Framework, parsed: Mapping[str, AnswerValue], notes: Mapping[str, str]
    ) -> None:
        self.framework, self.parsed, self.notes = framework, parsed, notes
        self.slots = layout(framework)
        self.rows = {(s.code, s.input_key): FIRST_ROW + i for i, s in enumerate(self.slots)}
        self.book = Workbook()
        self.ws = self.book.active
        self.ws.title = SHEET_NAME
        self.validations: dict[AnswerType, DataValidation] = {}

    def build(self) -> bytes:
        self.header()
        for answer_type in CHOICE_KEYS:
            keys = ",".join(CHOICE_KEYS[answer_type])
            self.validations[answer_type] = DataValidation(type="list", formula1=f'"{keys}"')
            self.ws.add_data_validation(self.validations[answer_type])
        for index, slot in enumerate(self.slots):
            self.write(FIRST_ROW + index, slot)
        self.book.calculation.fullCalcOnLoad = True  # Excel computes the formulas on opening
        buffer = BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()

    def header(self) -> None:
        ws, top, sub = self.ws, HEADER_ROW, HEADER_ROW + 1
        ws.cell(1, 1, self.framework.title.upper()).font = Font(bold=True, size=13)
        ws.cell(2, 1, self.framework.regulation)
        for column, text in _HEADERS:
            ws.cell(top, column, text).font = _BOLD
            last = MARKER_COLUMNS if column == 1 else column
            ws.merge_cells(start_row=top, start_column=column, end_row=sub, end_column=last)
        for label, first, headers in GROUP_COLUMNS.values():
            ws.cell(top, first, label).font = _BOLD
            last = first + len(headers) - 1
            ws.merge_cells(start_row=top, start_column=first, end_row=top, end_column=last)
            for offset, text in enumerate(headers):
                ws.cell(sub, first + offset, text).font = _BOLD
        for column in range(1, MARKER_COLUMNS + 1):
            ws.column_dimensions[get_column_letter(column)].width = 4
        ws.column_dimensions[get_column_letter(COL_TEXT)].width = 70
        ws.column_dimensions[get_column_letter(COL_CRITERIA)].width = 60
        ws.freeze_panes = ws.cell(FIRST_ROW, COL_WEIGHT)

    def write(self, row: int, slot: Slot) -> None:
        ws = self.ws
        if slot.marker:
            ws.cell(row, 1 + slot.depth, slot.marker if slot.marker == "-" else slot.marker + ".")
        text = ws.cell(row, COL_TEXT, slot.text)
        text.alignment = Alignment(wrap_text=True, vertical="top")
        text.font = _BOLD if slot.kind not in ("item", "count") else Font()
        if slot.weight is not None:
            ws.cell(row, COL_WEIGHT, float(slot.weight))
        ws.cell(row, COL_TYPE, slot.type_label or None)
        for _label, first, _headers in GROUP_COLUMNS.values():
            for column, formula in self.formulas(slot, row, first).items():
                ws.cell(row, column, formula).number_format = "0.00"
            if slot.kind in ("item", "count") and not slot.derived and slot.type_label != "%":
                ws.cell(row, first).fill = _FILL
        if slot.kind == "item":
            self.item_extras(row, self.framework.item(slot.code))
        answer = self.answer(slot)
        if answer is not None:  # a count of 0 is an answer too
            ws.cell(row, GROUP_COLUMNS["unit"][1], answer)

    def item_extras(self, row: int, item: Item) -> None:
        self.ws.cell(row, COL_CRITERIA, item.criteria).alignment = Alignment(wrap_text=True)
        if item.answer_type in self.validations:
            for _label, first, _headers in GROUP_COLUMNS.values():
                self.validations[item.answer_type].add(self.ws.cell(row, first))
        if self.notes.get(item.code):
            self.ws.cell(row, GROUP_COLUMNS["unit"][1] + 2, self.notes[item.code])

    def answer(self, slot: Slot) -> Any:
        """The unit's typed answer for this row, if any (counts go on their Jumlah rows)."""
        answer = self.parsed.get(slot.code)
        if isinstance(answer, CountAnswer) and slot.kind == "count" and not slot.derived:
            keys = [i.key for i in self.framework.item(slot.code).inputs]
            return answer.counts[keys.index(slot.input_key)]
        if isinstance(answer, ChoiceAnswer) and slot.kind == "item":
            return answer.key
        if isinstance(answer, IndexAnswer) and slot.kind == "item":
            return float(answer.index)
        return None

    def formulas(self, slot: Slot, row: int, first: int) -> dict[int, str]:
        """{column: formula} for one row in one column group (Jawaban at ``first``, Nilai next)."""
        ans, val = get_column_letter(first), get_column_letter(first + 1)
        if slot.kind == "count":
            spec = next(r for r in self.framework.item(slot.code).rows if r.key == slot.input_key)
            cells = [f"{ans}{self.rows[(slot.code, key)]}" for key in spec.sum_of]
            return {first: "=" + "+".join(cells)} if cells else {}
        if slot.kind == "item":
            return self.item_formulas(self.framework.item(slot.code), row, first)
        children, leaf = self.children(slot)
        cells = ",".join(f"{val}{self.rows[(code, None)]}" for code in children)
        if leaf:  # D3: AVERAGE skips the "Blm Diisi" text of unanswered items; none -> 0
            weight = f"{get_column_letter(COL_WEIGHT)}{row}"
            return {first + 1: f"=IFERROR(AVERAGE({cells})*{weight},0)"}
        return {first + 1: f"=SUM({cells})"}

    def item_formulas(self, item: Item, row: int, first: int) -> dict[int, str]:
        ans, weight = f"{get_column_letter(first)}{row}", f"{get_column_letter(COL_WEIGHT)}{row}"
        if item.answer_type is AnswerType.SURVEY_INDEX:  # D7
            top = item.index_max or Decimal(4)
            return {first + 1: f'=IF(ISNUMBER({ans}),{ans}/{top}*{weight},"{NOT_FILLED}")'}
        if item.answer_type is AnswerType.PERCENT:
            cells = {
                i.key: f"{get_column_letter(first)}{self.rows[(item.code, i.key)]}"
                for i in item.inputs
            }
            ratio = _ratio_formula(item.formula, cells)
            count = f"COUNT({','.join(cells.values())})<{len(cells)}"
            return {
                first: f'=IF({count},"",{ratio})',
                first + 1: f'=IF({ans}="","{NOT_FILLED}",{ans})',
            }
        choice = f'"{NOT_FILLED}"'
        for option in reversed(item.options):  # D2 multipliers, literal as in the official sheet
            choice = f'IF({ans}="{option.key}",{option.multiplier},{choice})'
        if item.weight is not None:
            return {first + 1: f'=IFERROR({choice}*{weight},"{NOT_FILLED}")'}
        return {first + 1: f"={choice}"}

    def children(self, slot: Slot) -> tuple[list[str], bool]:
        """Codes whose Nilai a group row adds up, and whether it averages them (a leaf)."""
        if slot.kind == "total":
            return [c.code for c in self.framework.components], False
        for component in self.framework.components:
            if component.code == slot.code:
                return [p.code for p in component.parts], False
            for part in component.parts:
                if part.code == slot.code:
                    return [a.code for a in part.areas] + [i.code for i in part.items], False
        for _part, area in self.framework.areas():
            if area.code == slot.code:
                return [s.code for s in area.sub_areas], False
            for node in (n for top in area.sub_areas for n in sub_area_tree(top)):
                if node.code == slot.code:
                    return [c.code for c in node.children] + [i.code for i in node.items], (
                        not node.children
                    )
        raise KeyError(slot.code)


def _ratio_formula(formula: Formula | None, cells: Mapping[str, str]) -> str:
    """D4 in Excel: zero denominator -> 1 if nothing required else 0; clamp to [0, 1]."""
    if formula is None:  # the framework parser guarantees a formula on every % item
        raise ValueError("a % item without a formula")
    if formula.kind is FormulaKind.DECREASE:
        prev, cur = cells[formula.previous], cells[formula.current]  # type: ignore[index]
        num, den = f"({prev}-{cur})", prev
    else:
        num = "(" + "+".join(cells[k] for k in formula.numerator) + ")"
        den = "(" + "+".join(cells[k] for k in formula.denominator) + ")"
    return f"IF({den}=0,IF({num}=0,1,0),MAX(0,MIN(1,{num}/{den})))"


# --- reading ----------------------------------------------------------------------------------

MATCH_THRESHOLD = 0.6  # minimum pair score (text similarity + marker/type bonuses) to align
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


@dataclass
class _Row:
    row: int
    marker: str
    text: str
    type_kind: str
    answer: Any  # the literal, or the cached result of a formula
    answer_formula: str | None
    value: Any  # the Nilai cell, likewise
    value_formula: str | None

    @property
    def norm(self) -> str:
        return _norm(self.text)


_AMBIGUOUS = _Row(0, "", "", "", None, None, None, None)  # a slot two rows claim differently


@dataclass(frozen=True)
class _Columns:
    first_row: int
    text: int | None
    weight: int
    type: int | None
    answer: int
    value: int | None


def read_worksheet(
    source: str | Path | bytes | IO[bytes], framework: Framework, *, column_group: str = "unit"
) -> WorksheetResult:
    """Read the answers of ``column_group`` ("unit" or "tpi") from a filled official worksheet.

    Raises ValidationError when the file is not a workbook, has no ``LKE ZI`` sheet or header,
    or holds answers the items do not allow (messages name the row and code). Everything else
    (unmatched, duplicated or missing rows, typed totals that disagree with their parts, Nilai
    values that differ from the rules) comes back as issues.
    """
    formulas, cached = _open_sheets(source)
    rows = _read_rows(formulas, cached, _find_columns(formulas, column_group))
    return _Reader(framework, rows).read()


def _open_sheets(source: str | Path | bytes | IO[bytes]) -> tuple[Worksheet, Worksheet]:
    if isinstance(source, str | Path):
        source = Path(source).read_bytes()
    data = source if isinstance(source, bytes) else source.read()
    try:
        with warnings.catch_warnings():  # agencies' files trip openpyxl's harmless warnings
            warnings.simplefilter("ignore")
            books = [load_workbook(BytesIO(data), data_only=flag) for flag in (False, True)]
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise ValidationError(_("Berkas bukan buku kerja Excel (.xlsx) yang dapat dibaca")) from exc
    names = {_norm(name).replace(" ", ""): name for name in books[0].sheetnames}
    name = names.get(_norm(SHEET_NAME).replace(" ", ""))
    if name is None:
        sheets = ", ".join(books[0].sheetnames)
        raise ValidationError(
            _(
                "Lembar %(sheet)s tidak ditemukan; lembar yang ada: %(sheets)s",
                sheet=SHEET_NAME,
                sheets=sheets,
            )
        )
    return books[0][name], books[1][name]


def _find_columns(ws: Worksheet, group: str) -> _Columns:
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


def _header_cells(ws: Worksheet) -> tuple[int, list[tuple[int, int, str]]]:
    """(Bobot column, [(row, column, normalised text)]) of the header: the row holding "Bobot"
    and the rows below it that hold sub-headers (Jawaban, Nilai). Raises ValidationError."""
    bobot = [c for r in ws.iter_rows(max_row=40) for c in r if _norm(c.value) == "bobot"]
    if not bobot:
        raise ValidationError(
            _(
                "Lembar %(sheet)s: baris judul kolom (Bobot, Pilihan Jawaban, "
                "Jawaban, Nilai) tidak ditemukan",
                sheet=ws.title,
            )
        )
    top = bobot[0].row
    cells = [
        (c.row, c.column, _norm(c.value))
        for r in ws.iter_rows(min_row=top, max_row=top + 2)
        for c in r
        if isinstance(c.value, str)
    ]
    last = max(r for r, _c, t in cells if t in _HEADER_WORDS)
    return bobot[0].column, [cell for cell in cells if cell[0] <= last]


_HEADER_WORDS = {"jawaban", "nilai", "catatan", "bukti dukung", "pilihan jawaban", "bobot"}


def _group_span(ws: Worksheet, cells: list[tuple[int, int, str]], group: str) -> tuple[int, int]:
    """Columns of the "Unit Kerja" or "TPI" group; the whole sheet when there are no groups."""
    labels = sorted((c, r, t) for r, c, t in cells if re.search(r"\bunit\b|\btpi\b|penilai", t))
    wanted = [(c, r) for c, r, t in labels if _is_tpi(t) == (group == "tpi")]
    if not labels:
        return (1, ws.max_column) if group == "unit" else (0, -1)
    if not wanted:
        return (0, -1)
    column, row = wanted[0]
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return merged.min_col, merged.max_col
    following = [c for c, _r, _t in labels if c > column]
    return column, (following[0] - 1 if following else ws.max_column)


def _is_tpi(label: str) -> bool:
    return "tpi" in label.split() or ("penilai" in label and not re.search(r"unit|mandiri", label))


def _read_rows(ws: Worksheet, cached: Worksheet, columns: _Columns) -> list[_Row]:
    """Every non-blank row under the header, with its marker, text, type, answer and Nilai."""
    rows = []
    last = columns.text or columns.weight - 1  # markers (and maybe the text) up to here
    for number in range(columns.first_row, ws.max_row + 1):
        texts = [_text(ws.cell(number, column).value) for column in range(1, last + 1)]
        marker, text = _split_marker([t for t in texts if t])
        answer = _cell(ws, cached, number, columns.answer)
        if marker or text or not _blank(answer[0]):
            kind = _type_kind(ws.cell(number, columns.type).value if columns.type else None)
            value = _cell(ws, cached, number, columns.value)
            rows.append(_Row(number, marker, text, kind, *answer, *value))
    return rows


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a marker typed as the number 1
    return str(value).strip() if value is not None else ""


def _cell(ws: Worksheet, cached: Worksheet, row: int, column: int | None) -> tuple[Any, str | None]:
    """(value, formula): the literal, or a formula's cached result (None if never computed)."""
    if column is None:
        return None, None
    raw = ws.cell(row, column).value
    if isinstance(raw, str) and raw.startswith("="):
        return cached.cell(row, column).value, raw
    if hasattr(raw, "text"):  # array formulas
        return cached.cell(row, column).value, str(raw.text)
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


def _norm(value: Any) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(value or "").lower()).split())


_TYPE_KINDS = {
    "yatidak": "ya_tidak",
    "yt": "ya_tidak",
    "abc": "abc",
    "abcd": "abcd",
    "abcde": "abcde",
    "jumlah": "count",
}


def _type_kind(value: Any) -> str:
    """The answer-type family of a "Pilihan Jawaban" text: Ya/Tidak, A/B/C..., %, Jumlah, 0-4."""
    text = str(value or "")
    squeezed = _norm(text).replace(" ", "")
    if "%" in text or "persen" in squeezed:
        return "percent"
    if squeezed in _TYPE_KINDS:
        return _TYPE_KINDS[squeezed]
    if "04" in squeezed or "indeks" in squeezed or squeezed == "nilai":
        return "survey_index"
    return ""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- aligning rows to the framework -----------------------------------------------------------


def _pair_scores(rows: list[_Row], slots: list[Slot]) -> dict[tuple[int, int], float]:
    """Pair scores at or above the threshold. A row whose text equals a slot's text (the usual
    case in a copy of the official sheet) is paired with those slots only; the others are
    compared by similarity with every slot."""
    slot_norms = [_norm(slot.text) for slot in slots]
    exact: dict[str, list[int]] = {}
    for j, text in enumerate(slot_norms):
        exact.setdefault(text, []).append(j)
    scores: dict[tuple[int, int], float] = {}
    norms = [row.norm for row in rows]
    for i, row in enumerate(rows):
        for j in exact.get(norms[i], []) if norms[i] else []:
            _keep(scores, i, j, 1.0, row, slots[j])
    fuzzy = [i for i, norm in enumerate(norms) if norm not in exact]
    grams = {i: _trigrams(norms[i]) for i in fuzzy}
    matcher = SequenceMatcher(autojunk=False)
    for j, slot_norm in enumerate(slot_norms):
        matcher.set_seq2(slot_norm)  # SequenceMatcher caches its analysis of seq2
        slot_grams = _trigrams(slot_norm)
        for i in fuzzy:
            # A cheap trigram-overlap filter first (typo-tolerant): difflib is the slow part.
            if 3 * len(grams[i] & slot_grams) < len(grams[i] | slot_grams):
                continue
            if similarity := _similarity(matcher, norms[i], slot_norm):
                _keep(scores, i, j, similarity, rows[i], slots[j])
    return scores


def _trigrams(text: str) -> set[str]:
    padded = f" {text} "
    return {padded[k : k + 3] for k in range(len(padded) - 2)}


def _keep(
    scores: dict[tuple[int, int], float], i: int, j: int, similarity: float, row: _Row, slot: Slot
) -> None:
    pair = similarity + _marker_bonus(row.marker, slot.marker)
    pair += _type_bonus(row.type_kind, slot.type_kind)
    if pair >= MATCH_THRESHOLD:
        scores[(i, j)] = pair


def _similarity(matcher: SequenceMatcher, text: str, slot_text: str) -> float:
    if not text or not slot_text:
        return 0.0
    short, long = sorted((text, slot_text), key=len)
    if len(short) >= 25 and short in long:  # a truncated copy of the official wording
        return 0.9 + 0.1 * len(short) / len(long)
    if len(short) < 0.4 * len(long):
        return 0.0
    matcher.set_seq1(text)
    if matcher.real_quick_ratio() < 0.45 or matcher.quick_ratio() < 0.45:
        return 0.0
    return matcher.ratio()


def _marker_bonus(found: str, expected: str) -> float:
    if not found or not expected:
        return 0.0
    if found == expected:
        return 0.1
    return 0.02 if _marker_kind(found) == _marker_kind(expected) else -0.05


def _marker_kind(marker: str) -> str:
    if marker == "-" or marker.isdigit():
        return marker if marker == "-" else "digit"
    if re.fullmatch(r"[IVX]+", marker):
        return "upper_roman"
    if re.fullmatch(r"[iv]+", marker):
        return "lower_roman"
    return "upper_letter" if marker.isupper() else "lower_letter"


def _type_bonus(found: str, expected: str) -> float:
    if found == expected:
        return 0.1 if found else 0.0
    return -0.05 if not (found and expected) else -0.1


def _best_alignment(
    rows: list[_Row], scores: dict[tuple[int, int], float], width: int
) -> dict[int, _Row]:
    """Order-preserving alignment of rows to ``width`` slots with the largest total pair score
    (a weighted longest common subsequence). Returns {slot index: row}."""
    best = [[0.0] * (width + 1) for _ in range(len(rows) + 1)]
    for i in range(1, len(rows) + 1):
        above, current = best[i - 1], best[i]
        for j in range(1, width + 1):
            pair = scores.get((i - 1, j - 1))
            diagonal = above[j - 1] + pair if pair is not None else -1.0
            current[j] = max(above[j], current[j - 1], diagonal)
    matched, i, j = {}, len(rows), width
    while i and j:
        pair = scores.get((i - 1, j - 1))
        if pair is not None and best[i][j] == best[i - 1][j - 1] + pair:
            matched[j - 1], i, j = rows[i - 1], i - 1, j - 1
        elif best[i - 1][j] >= best[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return matched


def _same(first: Any, second: Any) -> bool:
    return str(first).strip().casefold() == str(second).strip().casefold()


# --- answers and checks -----------------------------------------------------------------------


class _RowError(Exception):
    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row, self.message = row, message


class _Reader:
    """Aligns the rows of one sheet, extracts the answers and checks the sheet's own results."""

    def __init__(self, framework: Framework, rows: list[_Row]) -> None:
        self.framework, self.rows = framework, rows
        self.slots = layout(framework)
        self.issues: list[WorksheetIssue] = []
        self.matched: dict[int, _Row] = {}

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
            if self.slots[i].kind == "item" and r is not _AMBIGUOUS
        }
        return WorksheetResult(raw, self.issues, rows)

    def align(self) -> None:
        """Match rows to slots in order, maximising total similarity: rows may be shifted,
        inserted, duplicated or carry mistyped markers."""
        scores = _pair_scores(self.rows, self.slots)
        self.matched = _best_alignment(self.rows, scores, len(self.slots))
        taken = {id(row) for row in self.matched.values()}
        for index, row in enumerate(self.rows):
            if id(row) not in taken:
                candidates = [(s, j) for (i, j), s in scores.items() if i == index]
                self.leftover(row, max(candidates)[1] if candidates else None)
        for index, row in self.matched.items():
            slot = self.slots[index]
            if row.type_kind and slot.type_label and row.type_kind != slot.type_kind:
                self.issues.append(
                    _issue(
                        "answer_type_mismatch",
                        row.row,
                        slot.code,
                        found=row.type_kind,
                        expected=slot.type_label,
                    )
                )

    def leftover(self, row: _Row, slot_index: int | None) -> None:
        """An unaligned row: a duplicate, an out-of-order row we can still use, or unmatched."""
        if slot_index is None:
            if row.marker or row.type_kind or not _blank(row.answer):
                text = row.text or row.marker or row.answer
                self.issues.append(_issue("unmatched_row", row.row, None, text=text))
            return
        code, other = self.slots[slot_index].code, self.matched.get(slot_index)
        if other is None:
            self.matched[slot_index] = row
            self.issues.append(_issue("moved_row", row.row, code))
        elif other is _AMBIGUOUS or not _same(row.answer, other.answer):
            self.matched[slot_index] = _AMBIGUOUS
            self.issues.append(_issue("ambiguous_row", row.row, code, other=other.row))
        else:
            self.issues.append(_issue("duplicate_row", row.row, code, other=other.row))

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

    def single(self, item: Item, row: _Row | None) -> AnswerValue | None:
        if row is None:
            self.issues.append(_issue("missing_row", None, item.code))
        if row is None or row is _AMBIGUOUS or _blank(row.answer):
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
            if row is None or row is _AMBIGUOUS or _blank(row.answer):
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
        return None if None in values else CountAnswer(tuple(values))  # type: ignore[arg-type]

    def typed_percent(self, item: Item, row: _Row | None) -> None:
        """A percentage typed on the % row without its counts: the rules need the counts (D4)."""
        if row is None or row is _AMBIGUOUS or row.answer_formula or _blank(row.answer):
            return
        self.issues.append(_issue("percent_without_counts", row.row, item.code))

    def compare(self, parsed: Mapping[str, AnswerValue], report: ScoreReport) -> None:
        """Every place where the workbook's own result differs from the rules' result."""
        uncomputed = 0
        for index, row in sorted(self.matched.items(), key=lambda pair: pair[1].row):
            slot = self.slots[index]
            if row is _AMBIGUOUS or (slot.kind == "count" and not slot.derived):
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

    def check_value(self, slot: Slot, row: _Row, expected: Decimal | None) -> None:
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

    def check_total(self, slot: Slot, row: _Row, answer: AnswerValue | None) -> None:
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
