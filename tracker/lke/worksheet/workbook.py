"""Opening an uploaded workbook within the bounds of ``limits`` and loading one sheet's values.

Both official layouts (Lampiran III's ``LKE ZI`` and PortalRB's ``Jawaban``) go through here, so
every bound holds for both: the file and its zip, one streaming pass over every XML part, then
the shape of the sheet actually read, before openpyxl is asked for exactly that many rows and
columns.
"""

from __future__ import annotations

import struct
import warnings
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from zipfile import BadZipFile, ZipFile

from openpyxl import load_workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.exceptions import InvalidFileException

from tracker.errors import ValidationError
from tracker.i18n import _
from tracker.lke.worksheet import limits
from tracker.lke.worksheet.layout import norm

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


class FormulaText(str):
    """A cell's formula as typed ("=SUM(L6,L23)"), told apart from text that merely starts
    with "=" (a note typed as text, which stays a note)."""

    __slots__ = ()


@contextmanager
def readable() -> Iterator[None]:
    """Turn what a malformed file makes the libraries raise into one ValidationError; agencies'
    files also trip openpyxl's harmless warnings, which are silenced."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    except _UNREADABLE as exc:
        raise ValidationError(_("Berkas bukan buku kerja Excel (.xlsx) yang dapat dibaca")) from exc


@dataclass(frozen=True)
class SheetData:
    """One sheet as plain values by (row, column): as typed (formulas as text) and as Excel
    last computed them, plus the addresses cells link to. Rows and columns run to the last one
    the sheet uses."""

    title: str
    typed: Mapping[tuple[int, int], Any]
    cached: Mapping[tuple[int, int], Any]
    max_row: int
    max_column: int
    merged: tuple[tuple[int, int, int, int], ...]  # (top, left, bottom, right)
    links: Mapping[tuple[int, int], str] = field(default_factory=dict)

    def value(self, row: int, column: int) -> Any:
        return self.typed.get((row, column))

    def is_empty(self) -> bool:
        return not self.typed


@dataclass(frozen=True)
class OpenedWorkbook:
    """A workbook that passed the file, zip and XML bounds; sheets are loaded on request."""

    data: bytes
    sheets: Mapping[str, str]  # sheet name -> worksheet part, in workbook order
    package: limits.Package

    def find(self, wanted: str) -> str | None:
        """The name of the sheet called ``wanted``, matched loosely ("lke_zi" for "LKE ZI")."""
        names = {norm(name).replace(" ", ""): name for name in self.sheets}
        return names.get(norm(wanted).replace(" ", ""))

    def load(self, name: str) -> SheetData:
        """The sheet's values, after its shape passed the row, column and cell bounds.
        Raises ValidationError."""
        part = self.sheets[name]
        shape = self.package.shapes[part]
        limits.check_sheet(name, shape)
        with readable():
            typed, cached = (_values(self.data, name, shape, data_only=f) for f in (False, True))
        return SheetData(
            name,
            typed,
            cached,
            shape.last_row,
            shape.last_column,
            tuple(shape.merged),
            self.package.links(part),
        )


def open_workbook(source: str | Path | bytes | IO[bytes]) -> OpenedWorkbook:
    """Zip and XML bounds first, then the list of sheets. Raises ValidationError for a file that
    is not a workbook or is beyond a limit (see ``limits`` for why each exists)."""
    data = _read_source(source)
    with readable():
        limits.check_archive(data)
        with ZipFile(BytesIO(data)) as archive:
            limits.check_parts(archive.infolist())
            package = limits.scan_package(archive)
        return OpenedWorkbook(data, _sheet_parts(data, package), package)


def _read_source(source: str | Path | bytes | IO[bytes]) -> bytes:
    """The file's bytes, refusing one over the size limit before reading it all."""
    if isinstance(source, str | Path):
        limits.check_file_size(Path(source).stat().st_size)
        return Path(source).read_bytes()
    data = source if isinstance(source, bytes) else source.read(limits.MAX_FILE_BYTES + 1)
    limits.check_file_size(len(data))
    return data


def _sheet_parts(data: bytes, package: limits.Package) -> dict[str, str]:
    """{sheet name: worksheet part} resolved by openpyxl from the workbook alone, before any
    sheet is parsed; sheets whose part is missing or is not a worksheet are left out."""
    reader = ExcelReader(BytesIO(data), read_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_workbook()
        present = set(reader.valid_files)
        found = reader.parser.find_sheets()
        parts = {s.name: r.target for s, r in found if r.target in present}
    finally:
        reader.archive.close()
    return {name: part for name, part in parts.items() if part in package.shapes}


def _values(
    data: bytes, name: str, shape: limits.SheetShape, *, data_only: bool
) -> dict[tuple[int, int], Any]:
    """{(row, column): value} of the sheet's non-empty cells, read-only and bounded by its
    checked shape; formulas as text, or (``data_only``) the results Excel last stored."""
    if not shape.cells:
        return {}
    book = load_workbook(BytesIO(data), read_only=True, data_only=data_only, keep_links=False)
    try:
        rows = book[name].iter_rows(max_row=shape.last_row, max_col=shape.last_column)
        values = {
            (row, column): _typed(cell)
            for row, cells in enumerate(rows, start=1)
            for column, cell in enumerate(cells, start=1)
            if cell.value is not None
        }
    finally:
        book.close()
    return _hide_merged(values, shape.merged)


def _typed(cell: Any) -> Any:
    value = cell.value
    if cell.data_type == "f" and isinstance(value, str):
        return FormulaText(value)
    return value


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
