"""Bounds on what an uploaded workbook may hold, checked before openpyxl parses it.

An .xlsx is a zip of XML parts, and neither the zip nor the XML says honestly how much work it
is: a 26 KB file with one cell at row 1,048,576 kept a worker busy for three minutes at 2 GB,
because the reader walked every row up to the last one used. So, before openpyxl sees the file:

1. the file and its zip: size on disk, number of parts (read from the end record, before
   ``zipfile`` builds one object per part), total unpacked size and each part's compression
   ratio (a zip bomb), all from the zip's declared sizes, which ``zipfile`` enforces while
   inflating (it stops at the declared size and fails the CRC);
2. one streaming pass over every XML part (expat, no tree, stopping at the first breach): the
   number of elements in the package and in any part openpyxl turns into objects one element at
   a time (styles, workbook), the number of shared strings, no DTD at all, and each worksheet's
   shape: declared ``<dimension>``, last row and column actually used, cells, merged ranges,
   cell links (their addresses sit in a relationships part, under the same element budget);
3. the LKE sheet's shape against the row, column and cell limits, so that the reader then asks
   openpyxl (read-only) for exactly that many rows and columns and no more.

The limits are generous for the official Lampiran III sheet (about 300 rows by 20 columns,
under 10,000 cells, a few thousand XML elements besides) and for PortalRB's ``Jawaban`` sheet,
and small enough that a file at every limit is still read in a few seconds. Every breach raises
ValidationError with a message a coordinator can act on.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pyexpat import ExpatError, ParserCreate
from typing import IO, Any

from openpyxl.utils import get_column_letter

from tracker.errors import ValidationError
from tracker.i18n import N_, _

# The official sheet: ~300 rows, ~20 columns, under 10,000 cells (styled empty ones included),
# 1,000-2,000 distinct texts, a few hundred cell formats. openpyxl reads the workbook twice (as
# typed, and as last computed), so a file at every limit below still takes a few seconds.
MAX_FILE_BYTES = 20 * 1024 * 1024  # what the web import accepts; the CLI reads from disk
MAX_PARTS = 1_000  # an .xlsx has 10-40 parts: one per sheet, drawing and image
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # the official workbook unpacks to about 1 MB
MAX_RATIO = 200  # XML deflates 5-20 times; a zip bomb 1000 times
RATIO_FLOOR_BYTES = 1024 * 1024  # a smaller part cannot hurt, whatever its ratio
MAX_XML_ELEMENTS = 250_000  # expat counts ~2 million a second: a refusal stays well under 1 s
MAX_PART_ELEMENTS = 20_000  # styles, workbook...: openpyxl builds a ~20 µs object per element
MAX_SHARED_STRINGS = 20_000  # openpyxl reads ~100,000 a second
MAX_ROWS = 5_000
MAX_COLUMNS = 100
MAX_CELLS = 50_000  # openpyxl reads ~100,000 a second

_CHUNK = 64 * 1024
# The zip's end-of-central-directory record: signature, disk numbers (2), parts on this disk,
# parts in total, directory size and offset, comment length.
_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE = b"PK\x05\x06"
_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")

_REFUSED = N_("Berkas ini tidak dapat dibaca sebagai LKE: %(reason)s.")
_TOO_BIG = N_("berkas lebih dari %(limit)s MB")
_TOO_MANY_PARTS = N_("arsip berisi lebih dari %(limit)s bagian")
_TOO_BIG_UNPACKED = N_("isinya lebih dari %(limit)s MB setelah dibuka")
_ZIP_BOMB = N_(
    "bagian %(part)s mengembang %(ratio)s kali saat dibuka (paling banyak %(limit)s kali)"
)
_TOO_MANY_ELEMENTS = N_(
    "struktur XML-nya lebih dari %(limit)s elemen; salin lembar LKE ZI ke buku kerja baru "
    "lalu unggah lagi"
)
_TOO_MANY_PART_ELEMENTS = N_(
    "bagian %(part)s berisi lebih dari %(limit)s elemen XML; salin lembar LKE ZI ke buku kerja "
    "baru lalu unggah lagi"
)
_TOO_MANY_STRINGS = N_("buku kerja berisi lebih dari %(limit)s teks berbeda")
_DOCTYPE = N_("bagian %(part)s memuat deklarasi DTD, yang tidak pernah ada di berkas Excel")
_TOO_MANY_ROWS = N_("lembar %(sheet)s berisi lebih dari %(limit)s baris (baris terakhir %(last)s)")
_TOO_MANY_COLUMNS = N_(
    "lembar %(sheet)s berisi lebih dari %(limit)s kolom (kolom terakhir %(last)s)"
)
_TOO_MANY_CELLS = N_("lembar %(sheet)s berisi lebih dari %(limit)s sel")


def refusal(reason: str, **params: Any) -> ValidationError:
    """The error for a workbook beyond a limit: one sentence naming what and where."""
    return ValidationError(_(_REFUSED, reason=_(reason, **params)))


def thousands(number: int) -> str:
    """1048576 -> "1.048.576", as Indonesian readers write it."""
    return f"{number:,}".replace(",", ".")


def _mb(size: int) -> str:
    return thousands(size // (1024 * 1024))


# --- 1. the file and its zip ------------------------------------------------------------------


def check_file_size(size: int) -> None:
    """Raises ValidationError for a file larger than MAX_FILE_BYTES."""
    if size > MAX_FILE_BYTES:
        raise refusal(_TOO_BIG, limit=_mb(MAX_FILE_BYTES))


def declared_parts(data: bytes) -> int | None:
    """The number of parts the zip's end record declares (None without one: not a zip).

    ``zipfile`` builds an object per part before anyone can count them (a second for 200,000
    empty parts), so the count is read first; zip64 declares 0xFFFF here, which is refused too.
    """
    tail = data[-(_EOCD.size + 0xFFFF) :]  # the record, then a comment of at most 64 KB
    start = tail.rfind(_EOCD_SIGNATURE)
    if start < 0 or len(tail) - start < _EOCD.size:
        return None
    return int(_EOCD.unpack_from(tail, start)[4])  # the total, over every disk


def check_archive(data: bytes) -> None:
    """Raises ValidationError for too many parts; opening the zip is left to the caller."""
    parts = declared_parts(data)
    if parts is not None and parts > MAX_PARTS:
        raise refusal(_TOO_MANY_PARTS, limit=thousands(MAX_PARTS))


def check_parts(infos: Iterable[zipfile.ZipInfo]) -> None:
    """Raises ValidationError for too many parts, a total unpacked size over the limit or one
    part that inflates more than MAX_RATIO times (its declared sizes; ``zipfile`` stops at
    the declared size while inflating and fails the CRC of anything longer)."""
    infos = list(infos)
    if len(infos) > MAX_PARTS:
        raise refusal(_TOO_MANY_PARTS, limit=thousands(MAX_PARTS))
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise refusal(_TOO_BIG_UNPACKED, limit=_mb(MAX_UNPACKED_BYTES))
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            raise refusal(
                _ZIP_BOMB, part=info.filename, ratio=thousands(int(ratio)), limit=MAX_RATIO
            )


# --- 2. one streaming pass over the XML ---------------------------------------------------------


@dataclass
class SheetShape:
    """What a worksheet part holds, as far as the limits care. Rows and columns are 1-based."""

    dimension: tuple[int, int] | None = None  # the declared last (row, column), if any
    last_row: int = 0  # the last row used by a row, a cell or a merged range
    last_column: int = 0
    cells: int = 0
    merged_area: int = 0  # cells inside merged ranges: openpyxl would make an object of each
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    # Cell links (Insert > Link): (row, column) -> relationship id. Agencies link their Google
    # Drive evidence this way as often as they paste the address; read-only openpyxl drops them.
    hyperlinks: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class Package:
    """What the streaming pass found: each worksheet's shape, and each part's external
    relationships (``xl/worksheets/_rels/sheet1.xml.rels``: id -> target address)."""

    shapes: dict[str, SheetShape] = field(default_factory=dict)
    relations: dict[str, dict[str, str]] = field(default_factory=dict)

    def links(self, part: str) -> dict[tuple[int, int], str]:
        """(row, column) -> the address a cell of worksheet ``part`` links to."""
        folder, _sep, name = part.rpartition("/")
        targets = self.relations.get(f"{folder}/_rels/{name}.rels", {})
        shape = self.shapes.get(part, SheetShape())
        return {cell: targets[rid] for cell, rid in shape.hyperlinks.items() if rid in targets}


def reference(text: str) -> tuple[int, int]:
    """ "XFD1048576" -> (1048576, 16384), as openpyxl reads it. Raises ValueError otherwise."""
    match = _REFERENCE.fullmatch(text)
    if match is None:
        raise ValueError(text)
    letters, digits = match.groups()
    return int(digits), _column_number(letters)


@cache  # a sheet names the same few columns in every row
def _column_number(letters: str) -> int:
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - ord("A") + 1
    return column


def cell_range(text: str) -> tuple[int, int, int, int]:
    """ "A1:R205" -> (1, 1, 205, 18); a single cell is a range of one."""
    first, _sep, last = text.partition(":")
    top, left = reference(first)
    bottom, right = reference(last) if last else (top, left)
    return min(top, bottom), min(left, right), max(top, bottom), max(left, right)


def row_number(text: str) -> int:
    """A row's ``r`` as openpyxl takes it: "7" or "7.0". Raises ValueError for anything else."""
    number = float(text)
    if not number.is_integer():
        raise ValueError(text)
    return int(number)


def _declared(ref: str) -> tuple[int, int] | None:
    """The last (row, column) of a ``<dimension ref>``; None when it is unreadable (openpyxl
    then reads the sheet without it, and the real shape is checked anyway)."""
    try:
        _top, _left, bottom, right = cell_range(ref)
    except ValueError:
        return None
    return bottom, right


class _PartScan:
    """Expat callbacks for one part: count its elements and, in a worksheet, record its shape.

    Expat calls back once per element, so the callbacks do as little as they can: after the
    root element, a handler for its kind of part (worksheet, shared strings, anything else)
    takes over and compares whole tag names made once."""

    def __init__(self, name: str, parser: Any, spent: int) -> None:
        self.name, self.parser, self.spent = name, parser, spent
        self.root = ""
        self.elements = self.strings = 0
        self.limit = MAX_XML_ELEMENTS - spent  # this part's share of the package's budget
        self.shape = SheetShape()
        self.relations: dict[str, str] = {}  # a relationships part: id -> external target
        self.row = self.column = 0  # where openpyxl puts an element without ``r``
        self.tags: dict[str, str] = {}
        parser.StartElementHandler = self.start_root
        parser.StartDoctypeDeclHandler = self.doctype  # errors raised in handlers propagate
        parser.EntityDeclHandler = self.doctype

    def doctype(self, *_args: Any) -> None:
        raise refusal(_DOCTYPE, part=self.name)

    def over(self) -> None:
        if self.spent + self.elements > MAX_XML_ELEMENTS:
            raise refusal(_TOO_MANY_ELEMENTS, limit=thousands(MAX_XML_ELEMENTS))
        raise refusal(_TOO_MANY_PART_ELEMENTS, part=self.name, limit=thousands(MAX_PART_ELEMENTS))

    def start_root(self, tag: str, attributes: dict[str, str]) -> None:
        namespace, _sep, self.root = tag.rpartition(" ")
        self.tags = {local: f"{namespace} {local}".lstrip() for local in _TAGS}
        handlers = {
            "worksheet": self.start_in_sheet,
            "sst": self.start_in_strings,
            "Relationships": self.start_in_relations,
        }
        self.parser.StartElementHandler = handlers.get(self.root, self.start_other)
        if self.root not in ("worksheet", "sst"):  # relationships too: one object per link
            self.limit = min(self.limit, MAX_PART_ELEMENTS)
        declared = attributes.get("uniqueCount", "")
        if self.root == "sst" and declared.isdigit() and int(declared) > MAX_SHARED_STRINGS:
            raise refusal(_TOO_MANY_STRINGS, limit=thousands(MAX_SHARED_STRINGS))
        self.start_other(tag, attributes)

    def start_other(self, _tag: str, _attributes: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > self.limit:
            self.over()

    def start_in_strings(self, tag: str, _attributes: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > self.limit:
            self.over()
        if tag == self.tags["si"]:
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                raise refusal(_TOO_MANY_STRINGS, limit=thousands(MAX_SHARED_STRINGS))

    def start_in_relations(self, tag: str, attributes: dict[str, str]) -> None:
        """External targets only (links out of the workbook), within the part's budget."""
        self.start_other(tag, attributes)
        if tag == self.tags["Relationship"] and attributes.get("TargetMode") == "External":
            self.relations[attributes.get("Id", "")] = attributes.get("Target", "")

    def start_in_sheet(self, tag: str, attributes: dict[str, str]) -> None:
        """Positions as openpyxl assigns them: ``r`` when given, else one after the last."""
        self.elements += 1
        if self.elements > self.limit:
            self.over()
        shape, tags = self.shape, self.tags
        if tag == tags["c"]:
            row, self.column = (
                reference(attributes["r"]) if "r" in attributes else (self.row, self.column + 1)
            )
            shape.cells += 1
            if row > shape.last_row:
                shape.last_row = row
            if self.column > shape.last_column:
                shape.last_column = self.column
        elif tag == tags["row"]:
            self.row = row_number(attributes["r"]) if "r" in attributes else self.row + 1
            self.column = 0
            if self.row > shape.last_row:
                shape.last_row = self.row
        elif tag == tags["dimension"]:
            shape.dimension = _declared(attributes.get("ref", ""))
        elif tag == tags["hyperlink"] and "ref" in attributes:
            self.hyperlink(attributes)
        elif tag == tags["mergeCell"] and "ref" in attributes:
            merged = cell_range(attributes["ref"])
            shape.merged.append(merged)
            shape.merged_area += (merged[2] - merged[0] + 1) * (merged[3] - merged[1] + 1)
            shape.last_row = max(shape.last_row, merged[2])
            shape.last_column = max(shape.last_column, merged[3])

    def hyperlink(self, attributes: dict[str, str]) -> None:
        """The top-left cell of a link's range; only links to an address (``r:id``) count."""
        rid = attributes.get(_RELATIONSHIP_ID)
        if rid and len(self.shape.hyperlinks) < MAX_CELLS:
            top, left, _bottom, _right = cell_range(attributes["ref"])
            self.shape.hyperlinks[(top, left)] = rid


_TAGS = ("c", "row", "dimension", "mergeCell", "si", "hyperlink", "Relationship")
_RELATIONSHIP_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships id"


def scan_part(name: str, stream: IO[bytes], spent: int = 0) -> _PartScan:
    """Stream one part through expat: its elements, its shape if it is a worksheet, its
    external relationships if it lists relationships. ``spent``
    is what the parts before it used of the package's budget. A part that is not XML at all,
    an image say, ends the scan at its first bytes.

    Raises ValidationError past a limit or for a DTD (an .xlsx never has one: refusing it
    outright rules out entity expansion), ValueError for a worksheet whose cell or row
    positions are not numbers."""
    parser = ParserCreate(namespace_separator=" ")
    scan = _PartScan(name, parser, spent)
    try:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except ExpatError as exc:
        if scan.root == "worksheet":
            raise ValueError(name) from exc  # a malformed sheet: openpyxl could not read it
    return scan


def scan_package(archive: zipfile.ZipFile) -> Package:
    """Every worksheet's shape and every part's external links. Raises ValidationError past
    a limit."""
    spent = 0
    package = Package()
    for info in archive.infolist():
        if info.is_dir():
            continue
        with archive.open(info) as stream:
            scan = scan_part(info.filename, stream, spent)
        spent += scan.elements
        if scan.root == "worksheet":
            package.shapes[info.filename] = scan.shape
        elif scan.relations:
            package.relations[info.filename] = scan.relations
    return package


# --- 3. the LKE sheet -------------------------------------------------------------------------


def check_sheet(sheet: str, shape: SheetShape) -> None:
    """Raises ValidationError when the declared or the real size of the sheet is too large."""
    used = (shape.last_row, shape.last_column)
    for last_row, last_column in (shape.dimension or used, used):
        if last_row > MAX_ROWS:
            raise refusal(
                _TOO_MANY_ROWS, sheet=sheet, limit=thousands(MAX_ROWS), last=thousands(last_row)
            )
        if last_column > MAX_COLUMNS:
            raise refusal(
                _TOO_MANY_COLUMNS,
                sheet=sheet,
                limit=thousands(MAX_COLUMNS),
                last=_column_label(last_column),
            )
    if max(shape.cells, shape.merged_area) > MAX_CELLS:
        raise refusal(_TOO_MANY_CELLS, sheet=sheet, limit=thousands(MAX_CELLS))


def _column_label(column: int) -> str:
    """The column's letters as Excel shows them ("XFD"), its number past Excel's own last."""
    return get_column_letter(column) if column <= 18_278 else thousands(column)
