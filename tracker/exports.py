"""Tables downloaded as Excel or CSV (issue 16 §6): the one place that writes them.

A view gathers what its page shows (same scope, same filters) into a ``Table`` and answers
with ``to_csv`` or ``to_xlsx``. Both guard against formula injection: a text cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading ``'``, so
a spreadsheet shows it as text instead of running it (a unit name such as ``=HYPERLINK(...)``
typed into the tracker stays a name). Numbers and dates stay numbers and dates. CSV is UTF-8
with a byte-order mark, so Excel reads Indonesian names as they are written.

Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

Cell = str | int | Decimal | date | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 20_000  # a download bigger than this is not a report but a dump
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


CONTENT_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Table:
    """A sheet: its name, the column headings and the rows (each as long as the headings)."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]


def safe_text(value: str) -> str:
    """``value`` as a spreadsheet shows it without evaluating it (the quote prefix)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _plain(value: Cell) -> str:
    """A CSV field: dates in ISO form, decimals with a point, text guarded."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    return safe_text(value)


def to_csv(table: Table) -> bytes:
    """The table as CSV: UTF-8 with a BOM, comma-separated, every text cell guarded."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in table.headers])
    writer.writerows([_plain(c) for c in row] for row in table.rows[:MAX_ROWS])
    return out.getvalue().encode("utf-8-sig")


def _excel(value: Cell) -> object:
    if isinstance(value, str):
        # Characters XML cannot hold (control codes) would make openpyxl refuse the workbook.
        return safe_text(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones
    return value


def to_xlsx(table: Table) -> bytes:
    """The table as one Excel sheet, headings bold and frozen, text cells guarded."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name(table.title)
    sheet.append([_excel(h) for h in table.headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows[:MAX_ROWS]:
        sheet.append([_excel(c) for c in row])
    sheet.freeze_panes = "A2"
    for index, heading in enumerate(table.headers, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
            10, min(len(heading) + 4, 40)
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(table: Table, kind: Format) -> bytes:
    return to_csv(table) if kind is Format.CSV else to_xlsx(table)


def sheet_name(title: str) -> str:
    """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    return _SHEET_NAME_BAD.sub(" ", title).strip()[:31] or "Sheet"


def filename(stem: str, day: date, kind: Format) -> str:
    """The download's name with its date: ``dasbor-2027-03-31.csv``, ``stem`` being ASCII."""
    return f"{stem}-{day.isoformat()}.{kind.value}"


def disposition(stem: str, day: date, kind: Format) -> str:
    """The Content-Disposition header of a download."""
    return f'attachment; filename="{filename(stem, day, kind)}"'
