"""Live Excel formulas for the sheets we write, the same in both layouts: Nilai cells compute
what the rules compute (D2-D4, D7), so Excel shows the tracker's result when it opens the file,
and a sheet someone edits keeps scoring itself. Only the rows and columns differ per layout."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from openpyxl.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.lke.framework import (
    AnswerType,
    Formula,
    FormulaKind,
    Framework,
    Item,
    ZeroDenominator,
    sub_area_tree,
)
from tracker.lke.worksheet.layout import NOT_FILLED, Slot, formula_like, storable

# What a % cell shows for a zero denominator that is an input error (D4, revised): text, so the
# Nilai AVERAGE leaves the item out as unanswered, as the rules do, instead of a #DIV/0! that
# would spread to every total above it.
ZERO_DENOMINATOR_TEXT = "Penyebut nol"

RowKey = tuple[str, str | None]  # (code, count input key or None)


def put_text(ws: Worksheet, row: int, column: int, text: str) -> Cell:
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


class FormulaBuilder:
    """The formulas of one sheet: ``rows`` places every slot, ``weight`` is the Bobot column."""

    def __init__(self, framework: Framework, rows: Mapping[RowKey, int], weight: int) -> None:
        self.framework, self.rows, self.weight = framework, rows, get_column_letter(weight)

    def for_slot(self, slot: Slot, row: int, answer: int, value: int) -> dict[int, str]:
        """{column: formula} for one row in one answer group (its Jawaban and Nilai columns)."""
        ans, val = get_column_letter(answer), get_column_letter(value)
        if slot.kind == "count":
            spec = next(r for r in self.framework.item(slot.code).rows if r.key == slot.input_key)
            parts = [f"{ans}{self.rows[(slot.code, key)]}" for key in spec.sum_of]
            return {answer: "=" + "+".join(parts)} if parts else {}
        if slot.kind == "item":
            return self.item(self.framework.item(slot.code), row, answer, value)
        children, leaf = self.children(slot)
        cells = ",".join(f"{val}{self.rows[(code, None)]}" for code in children)
        if leaf:  # D3: AVERAGE skips the "Blm Diisi" text of unanswered items; none -> 0
            return {value: f"=IFERROR(AVERAGE({cells})*{self.weight}{row},0)"}
        return {value: f"=SUM({cells})"}

    def item(self, item: Item, row: int, answer: int, value: int) -> dict[int, str]:
        ans, weight = f"{get_column_letter(answer)}{row}", f"{self.weight}{row}"
        if item.answer_type is AnswerType.SURVEY_INDEX:  # D7
            top = item.index_max or Decimal(4)
            return {value: f'=IF(ISNUMBER({ans}),{ans}/{top}*{weight},"{NOT_FILLED}")'}
        if item.answer_type is AnswerType.PERCENT:
            column = get_column_letter(answer)
            cells = {i.key: f"{column}{self.rows[(item.code, i.key)]}" for i in item.inputs}
            ratio = ratio_formula(item.formula, cells)
            count = f"COUNT({','.join(cells.values())})<{len(cells)}"
            return {
                answer: f'=IF({count},"",{ratio})',
                value: f'=IF({ans}="","{NOT_FILLED}",{ans})',
            }
        choice = f'"{NOT_FILLED}"'
        for option in reversed(item.options):  # D2 multipliers, literal as in the official sheet
            choice = f'IF({ans}="{option.key}",{option.multiplier},{choice})'
        if item.weight is not None:
            return {value: f'=IFERROR({choice}*{weight},"{NOT_FILLED}")'}
        return {value: f"={choice}"}

    def children(self, slot: Slot) -> tuple[list[str], bool]:
        """Codes whose Nilai a group row adds up, and whether it averages them (a leaf)."""
        return group_children(self.framework, slot.code)


def group_children(framework: Framework, code: str) -> tuple[list[str], bool]:
    """The codes a group row (``total``, a component, part, area or sub-area) adds up, and
    whether it averages them (a sub-area holding items). Raises KeyError for another code."""
    if code == "total":
        return [c.code for c in framework.components], False
    for component in framework.components:
        if component.code == code:
            return [p.code for p in component.parts], False
        for part in component.parts:
            if part.code == code:
                return [a.code for a in part.areas] + [i.code for i in part.items], False
    for _part, area in framework.areas():
        if area.code == code:
            return [s.code for s in area.sub_areas], False
        for node in (n for top in area.sub_areas for n in sub_area_tree(top)):
            if node.code == code:
                children = [c.code for c in node.children] + [i.code for i in node.items]
                return children, not node.children
    raise KeyError(code)


def ratio_formula(formula: Formula | None, cells: Mapping[str, str]) -> str:
    """D4 in Excel: clamp to [0, 1]; a zero denominator gives 1 where nothing was required
    (0/0 of complaints, filings, violations) and the input-error text otherwise."""
    if formula is None:  # the framework parser guarantees a formula on every % item
        raise ValueError("a % item without a formula")
    if formula.kind is FormulaKind.DECREASE:
        prev = cells[formula.previous]  # type: ignore[index]  # parser sets it on DECREASE
        cur = cells[formula.current]  # type: ignore[index]  # parser sets it on DECREASE
        num, den = f"({prev}-{cur})", prev
    else:
        num = "(" + "+".join(cells[k] for k in formula.numerator) + ")"
        den = "(" + "+".join(cells[k] for k in formula.denominator) + ")"
    error = f'"{ZERO_DENOMINATOR_TEXT}"'
    empty = "1" if formula.zero_denominator is ZeroDenominator.NOTHING_REQUIRED else error
    return f"IF({den}=0,IF({num}=0,{empty},{error}),MAX(0,MIN(1,{num}/{den})))"
