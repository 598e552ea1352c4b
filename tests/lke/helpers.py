"""Builders for LKE tests: answer sets and official worksheets an agency might have mangled."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook

from tracker.lke.answers import parse_answers
from tracker.lke.framework import AnswerType, FormulaKind, Framework, Item
from tracker.lke.scoring import ScoreReport, score
from tracker.lke.worksheet import FIRST_ROW, NOT_FILLED, SHEET_NAME, Slot, layout, write_worksheet


def perfect_counts(item: Item) -> list[int]:
    """Counts that give a % item the value 1 without touching a zero denominator."""
    counts = {spec.key: 1 for spec in item.inputs}
    formula = item.formula
    assert formula is not None
    if formula.kind is FormulaKind.DECREASE:
        counts[formula.current] = 0  # type: ignore[index]
    else:
        counts[formula.numerator[0]] = len(formula.denominator)
    return [counts[spec.key] for spec in item.inputs]


def perfect_answers(framework: Framework) -> dict[str, Any]:
    """Raw answers with the best value for every item (the LKE scores exactly 100)."""
    answers: dict[str, Any] = {}
    for item in framework.items():
        if item.answer_type is AnswerType.PERCENT:
            answers[item.code] = perfect_counts(item)
        elif item.answer_type is AnswerType.SURVEY_INDEX:
            answers[item.code] = "4.00"
        else:
            answers[item.code] = item.choice_keys[0]
    return answers


def scored(framework: Framework, raw: Mapping[str, Any]) -> ScoreReport:
    return score(framework, parse_answers(framework, raw))


# --- worksheets -------------------------------------------------------------------------------

LAST_COLUMN = 18


class Sheet:
    """The rows of a generated official worksheet as plain lists, to mutate before saving.

    ``slots`` keeps, per row, the framework slot it was written for (None for added rows), so
    the cached results Excel would have stored can be computed after rows have moved.
    """

    def __init__(self, framework: Framework, answers: Mapping[str, Any] | None = None) -> None:
        self.framework = framework
        ws = load_workbook(BytesIO(write_worksheet(framework, answers)))[SHEET_NAME]
        self.rows = [[c.value for c in row] for row in ws.iter_rows(max_col=LAST_COLUMN)]
        self.slots: list[Slot | None] = [None] * (FIRST_ROW - 1) + layout(framework)

    def index(self, code: str, key: str | None = None) -> int:
        """0-based list index of the row for ``code`` (and count input ``key``)."""
        return next(
            i
            for i, s in enumerate(self.slots)
            if s is not None and s.code == code and s.input_key == key
        )

    def row_number(self, code: str, key: str | None = None) -> int:
        return self.index(code, key) + 1

    def insert(self, index: int, values: list[Any] | None = None) -> None:
        """Insert a row before list index ``index``; formulas below follow, as in Excel."""
        self.shift(index + 1, 1)
        self.rows.insert(index, list(values or []) + [None] * (LAST_COLUMN - len(values or [])))
        self.slots.insert(index, None)

    def delete(self, index: int) -> None:
        """Delete the row at list index ``index``; formulas below follow, as in Excel."""
        del self.rows[index], self.slots[index]
        self.shift(index + 2, -1)

    def shift(self, first_row: int, by: int) -> None:
        """Move every formula reference to row ``first_row`` or below by ``by`` rows."""
        for values in self.rows:
            for column, value in enumerate(values):
                if isinstance(value, str) and value.startswith("="):
                    values[column] = shift_formula(value, first_row, by)

    def set(self, code: str, column: str, value: Any, key: str | None = None) -> None:
        self.rows[self.index(code, key)][_column(column)] = value

    def get(self, code: str, column: str, key: str | None = None) -> Any:
        return self.rows[self.index(code, key)][_column(column)]

    def to_bytes(
        self,
        computed: Mapping[str, Any] | None = None,
        overrides: Mapping[tuple[str, str | None, str], Any] | None = None,
    ) -> bytes:
        """Save; with ``computed`` answers, formula cells carry the results Excel would store
        for them (``overrides`` replaces some: {(code, key, column): value})."""
        wb = Workbook()
        ws = wb.active
        ws.title = SHEET_NAME
        for number, values in enumerate(self.rows, start=1):
            for column, value in enumerate(values, start=1):
                if value is not None:
                    ws.cell(number, column, value)
        buffer = BytesIO()
        wb.save(buffer)
        data = buffer.getvalue()
        if computed is None:
            return data
        cached = self.cached_values(computed)
        for (code, key, column), value in (overrides or {}).items():
            cached[f"{column}{self.row_number(code, key)}"] = value
        return inject_cached(data, cached)

    def cached_values(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """What Excel would compute for the unit's formula cells if the formulas were right."""
        report = scored(self.framework, raw)
        values: dict[str, Any] = {}
        for index, slot in enumerate(self.slots):
            if slot is None:
                continue
            row = index + 1
            for column, value in _slot_values(self.framework, slot, report, raw).items():
                if isinstance(self.rows[index][_column(column)], str) and str(
                    self.rows[index][_column(column)]
                ).startswith("="):
                    values[f"{column}{row}"] = value
        return values


def _slot_values(framework: Framework, slot: Slot, report: Any, raw: Mapping[str, Any]) -> dict:
    if slot.kind == "count":
        item = framework.item(slot.code)
        spec = next(r for r in item.rows if r.key == slot.input_key)
        counts = dict(zip((i.key for i in item.inputs), raw.get(slot.code) or [], strict=False))
        return {"K": sum(counts.get(k, 0) for k in spec.sum_of)} if spec.derived else {}
    if slot.kind == "item":
        result, item = report.items[slot.code], framework.item(slot.code)
        if not result.answered:
            return {"K": "", "L": NOT_FILLED}
        value = float(result.score if item.weight is not None else result.value)
        return {"K": float(result.value), "L": value}
    group = report.total if slot.kind == "total" else report.groups[slot.code]
    return {"L": float(group.score)}


def shift_formula(formula: str, first_row: int, by: int) -> str:
    """``formula`` with its references to rows ``first_row`` and below moved by ``by``."""

    def move(match: re.Match[str]) -> str:
        letters, number = match.group(1), int(match.group(2))
        return f"{letters}{number + by if number >= first_row else number}"

    parts = re.split(r'("(?:[^"]|"")*")', formula)  # leave text in quotes alone
    return "".join(
        part if part.startswith('"') else re.sub(r"(?<![A-Za-z])([A-Z]{1,3})(\d+)", move, part)
        for part in parts
    )


def _column(letter: str) -> int:
    return ord(letter) - ord("A")


def inject_cached(
    data: bytes, values: Mapping[str, Any], part: str = "xl/worksheets/sheet1.xml"
) -> bytes:
    """Give formula cells of one sheet a stored result, as Excel does when it saves."""
    source = zipfile.ZipFile(BytesIO(data))
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                content = _inject(content.decode("utf-8"), values).encode("utf-8")
            target.writestr(info, content)
    return buffer.getvalue()


def _inject(xml: str, values: Mapping[str, Any]) -> str:
    def replace(match: re.Match[str]) -> str:
        ref, attrs, formula = match.group(1), match.group(2), match.group(3)
        if ref not in values:
            return match.group(0)
        value = values[ref]
        if isinstance(value, str):
            kind = ' t="e"' if value.startswith("#") else ' t="str"'
            return f'<c r="{ref}"{attrs}{kind}><f>{formula}</f><v>{value}</v></c>'
        return f'<c r="{ref}"{attrs}><f>{formula}</f><v>{Decimal(repr(value))}</v></c>'

    return re.sub(r'<c r="([A-Z]+\d+)"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v></v>)?</c>', replace, xml)
