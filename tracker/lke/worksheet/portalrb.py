"""PortalRB's template, sheet ``Jawaban`` (KemenPANRB's national system, D17).

The master question list (``portalrb-master-soal-lke-2026.json``) places every question at a
fixed cell: row ``excel_baris``; unit answer in K, unit note in L, unit evidence in M (a link or
a description), TPI answer in N, TPI note in Q. The rows follow the Lampiran III layout one row
per component, part, area, sub-area, item and count, from row 2, with two rows (the component's
total and a blank one) after each component: ``template_rows`` derives them from the framework,
and the tests check them against every ``excel_baris`` of the master list. % items have no
question of their own: PortalRB sends their counts, and the score is computed from them.

``master_cells`` maps a master list's ``soal_id`` to our item codes (and count inputs) by
hierarchy and text, the way the aligner matches an agency's rows; PortalRB's answers API speaks
in those ids.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.lke.answers import AnswerValue, is_blank
from tracker.lke.framework import Framework
from tracker.lke.worksheet.align import (
    Finding,
    SheetRow,
    align_rows,
    text_matches,
    type_findings,
)
from tracker.lke.worksheet.formulas import FormulaBuilder, put_text
from tracker.lke.worksheet.layout import Slot, WorksheetLayout, layout, norm, type_kind
from tracker.lke.worksheet.notes import ColumnKind
from tracker.lke.worksheet.reading import Columns, Reading, cell, split_marker, text
from tracker.lke.worksheet.workbook import SheetData
from tracker.lke.worksheet.write import Extras, choice_validations, typed_answer

SHEET_NAME = "Jawaban"
FIRST_ROW = 2  # row 1 is the header
GAP_ROWS = 2  # after each component: its total and a blank row
HIERARCHY = range(1, 8)  # A-G: row number, markers and question text
COL_WEIGHT, COL_CRITERIA, COL_TYPE = 8, 9, 10  # H, I, J


@dataclass(frozen=True)
class GroupCells:
    """The columns of one answer group in the template (1-based)."""

    answer: int
    note: int
    evidence: int | None
    value: int  # where our export puts the live Nilai formula; PortalRB's own has none


GROUPS = {
    "unit": GroupCells(answer=11, note=12, evidence=13, value=15),  # K, L, M; Nilai in O
    "tpi": GroupCells(answer=14, note=17, evidence=None, value=16),  # N, Q; Nilai in P
}
_HEADERS = {
    1: "No",
    2: "Penilaian",
    COL_WEIGHT: "Bobot",
    COL_CRITERIA: "Penjelasan",
    COL_TYPE: "Pilihan Jawaban",
    11: "Jawaban Unit Kerja",
    12: "Catatan Unit Kerja",
    13: "Bukti Dukung Unit Kerja",
    14: "Jawaban TPI",
    15: "Nilai Unit Kerja",
    16: "Nilai TPI",
    17: "Catatan TPI",
}


def template_rows(framework: Framework) -> list[int]:
    """The template row of every slot of ``layout(framework)``, in order."""
    rows: list[int] = []
    row = FIRST_ROW
    for slot in layout(framework):
        if slot.kind in ("component", "total") and rows:
            row += GAP_ROWS
        rows.append(row)
        row += 1
    return rows


def template_cells(framework: Framework) -> dict[tuple[str, str | None], int]:
    """{(item code, count input key or None): template row} of every item and count."""
    slots, rows = layout(framework), template_rows(framework)
    return {
        (s.code, s.input_key): r
        for s, r in zip(slots, rows, strict=True)
        if s.kind in ("item", "count")
    }


def component_total_rows(framework: Framework) -> dict[str, int]:
    """{component code: the row of its "TOTAL ..." line}, the first of the gap rows."""
    slots, rows = layout(framework), template_rows(framework)
    totals: dict[str, int] = {}
    current = None
    for slot, row in zip(slots, rows, strict=True):
        if slot.kind in ("component", "total") and current is not None:
            totals[current] = row - GAP_ROWS
        if slot.kind == "component":
            current = slot.code
    return totals


# --- reading ----------------------------------------------------------------------------------


def read_portalrb(sheet: SheetData, framework: Framework, group: str) -> Reading | None:
    """The ``Jawaban`` sheet read at the template's cells for ``group``; None when nothing is
    at those cells (it is not PortalRB's sheet). Rows whose question text shows the sheet was
    shifted (rows inserted or deleted) are matched by hierarchy and text instead."""
    slots, rows = layout(framework), template_rows(framework)
    if not _filled(sheet, rows):
        return None
    columns = _columns(sheet, group)
    fixed = [_sheet_row(sheet, row, columns) for row in rows]
    shifted = _first_shifted(fixed, slots)
    if shifted is None:
        matched = dict(enumerate(fixed))
        findings = type_findings(matched, slots)
    else:
        found = _all_rows(sheet, columns)
        alignment = align_rows(found, slots)
        matched, findings = alignment.matched, alignment.findings
        findings.insert(0, shifted)
    return Reading(WorksheetLayout.PORTALRB, sheet, columns, matched, findings)


def _filled(sheet: SheetData, rows: list[int]) -> bool:
    wanted = set(rows)
    return any(row in wanted for row, _column in sheet.typed)


def _columns(sheet: SheetData, group: str) -> Columns:
    """The template's fixed columns; Nilai, Bobot and Pilihan Jawaban only where the header
    names them (our export does; a bare sheet from PortalRB may not)."""
    cells = GROUPS[group]
    header = {column: norm(sheet.value(1, column)) for column in range(1, sheet.max_column + 1)}
    label = "unit" if group == "unit" else "tpi"
    value = next((c for c, t in header.items() if "nilai" in t and label in t.split()), None)
    notes = [(cells.note, ColumnKind.NOTE)]
    if cells.evidence is not None:
        notes.append((cells.evidence, ColumnKind.EVIDENCE))
    return Columns(
        cells.answer,
        value,
        COL_TYPE if header.get(COL_TYPE) == "pilihan jawaban" else None,
        COL_WEIGHT if header.get(COL_WEIGHT) == "bobot" else None,
        tuple(notes),
    )


def _sheet_row(sheet: SheetData, number: int, columns: Columns) -> SheetRow:
    texts = [text(sheet.value(number, column)) for column in HIERARCHY]
    marker, label = split_marker([t for t in texts if t and not t.isdigit()] or [])
    typed = text(sheet.value(number, columns.type)) if columns.type else ""
    answer, value = cell(sheet, number, columns.answer), cell(sheet, number, columns.value)
    return SheetRow(number, marker, label, type_kind(typed), *answer, *value, type_text=typed)


def _first_shifted(rows: list[SheetRow], slots: list[Slot]) -> Finding | None:
    """The first template row whose question text is another question's, if any."""
    for row, slot in zip(rows, slots, strict=True):
        if slot.kind in ("item", "count") and row.text and not text_matches(row.text, slot.text):
            return Finding("portalrb_shifted", row.row, slot.code, {"text": row.text})
    return None


def _all_rows(sheet: SheetData, columns: Columns) -> list[SheetRow]:
    found = []
    for number in range(FIRST_ROW, sheet.max_row + 1):
        row = _sheet_row(sheet, number, columns)
        if row.marker or row.text or not is_blank(row.answer):
            found.append(row)
    return found


# --- the master list --------------------------------------------------------------------------


@dataclass(frozen=True)
class MasterCell:
    """Where PortalRB's master list puts one question, and which of our items it is."""

    soal_id: int
    code: str
    input_key: str | None  # the count input, for ``Jumlah`` questions
    row: int


def master_cells(master: Mapping[str, Any], framework: Framework) -> list[MasterCell]:
    """Map the master list's questions (``{"data": [komponen...]}``) to our codes by
    hierarchy and text, in order, as the aligner matches an agency's rows. Questions that
    match no item are left out."""
    entries = list(_master_rows(master.get("data") or []))
    slots = layout(framework)
    alignment = align_rows([row for row, _soal in entries], slots)
    soal_ids = {id(row): soal for row, soal in entries}
    cells = []
    for index, row in sorted(alignment.matched.items()):
        soal = soal_ids.get(id(row))
        if soal is not None and slots[index].kind in ("item", "count"):
            slot = slots[index]
            cells.append(MasterCell(soal, slot.code, slot.input_key, row.row))
    return cells


def _master_rows(nodes: list[Any]) -> Iterator[tuple[SheetRow, int | None]]:
    """The hierarchy as sheet rows: groups carry their marker ("A. PENGUNGKIT"), questions
    their text, answer type and row."""
    for node in nodes:
        marker, label = split_marker([str(node.get("nama") or "")])
        yield SheetRow(0, marker, label, "", None, None, None, None), None
        yield from _master_rows(node.get("children") or [])
        for soal in node.get("soals") or []:
            kind = type_kind(soal.get("jenis_jawaban"))
            row = int(soal.get("excel_baris") or 0)
            text_ = str(soal.get("teks_pertanyaan") or "")
            yield SheetRow(row, "", text_, kind, None, None, None, None), int(soal["id"])


# --- writing ----------------------------------------------------------------------------------


def write_portalrb(
    framework: Framework, parsed: Mapping[str, AnswerValue], extras: Extras
) -> bytes:
    """The ``Jawaban`` sheet at the template's cells, with live Nilai formulas in O (unit) and
    P (TPI) and each component's total on its own row."""
    return _PortalWriter(framework, parsed, extras).build()


class _PortalWriter:
    def __init__(
        self, framework: Framework, parsed: Mapping[str, AnswerValue], extras: Extras
    ) -> None:
        self.framework, self.parsed, self.extras = framework, parsed, extras
        self.slots, self.rows = layout(framework), template_rows(framework)
        places = {(s.code, s.input_key): r for s, r in zip(self.slots, self.rows, strict=True)}
        self.places = places
        self.formulas = FormulaBuilder(framework, places, COL_WEIGHT)
        self.book = Workbook()
        self.ws: Worksheet = self.book.active
        self.ws.title = SHEET_NAME
        self.validations = choice_validations()

    def build(self) -> bytes:
        for column, label in _HEADERS.items():
            put_text(self.ws, 1, column, label).font = Font(bold=True)
        self.ws.merge_cells(start_row=1, start_column=2, end_row=1, end_column=7)
        for validation in self.validations.values():
            self.ws.add_data_validation(validation)
        for slot, row in zip(self.slots, self.rows, strict=True):
            self.write(slot, row)
        self.totals()
        self.ws.column_dimensions[get_column_letter(7)].width = 60
        self.ws.freeze_panes = self.ws.cell(FIRST_ROW, COL_WEIGHT)
        self.book.calculation.fullCalcOnLoad = True  # Excel computes the formulas on opening
        buffer = BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()

    def write(self, slot: Slot, row: int) -> None:
        ws = self.ws
        column = 2 + min(slot.depth, 4)  # markers in B-F, the text right of its marker
        if slot.marker:
            put_text(ws, row, column, slot.marker if slot.marker == "-" else slot.marker + ".")
        put_text(ws, row, column + 1, slot.text).alignment = Alignment(wrap_text=True)
        if slot.weight is not None:
            ws.cell(row, COL_WEIGHT, float(slot.weight))
        if slot.type_label:
            put_text(ws, row, COL_TYPE, slot.type_label)
        for cells in GROUPS.values():
            for target, formula in self.formulas.for_slot(
                slot, row, cells.answer, cells.value
            ).items():
                ws.cell(row, target, formula).number_format = "0.00"
        if slot.kind == "item":
            self.item(slot, row)
        answer = typed_answer(self.framework, self.parsed, slot)
        if isinstance(answer, str):
            put_text(ws, row, GROUPS["unit"].answer, answer)
        elif answer is not None:  # a count of 0 is an answer too
            ws.cell(row, GROUPS["unit"].answer, answer)

    def item(self, slot: Slot, row: int) -> None:
        item = self.framework.item(slot.code)
        put_text(self.ws, row, COL_CRITERIA, item.criteria)
        if item.answer_type in self.validations:
            for cells in GROUPS.values():
                self.validations[item.answer_type].add(self.ws.cell(row, cells.answer))
        unit = GROUPS["unit"]
        if note := self.extras.note(item.code):
            put_text(self.ws, row, unit.note, note)
        if (evidence := self.extras.evidence(item.code)) and unit.evidence is not None:
            put_text(self.ws, row, unit.evidence, evidence)

    def totals(self) -> None:
        """Each component's "TOTAL ..." row repeats its Nilai, as the Lampiran III sheet does."""
        for code, row in component_total_rows(self.framework).items():
            component = next(c for c in self.framework.components if c.code == code)
            put_text(self.ws, row, 2, f"TOTAL {component.name}").font = Font(bold=True)
            for cells in GROUPS.values():
                source = f"{get_column_letter(cells.value)}{self.places[(code, None)]}"
                self.ws.cell(row, cells.value, f"={source}").number_format = "0.00"
