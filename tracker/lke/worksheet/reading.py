"""What each layout's reader hands to the common checks: where the columns are, which sheet
row stands for which slot of the framework's layout, and what the matching noticed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tracker.lke.worksheet.align import Finding, SheetRow
from tracker.lke.worksheet.layout import WorksheetLayout
from tracker.lke.worksheet.notes import ColumnKind
from tracker.lke.worksheet.workbook import FormulaText, SheetData


@dataclass(frozen=True)
class Columns:
    """1-based columns of one answer group (the unit's or TPI's) in the sheet read."""

    answer: int
    value: int | None = None  # Nilai; None when the layout has none (a bare PortalRB sheet)
    type: int | None = None  # Pilihan Jawaban
    weight: int | None = None  # Bobot
    notes: tuple[tuple[int, ColumnKind], ...] = ()


@dataclass
class Reading:
    """One sheet read in one layout: its rows matched to the slots of ``layout(framework)``."""

    layout: WorksheetLayout
    sheet: SheetData
    columns: Columns
    matched: dict[int, SheetRow]  # slot index -> its row, or align.AMBIGUOUS
    findings: list[Finding] = field(default_factory=list)
    # Our own export carries drop-down lists, so an answer it does not allow was typed on
    # purpose and refuses the file; agencies' sheets are read with the answer left blank.
    strict: bool = False


def cell(sheet: SheetData, row: int, column: int | None) -> tuple[Any, str | None]:
    """(value, formula): the literal, or a formula's cached result (None if never computed)."""
    if column is None:
        return None, None
    raw = sheet.value(row, column)
    if isinstance(raw, FormulaText):
        return sheet.cached.get((row, column)), str(raw)
    if hasattr(raw, "text"):  # array formulas
        return sheet.cached.get((row, column)), str(raw.text)
    return raw, None


def text(value: Any) -> str:
    """A cell as text; a whole number typed as a marker ("1") loses its ".0"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


_MARKER = re.compile(r"^(?:[ivxIVXl1]{1,4}|[A-Za-z]|\d{1,2}|[-–—•*·])[.)]?$")
_LEADING_MARKER = re.compile(r"^((?:[ivxIVXl]{1,4}|[A-Za-z]|\d{1,2})[.)]|[-–—•*·])\s+(\S.*)$")


def split_marker(texts: list[str]) -> tuple[str, str]:
    """(canonical marker, text) from the hierarchy columns; "a. Teks" in one cell is split
    too."""
    marker = next((t for t in texts if _MARKER.match(t)), "")
    rest = max((t for t in texts if t is not marker), key=len, default="")
    if not marker and (match := _LEADING_MARKER.match(rest)):
        marker, rest = match.group(1), match.group(2)
    return canonical_marker(marker), rest


def canonical_marker(marker: str) -> str:
    """Undo common typos: "l." and "1." typed for "I.", "ii" without its dot, "•" for "-"."""
    mark = marker.strip().rstrip(".)").strip()
    if mark and mark in "-–—•*·":
        return "-"
    if mark.isdigit():
        return str(int(mark))
    if (re.fullmatch(r"[IVXl1]+", mark) and not mark.islower()) or mark in ("l", "ll", "lll"):
        return mark.replace("l", "I").replace("1", "I")
    return mark
