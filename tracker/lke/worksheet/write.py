"""Writing the official worksheet, blank or filled, in either layout (D17): Lampiran III's
``LKE ZI`` (the default) or PortalRB's ``Jawaban`` (``portalrb``). Nilai cells carry live
formulas (``formulas``) so that Excel shows the same results the rules compute."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tracker.lke.answers import (
    AnswerValue,
    ChoiceAnswer,
    CountAnswer,
    IndexAnswer,
    parse_answers,
)
from tracker.lke.framework import CHOICE_KEYS, AnswerType, Framework, Item
from tracker.lke.worksheet.formulas import FormulaBuilder, put_text
from tracker.lke.worksheet.layout import (
    COL_CRITERIA,
    COL_TEXT,
    COL_TYPE,
    COL_WEIGHT,
    FIRST_ROW,
    GROUP_COLUMNS,
    HEADER_ROW,
    MARKER_COLUMNS,
    SHEET_NAME,
    Slot,
    WorksheetLayout,
    layout,
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


def write_worksheet(
    framework: Framework,
    answers: Mapping[str, Any] | None = None,
    notes: Mapping[str, str] | None = None,
    *,
    links: Mapping[str, Sequence[str]] | None = None,
    layout: WorksheetLayout | str = WorksheetLayout.LAMPIRAN3,
) -> bytes:
    """An .xlsx in one of the official layouts, blank or filled with ``answers`` (raw, as in
    the JSON answers file), unit ``notes`` and evidence ``links`` per item code. Nilai cells
    carry live formulas; every text cell is plain text (``put_text``). Raises
    ValidationError for invalid answers, ValueError for an unknown layout."""
    parsed = parse_answers(framework, answers or {})
    extras = Extras(notes or {}, links or {})
    if WorksheetLayout(layout) is WorksheetLayout.PORTALRB:
        from tracker.lke.worksheet.portalrb import write_portalrb  # it builds on this module

        return write_portalrb(framework, parsed, extras)
    return _Writer(framework, parsed, extras).build()


class Extras:
    """The unit's notes and evidence links per item code, as the writers put them."""

    def __init__(self, notes: Mapping[str, str], links: Mapping[str, Sequence[str]]) -> None:
        self.notes, self.links = notes, links

    def note(self, code: str) -> str:
        return self.notes.get(code) or ""

    def evidence(self, code: str) -> str:
        return "\n".join(self.links.get(code) or ())


def typed_answer(framework: Framework, parsed: Mapping[str, AnswerValue], slot: Slot) -> Any:
    """The unit's typed answer for this row, if any (counts go on their Jumlah rows)."""
    answer = parsed.get(slot.code)
    if isinstance(answer, CountAnswer) and slot.kind == "count" and not slot.derived:
        keys: list[str | None] = [i.key for i in framework.item(slot.code).inputs]
        return answer.counts[keys.index(slot.input_key)]
    if isinstance(answer, ChoiceAnswer) and slot.kind == "item":
        return answer.key
    if isinstance(answer, IndexAnswer) and slot.kind == "item":
        return float(answer.index)
    return None


def choice_validations() -> dict[AnswerType, DataValidation]:
    """One drop-down list per choice type, as the official sheet has."""
    return {
        answer_type: DataValidation(type="list", formula1=f'"{",".join(keys)}"')
        for answer_type, keys in CHOICE_KEYS.items()
    }


class _Writer:
    """Writes one Lampiran III workbook; holds what every row needs."""

    def __init__(
        self, framework: Framework, parsed: Mapping[str, AnswerValue], extras: Extras
    ) -> None:
        self.framework, self.parsed, self.extras = framework, parsed, extras
        self.slots = layout(framework)
        rows = {(s.code, s.input_key): FIRST_ROW + i for i, s in enumerate(self.slots)}
        self.formulas = FormulaBuilder(framework, rows, COL_WEIGHT)
        self.book = Workbook()
        self.ws = self.book.active
        self.ws.title = SHEET_NAME
        self.validations = choice_validations()

    def build(self) -> bytes:
        self.header()
        for validation in self.validations.values():
            self.ws.add_data_validation(validation)
        for index, slot in enumerate(self.slots):
            self.write(FIRST_ROW + index, slot)
        self.book.calculation.fullCalcOnLoad = True  # Excel computes the formulas on opening
        buffer = BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()

    def header(self) -> None:
        ws, top, sub = self.ws, HEADER_ROW, HEADER_ROW + 1
        put_text(ws, 1, 1, self.framework.title.upper()).font = Font(bold=True, size=13)
        put_text(ws, 2, 1, self.framework.regulation)
        for column, text in _HEADERS:
            put_text(ws, top, column, text).font = _BOLD
            last = MARKER_COLUMNS if column == 1 else column
            ws.merge_cells(start_row=top, start_column=column, end_row=sub, end_column=last)
        for label, first, headers in GROUP_COLUMNS.values():
            put_text(ws, top, first, label).font = _BOLD
            last = first + len(headers) - 1
            ws.merge_cells(start_row=top, start_column=first, end_row=top, end_column=last)
            for offset, text in enumerate(headers):
                put_text(ws, sub, first + offset, text).font = _BOLD
        for column in range(1, MARKER_COLUMNS + 1):
            ws.column_dimensions[get_column_letter(column)].width = 4
        ws.column_dimensions[get_column_letter(COL_TEXT)].width = 70
        ws.column_dimensions[get_column_letter(COL_CRITERIA)].width = 60
        ws.freeze_panes = ws.cell(FIRST_ROW, COL_WEIGHT)

    def write(self, row: int, slot: Slot) -> None:
        ws = self.ws
        if slot.marker:
            marker = slot.marker if slot.marker == "-" else slot.marker + "."
            put_text(ws, row, 1 + slot.depth, marker)
        text = put_text(ws, row, COL_TEXT, slot.text)
        text.alignment = Alignment(wrap_text=True, vertical="top")
        text.font = _BOLD if slot.kind not in ("item", "count") else Font()
        if slot.weight is not None:
            ws.cell(row, COL_WEIGHT, float(slot.weight))
        if slot.type_label:
            put_text(ws, row, COL_TYPE, slot.type_label)
        for _label, first, _headers in GROUP_COLUMNS.values():
            for column, formula in self.formulas.for_slot(slot, row, first, first + 1).items():
                ws.cell(row, column, formula).number_format = "0.00"
            if slot.kind in ("item", "count") and not slot.derived and slot.type_label != "%":
                ws.cell(row, first).fill = _FILL
        if slot.kind == "item":
            self.item_extras(row, self.framework.item(slot.code))
        answer = typed_answer(self.framework, self.parsed, slot)
        if isinstance(answer, str):
            put_text(ws, row, GROUP_COLUMNS["unit"][1], answer)
        elif answer is not None:  # a count of 0 is an answer too
            ws.cell(row, GROUP_COLUMNS["unit"][1], answer)

    def item_extras(self, row: int, item: Item) -> None:
        criteria = put_text(self.ws, row, COL_CRITERIA, item.criteria)
        criteria.alignment = Alignment(wrap_text=True)
        if item.answer_type in self.validations:
            for _label, first, _headers in GROUP_COLUMNS.values():
                self.validations[item.answer_type].add(self.ws.cell(row, first))
        unit = GROUP_COLUMNS["unit"][1]
        if note := self.extras.note(item.code):  # the unit's own text: anything may be typed
            put_text(self.ws, row, unit + 2, note)
        if evidence := self.extras.evidence(item.code):
            put_text(self.ws, row, unit + 3, evidence)
