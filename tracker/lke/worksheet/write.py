"""Writing the official worksheet, blank or filled, with Nilai formulas like the official sheet's
so that Excel shows the same results the rules compute."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]  # openpyxl ships no type stubs
from openpyxl.cell import Cell  # type: ignore[import-untyped]  # openpyxl ships no type stubs
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]  # openpyxl ships no type stubs
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]  # openpyxl ships no type stubs
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]  # openpyxl ships no type stubs
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]  # openpyxl ships no type stubs

from tracker.lke.answers import (
    AnswerValue,
    ChoiceAnswer,
    CountAnswer,
    IndexAnswer,
    parse_answers,
)
from tracker.lke.framework import (
    CHOICE_KEYS,
    AnswerType,
    Formula,
    FormulaKind,
    Framework,
    Item,
    sub_area_tree,
)
from tracker.lke.worksheet.layout import (
    COL_CRITERIA,
    COL_TEXT,
    COL_TYPE,
    COL_WEIGHT,
    FIRST_ROW,
    GROUP_COLUMNS,
    HEADER_ROW,
    MARKER_COLUMNS,
    NOT_FILLED,
    SHEET_NAME,
    Slot,
    formula_like,
    layout,
    storable,
)

_FILL = PatternFill("solid", fgColor="FFF2CC")  # the official sheet's "fill me" yellow
_BOLD = Font(bold=True)
_HEADERS = (
    (1, "No"),
    (COL_TEXT, "Komponen/Sub Komponen/Indikator"),
    (COL_WEIGHT, "Bobot"),
    (COL_TYPE, "Pilihan Jawaban"),
    (COL_CRITERIA, "Kriteria Penilaian"),
)


def _put_text(ws: Worksheet, row: int, column: int, text: str) -> Cell:
    """Write ``text`` as text that no spreadsheet evaluates: notes and other typed text can
    start like a formula ("=HYPERLINK(...)", "=cmd|...", "+1", "@SUM").

    The cell is a string cell (openpyxl would store "=..." as a formula and "#N/A" as an
    error), and formula-like text also gets Excel's quote prefix: what Excel stores for a
    typed leading apostrophe, so it stays text when someone edits the cell, and the value
    itself is unchanged (an apostrophe in the text would come back from every reader).
    """
    cell = ws.cell(row, column)
    cell.value = storable(text)
    cell.data_type = "s"
    if formula_like(text):
        cell.quotePrefix = True
    return cell


def write_worksheet(
    framework: Framework,
    answers: Mapping[str, Any] | None = None,
    notes: Mapping[str, str] | None = None,
) -> bytes:
    """An .xlsx in the official layout, blank or filled with ``answers`` (raw, as in the JSON
    answers file) and unit ``notes`` per item code. Nilai cells carry formulas like the official
    sheet's; every text cell is plain text (``_put_text``). Raises ValidationError for invalid
    answers."""
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
        _put_text(ws, 1, 1, self.framework.title.upper()).font = Font(bold=True, size=13)
        _put_text(ws, 2, 1, self.framework.regulation)
        for column, text in _HEADERS:
            _put_text(ws, top, column, text).font = _BOLD
            last = MARKER_COLUMNS if column == 1 else column
            ws.merge_cells(start_row=top, start_column=column, end_row=sub, end_column=last)
        for label, first, headers in GROUP_COLUMNS.values():
            _put_text(ws, top, first, label).font = _BOLD
            last = first + len(headers) - 1
            ws.merge_cells(start_row=top, start_column=first, end_row=top, end_column=last)
            for offset, text in enumerate(headers):
                _put_text(ws, sub, first + offset, text).font = _BOLD
        for column in range(1, MARKER_COLUMNS + 1):
            ws.column_dimensions[get_column_letter(column)].width = 4
        ws.column_dimensions[get_column_letter(COL_TEXT)].width = 70
        ws.column_dimensions[get_column_letter(COL_CRITERIA)].width = 60
        ws.freeze_panes = ws.cell(FIRST_ROW, COL_WEIGHT)

    def write(self, row: int, slot: Slot) -> None:
        ws = self.ws
        if slot.marker:
            marker = slot.marker if slot.marker == "-" else slot.marker + "."
            _put_text(ws, row, 1 + slot.depth, marker)
        text = _put_text(ws, row, COL_TEXT, slot.text)
        text.alignment = Alignment(wrap_text=True, vertical="top")
        text.font = _BOLD if slot.kind not in ("item", "count") else Font()
        if slot.weight is not None:
            ws.cell(row, COL_WEIGHT, float(slot.weight))
        if slot.type_label:
            _put_text(ws, row, COL_TYPE, slot.type_label)
        for _label, first, _headers in GROUP_COLUMNS.values():
            for column, formula in self.formulas(slot, row, first).items():
                ws.cell(row, column, formula).number_format = "0.00"
            if slot.kind in ("item", "count") and not slot.derived and slot.type_label != "%":
                ws.cell(row, first).fill = _FILL
        if slot.kind == "item":
            self.item_extras(row, self.framework.item(slot.code))
        answer = self.answer(slot)
        if isinstance(answer, str):
            _put_text(ws, row, GROUP_COLUMNS["unit"][1], answer)
        elif answer is not None:  # a count of 0 is an answer too
            ws.cell(row, GROUP_COLUMNS["unit"][1], answer)

    def item_extras(self, row: int, item: Item) -> None:
        criteria = _put_text(self.ws, row, COL_CRITERIA, item.criteria)
        criteria.alignment = Alignment(wrap_text=True)
        if item.answer_type in self.validations:
            for _label, first, _headers in GROUP_COLUMNS.values():
                self.validations[item.answer_type].add(self.ws.cell(row, first))
        if self.notes.get(item.code):  # the unit's own text: anything may be typed there
            _put_text(self.ws, row, GROUP_COLUMNS["unit"][1] + 2, self.notes[item.code])

    def answer(self, slot: Slot) -> Any:
        """The unit's typed answer for this row, if any (counts go on their Jumlah rows)."""
        answer = self.parsed.get(slot.code)
        if isinstance(answer, CountAnswer) and slot.kind == "count" and not slot.derived:
            keys: list[str | None] = [i.key for i in self.framework.item(slot.code).inputs]
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
            parts = [f"{ans}{self.rows[(slot.code, key)]}" for key in spec.sum_of]
            return {first: "=" + "+".join(parts)} if parts else {}
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
        prev = cells[formula.previous]  # type: ignore[index]  # parser sets it on DECREASE
        cur = cells[formula.current]  # type: ignore[index]  # parser sets it on DECREASE
        num, den = f"({prev}-{cur})", prev
    else:
        num = "(" + "+".join(cells[k] for k in formula.numerator) + ")"
        den = "(" + "+".join(cells[k] for k in formula.denominator) + ")"
    return f"IF({den}=0,IF({num}=0,1,0),MAX(0,MIN(1,{num}/{den})))"
