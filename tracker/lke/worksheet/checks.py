"""What an agency's formulas add up, read from the formulas themselves.

A workbook saved by a library (or filled by a script) has no computed results to compare, and
a wrong total is easier to fix when the coordinator is told which row it forgets than which
figure it gets wrong. So each formula's cell references are read (no formula is evaluated) and
compared with what the rules add up:

* a group's Nilai (sub-area, area, part, component, total) must count each of its children
  once, directly or through the children's own parts ("rumus di baris 175 tidak menghitung
  baris 183 (LHKASN)"), and nothing outside it; rows without a slot (TOTAL PENGUNGKIT) are
  followed to what their own formula counts;
* an item's Nilai must read the item's own answer;
* a % item's formula and a derived total ("Jumlah yang harus melaporkan") must use the counts
  the rules use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from tracker.lke.framework import AnswerType, Framework, Item
from tracker.lke.worksheet import limits
from tracker.lke.worksheet.align import AMBIGUOUS, Finding, SheetRow
from tracker.lke.worksheet.formulas import group_children
from tracker.lke.worksheet.layout import Slot
from tracker.lke.worksheet.reading import Columns
from tracker.lke.worksheet.workbook import FormulaText, SheetData

_STRING = re.compile(r'"(?:[^"]|"")*"')
# A1 or A1:B9, not part of a name, a function ("LOG10(") or another sheet's reference ("S!A1").
_REFERENCE = re.compile(
    r"(?<![A-Za-z0-9_.!$'])\$?[A-Za-z]{1,3}\$?\d{1,7}(?::\$?[A-Za-z]{1,3}\$?\d{1,7})?"
    r"(?![A-Za-z0-9_(!])"
)
MAX_FOLLOWED = 200  # rows without a slot followed through (TOTAL rows): a handful in practice


def references(formula: str) -> list[tuple[int, int, int, int]]:
    """The cell ranges a formula names, (top, left, bottom, right); text in quotes skipped."""
    found = []
    for match in _REFERENCE.finditer(_STRING.sub('""', formula)):
        try:
            found.append(limits.cell_range(match.group(0).replace("$", "")))
        except ValueError:
            continue
    return found


def rows_in(formula: str, column: int, last_row: int) -> set[int]:
    """Rows of ``column`` the formula names (ranges clipped to the sheet)."""
    rows: set[int] = set()
    for top, left, bottom, right in references(formula):
        if left <= column <= right:
            rows.update(range(max(top, 1), min(bottom, last_row) + 1))
    return rows


@dataclass(frozen=True)
class Place:
    """A sheet row named in a message: its number and its text in the sheet's own words."""

    row: int
    text: str


class FormulaChecks:
    """The findings for one sheet read; ``matched`` maps slot indexes to their rows."""

    def __init__(
        self,
        framework: Framework,
        slots: list[Slot],
        matched: Mapping[int, SheetRow],
        sheet: SheetData,
        columns: Columns,
        duplicates: list[Finding],
    ) -> None:
        self.framework, self.slots, self.sheet, self.columns = framework, slots, sheet, columns
        self.matched = {i: r for i, r in matched.items() if r is not AMBIGUOUS}
        self.slot_at = {row.row: index for index, row in self.matched.items()}
        for finding in duplicates:  # a formula may count the copy instead of the row used
            if finding.row is not None and finding.slot in self.matched:
                self.slot_at.setdefault(finding.row, finding.slot)
        self.row_of = {(slots[i].code, slots[i].input_key): r for i, r in self.matched.items()}

    def run(self) -> list[Finding]:
        findings: list[Finding] = []
        for index, row in sorted(self.matched.items(), key=lambda pair: pair[1].row):
            slot = self.slots[index]
            if slot.kind == "item":
                findings += self.item(self.framework.item(slot.code), row)
            elif slot.kind == "count":
                findings += self.derived(slot, row)
            else:
                findings += self.group(slot, row)
        return findings

    # --- groups -------------------------------------------------------------------------------

    def group(self, slot: Slot, row: SheetRow) -> list[Finding]:
        column = self.columns.value
        if column is None or not row.value_formula:
            return []
        slot_rows, loose = self.counted(row.value_formula, column, {row.row})
        counted, findings = self.by_code(slot, row, slot_rows)
        findings += [
            Finding("formula_missing", row.row, slot.code, {"what": self.describe(code)})
            for code in self.missing(group_children(self.framework, slot.code)[0], counted)
        ]
        findings += self.outside_or_twice(slot, row, counted)
        findings += [self.finding("formula_extra", row, slot, where) for where in sorted(loose)]
        return findings

    def by_code(
        self, slot: Slot, row: SheetRow, slot_rows: set[int]
    ) -> tuple[dict[str, int], list[Finding]]:
        """{code: first row counted}, and a finding for a row counted along with its copy."""
        counted: dict[str, int] = {}
        findings = []
        for number in sorted(slot_rows):
            code = self.slots[self.slot_at[number]].code
            if code in counted:
                params = {"what": self.place(number), "other": counted[code]}
                findings.append(Finding("formula_double", row.row, slot.code, params))
            counted.setdefault(code, number)
        return counted, findings

    def outside_or_twice(
        self, slot: Slot, row: SheetRow, counted: Mapping[str, int]
    ) -> list[Finding]:
        """Rows outside the group, and rows already inside another row it counts."""
        findings = []
        for code, where in counted.items():
            if code == slot.code or not _within(code, slot.code):
                findings.append(self.finding("formula_extra", row, slot, where))
            elif (ancestor := self.counted_ancestor(code, slot.code, counted)) is not None:
                params = {"what": self.place(where), "other": counted[ancestor]}
                findings.append(Finding("formula_double", row.row, slot.code, params))
        return findings

    def counted(self, formula: str, column: int, seen: set[int]) -> tuple[set[int], set[int]]:
        """(rows of slots, rows holding a typed number) a Nilai formula adds up, through
        rows that stand for no slot (their own formula is followed, blank ones skipped)."""
        slot_rows: set[int] = set()
        loose: set[int] = set()
        for number in sorted(rows_in(formula, column, self.sheet.max_row) - seen):
            seen.add(number)
            index = self.slot_at.get(number)
            if index is not None:
                if self.slots[index].kind != "count":  # their Nilai is "" in the official sheet
                    slot_rows.add(number)
                continue
            raw = self.sheet.value(number, column)
            if isinstance(raw, FormulaText) and len(seen) <= MAX_FOLLOWED:
                more, extra = self.counted(raw, column, seen)
                slot_rows |= more
                loose |= extra
            elif isinstance(raw, int | float) and not isinstance(raw, bool):
                loose.add(number)
        return slot_rows, loose

    def missing(self, codes: list[str], counted: Mapping[str, int]) -> Iterator[str]:
        """The highest children nothing counts; a child counted through some of its own
        parts is looked into."""
        for code in codes:
            if self.covered(code, counted):
                continue
            if any(_within(other, code) for other in counted):
                yield from self.missing(self.children(code), counted)
            else:
                yield code

    def covered(self, code: str, counted: Mapping[str, int]) -> bool:
        if code in counted:
            return True
        children = self.children(code)
        return bool(children) and all(self.covered(child, counted) for child in children)

    def children(self, code: str) -> list[str]:
        try:
            return group_children(self.framework, code)[0]
        except KeyError:  # an item
            return []

    @staticmethod
    def counted_ancestor(code: str, group: str, counted: Mapping[str, int]) -> str | None:
        """A row also counted that already holds ``code`` (it is counted twice)."""
        return next((o for o in counted if o != code and o != group and _within(code, o)), None)

    # --- items, % formulas and derived totals ---------------------------------------------------

    def item(self, item: Item, row: SheetRow) -> list[Finding]:
        findings = []
        if row.value_formula:
            answers = rows_in(row.value_formula, self.columns.answer, self.sheet.max_row)
            for other in sorted(answers - {row.row}):
                if other in self.slot_at or not answers & {row.row}:
                    params = {"other": other}
                    findings.append(Finding("formula_other_answer", row.row, item.code, params))
        if item.answer_type is AnswerType.PERCENT and row.answer_formula:
            needed = _formula_inputs(item)
            findings += self.inputs(item.code, None, row, needed, "percent_formula_missing")
        return findings

    def derived(self, slot: Slot, row: SheetRow) -> list[Finding]:
        if not slot.derived or not row.answer_formula:
            return []
        spec = next(r for r in self.framework.item(slot.code).rows if r.key == slot.input_key)
        return self.inputs(slot.code, spec.label, row, set(spec.sum_of), "total_formula_missing")

    def inputs(
        self, code: str, label: str | None, row: SheetRow, needed: set[str], kind: str
    ) -> list[Finding]:
        """A formula over count rows: every count the rules use, directly or through a
        derived total row that adds it up; rows of other items are reported too."""
        formula = row.answer_formula or ""
        used = rows_in(formula, self.columns.answer, self.sheet.max_row) - {row.row}
        item = self.framework.item(code)
        keys = {self.slots[self.slot_at[r]].input_key for r in used if r in self.slot_at}
        for spec in item.rows:
            if spec.key in keys and spec.derived:
                keys |= set(spec.sum_of)
        findings = []
        for spec in item.rows:
            if spec.key in needed and spec.key not in keys:
                what = self.describe(code, spec.key, spec.label)
                params = {"what": what, "label": label or ""}
                findings.append(Finding(kind, row.row, code, params))
        for other in sorted(used):
            index = self.slot_at.get(other)
            if index is not None and self.slots[index].code != code:
                params = {"what": self.place(other)}
                findings.append(Finding("percent_formula_extra", row.row, code, params))
        return findings

    # --- words ----------------------------------------------------------------------------------

    def finding(self, kind: str, row: SheetRow, slot: Slot, where: int) -> Finding:
        return Finding(kind, row.row, slot.code, {"what": self.place(where)})

    def place(self, number: int) -> Place:
        index = self.slot_at.get(number)
        found = self.matched[index].text if index is not None else ""
        return Place(number, found or (self.slots[index].text if index is not None else ""))

    def describe(self, code: str, key: str | None = None, label: str = "") -> Place | str:
        """The row of ``code`` (its text as the sheet words it), or its name if it has none."""
        row = self.row_of.get((code, key))
        if row is not None:
            return self.place(row.row)
        if key is not None:
            return label
        slot = next(s for s in self.slots if s.code == code and s.input_key is None)
        return f"{code} {slot.text}"


def _within(code: str, group: str) -> bool:
    return group == "total" or code.startswith(group + ".")


def _formula_inputs(item: Item) -> set[str]:
    formula = item.formula
    if formula is None:
        return set()
    keys = set(formula.numerator) | set(formula.denominator)
    return keys | {k for k in (formula.previous, formula.current) if k}
