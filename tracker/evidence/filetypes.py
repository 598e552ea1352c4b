"""Which evidence files we accept, judged by their content and not only by their name.

``TypeAllowList`` says which extensions are allowed and which detected MIME types each one
accepts; ``sniff`` detects the MIME type of a spooled upload with libmagic (python-magic) and
tells the Office Open XML formats apart by their ``[Content_Types].xml``, because libmagic often
calls a DOCX/XLSX/PPTX just ``application/zip``. ``TypeAllowList.check_file`` then looks at what
a type alone does not show (each format's ``Layout``):

- PDF: libmagic must call it PDF (the type check: file 5.44 finds ``%PDF-`` up to about 256
  bytes in), the ``%PDF-`` header must begin within the first 1024 bytes with no markup before
  it, and ``%%EOF`` must appear within the last 1024 bytes. Both windows are the ones PDF readers
  tolerate (PDF Reference 1.7, Appendix H, implementation notes 13 and 18: Acrobat requires only
  that the header appear within the first 1024 bytes and the end-of-file marker within the
  last 1024), so stray bytes a mail or download tool put in front still pass. A file that
  starts ``<html><!--%PDF-1.4-->`` satisfies libmagic but is a web page that a browser renders
  and runs; a PDF without its end marker was cut off.
- PNG: the ``IEND`` chunk must appear within the last 1024 bytes (else the image was cut off).
  JPEG has no such check: phones append a video after the image's end marker (motion photos).
- Office (DOCX/XLSX/PPTX): judged from the zip's central directory and ``[Content_Types].xml``
  only, never extracting. Refused are a package without its end-of-central-directory record
  (cut off), implausible sizes (a zip bomb: a part inflating more than ``MAX_PART_RATIO``
  times, or more than ``MAX_UNPACKED_BYTES`` in all), macros (VBA parts, macro-enabled content
  types or embedded macro-enabled documents), ActiveX controls and OLE objects (which can run
  programs), and embedded programs or scripts (``.exe``, ``.dll``, ``.bat``, ``.js``...).

Every refusal is a ``RejectedFileError`` whose message names the file and the reason in words a
coordinator understands.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import BinaryIO
from urllib.parse import unquote
from xml.parsers import expat

import magic

from config import DEFAULT_ALLOWED_TYPES, DEFAULT_MAX_UPLOAD_MB, MB, Settings
from tracker.errors import ValidationError
from tracker.evidence.naming import display_name, extension
from tracker.i18n import _

# The defaults of the deployment settings (``config.Settings``), not a second copy of them.
DEFAULT_MAX_BYTES = DEFAULT_MAX_UPLOAD_MB * MB
DEFAULT_ALLOWED = DEFAULT_ALLOWED_TYPES
SNIFF_HEAD_BYTES = 64 * 1024

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ZIP = "application/zip"


class Layout(StrEnum):
    """What ``TypeAllowList.check_file`` verifies of a format beyond its detected type."""

    ANY = "any"  # the type is all we check
    PDF = "pdf"  # header at the start without markup before it, end marker at the end
    PNG = "png"  # the closing IEND chunk at the end
    OFFICE = "office"  # a complete zip, no zip bomb, no macros, controls or programs inside


@dataclass(frozen=True, slots=True)
class FileType:
    """One accepted format: its label in messages, the MIME types ``sniff`` may report for it,
    the Content-Type we store and serve it with, and what else its bytes must satisfy."""

    label: str
    content_type: str
    detected: frozenset[str] = field(default_factory=frozenset)
    layout: Layout = Layout.ANY

    def accepts(self, mime: str) -> bool:
        return mime == self.content_type or mime in self.detected


PDF_TYPE = FileType("PDF", "application/pdf", layout=Layout.PDF)
JPEG_TYPE = FileType("JPEG", "image/jpeg")
PNG_TYPE = FileType("PNG", "image/png", layout=Layout.PNG)
DOCX_TYPE = FileType("DOCX", DOCX, layout=Layout.OFFICE)
XLSX_TYPE = FileType("XLSX", XLSX, layout=Layout.OFFICE)
PPTX_TYPE = FileType("PPTX", PPTX, layout=Layout.OFFICE)

KNOWN_TYPES: Mapping[str, FileType] = MappingProxyType(
    {
        "pdf": PDF_TYPE,
        "jpg": JPEG_TYPE,
        "jpeg": JPEG_TYPE,
        "png": PNG_TYPE,
        "docx": DOCX_TYPE,
        "xlsx": XLSX_TYPE,
        "pptx": PPTX_TYPE,
    }
)

# Labels for what we detected when it is not one of the known types (messages stay readable).
_DETECTED_LABELS = {
    ZIP: "ZIP",
    "application/x-dosexec": "EXE",
    "application/vnd.microsoft.portable-executable": "EXE",
    "application/x-msdownload": "EXE",
    "application/x-executable": "ELF",
    "application/x-sharedlib": "ELF",
    "application/x-pie-executable": "ELF",
    "text/html": "HTML",
    "application/vnd.ms-word.document.macroEnabled.12": "DOCM",
    "application/vnd.ms-excel.sheet.macroEnabled.12": "XLSM",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.12": "PPTM",
}


class RejectReason(StrEnum):
    """Machine-readable reason of a ``RejectedFileError`` (for logs, audit and tests)."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NO_EXTENSION = "no_extension"
    EXTENSION_NOT_ALLOWED = "extension_not_allowed"
    CONTENT_MISMATCH = "content_mismatch"
    NO_LENGTH = "no_length"  # the request did not declare its size (Content-Length)
    INCOMPLETE = "incomplete"  # the body ended before its declared size: the upload was cut off
    TRUNCATED = "truncated"  # the content lacks its end (PDF %%EOF, PNG IEND, zip directory)
    DISGUISED = "disguised"  # a PDF header behind markup or too far in: not a real PDF
    ZIP_BOMB = "zip_bomb"  # declared sizes no document has
    MACROS = "macros"
    EMBEDDED_OBJECT = "embedded_object"  # ActiveX controls, OLE objects
    EMBEDDED_PROGRAM = "embedded_program"  # executables and scripts inside a document


class RejectedFileError(ValidationError):
    """An upload refused by the limits or the type allow-list; ``str()`` names file and reason.

    ``details`` holds ``name`` (the display name) and ``reason`` (a ``RejectReason``).
    """

    def __init__(self, message: str, *, name: str, reason: RejectReason, **details: object):
        super().__init__(message, name=name, reason=reason, **details)
        self.name = name
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TypeAllowList:
    """Allowed extensions (lower-case, no dot) and the file type each must contain."""

    types: Mapping[str, FileType]

    def __post_init__(self) -> None:
        frozen = MappingProxyType({ext.lower().lstrip("."): t for ext, t in self.types.items()})
        if not frozen:
            raise ValueError("an evidence type allow-list needs at least one extension")
        object.__setattr__(self, "types", frozen)

    @classmethod
    def from_config(cls, value: str | Iterable[str] | None = None) -> TypeAllowList:
        """Build from ``"pdf,jpg,png"`` (or a list); ``None``/empty means ``DEFAULT_ALLOWED``.

        Raises ``ValueError`` for an extension not in ``KNOWN_TYPES`` (a configuration error).
        """
        items = value.split(",") if isinstance(value, str) else list(value or [])
        names = [item.strip().lower().lstrip(".") for item in items if item.strip()]
        unknown = sorted(set(names) - set(KNOWN_TYPES))
        if unknown:
            raise ValueError(f"unknown evidence file types in config: {', '.join(unknown)}")
        return cls({ext: KNOWN_TYPES[ext] for ext in names or DEFAULT_ALLOWED.split(",")})

    @property
    def extensions(self) -> tuple[str, ...]:
        return tuple(sorted(self.types))

    def describe(self) -> str:
        """``"DOCX, JPEG, JPG, PDF, ..."``: the allowed extensions for messages and help text."""
        return ", ".join(ext.upper() for ext in self.extensions)

    def accept_attribute(self) -> str:
        """``".docx,.jpeg,..."`` for the ``accept`` attribute of ``<input type=file>``."""
        return ",".join(f".{ext}" for ext in self.extensions)

    def check_name(self, filename: str) -> FileType:
        """Return the expected ``FileType`` for ``filename``'s extension.

        Raises ``RejectedFileError`` (``NO_EXTENSION`` / ``EXTENSION_NOT_ALLOWED``).
        """
        name, ext = display_name(filename), extension(filename)
        if not ext:
            message = _(
                "Berkas %(name)s ditolak: tidak ada ekstensi jenis berkas "
                "(yang diizinkan: %(allowed)s).",
                name=name,
                allowed=self.describe(),
            )
            raise RejectedFileError(message, name=name, reason=RejectReason.NO_EXTENSION)
        if ext not in self.types:
            message = _(
                "Berkas %(name)s ditolak: jenis .%(ext)s tidak diizinkan "
                "(yang diizinkan: %(allowed)s).",
                name=name,
                ext=ext,
                allowed=self.describe(),
            )
            raise RejectedFileError(message, name=name, reason=RejectReason.EXTENSION_NOT_ALLOWED)
        return self.types[ext]

    def check_file(self, filename: str, file: BinaryIO) -> str:
        """Return the Content-Type to store for the spooled, seekable ``file``.

        Checks the name, the detected type, then what the expected format's ``Layout`` requires
        (see the module docstring). An Office file's hazards are judged before its type, so that
        a macro-enabled document named ``.docx`` is refused for its macros, not as "not DOCX".
        Raises ``RejectedFileError``; ``OSError`` from reading. Leaves the position at 0.
        """
        expected = self.check_name(filename)
        detected = sniff(file)
        if expected.layout is Layout.OFFICE and detected in _ZIP_LIKE:
            _raise_for(filename, office_hazard(file))
        content_type = self.check_content(filename, detected)
        if expected.layout is Layout.PDF:
            _raise_for(filename, pdf_hazard(file))
        elif expected.layout is Layout.PNG:
            _raise_for(filename, png_hazard(file))
        file.seek(0)
        return content_type

    def check_content(self, filename: str, detected: str) -> str:
        """Return the Content-Type to store when ``detected`` matches ``filename``'s extension.

        Raises ``RejectedFileError`` (``CONTENT_MISMATCH``, or those of ``check_name``).
        """
        expected = self.check_name(filename)
        if expected.accepts(detected):
            return expected.content_type
        name = display_name(filename)
        message = _(
            "Berkas %(name)s ditolak: isinya bukan %(expected)s (terdeteksi %(detected)s).",
            name=name,
            expected=expected.label,
            detected=detected_label(detected),
        )
        raise RejectedFileError(
            message, name=name, reason=RejectReason.CONTENT_MISMATCH, detected=detected
        )


DEFAULT_ALLOW_LIST = TypeAllowList.from_config(DEFAULT_ALLOWED)


@dataclass(frozen=True)
class UploadPolicy:
    """How large an evidence file may be and which types it may have."""

    max_bytes: int
    allowed: TypeAllowList

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadPolicy:
        """The policy the deployment configured (``MAX_UPLOAD_MB``, ``ALLOWED_UPLOAD_TYPES``):
        the one place it is built. Raises ``ValueError`` for an unknown file type."""
        return cls(
            settings.max_upload_bytes, TypeAllowList.from_config(settings.allowed_upload_types)
        )

    def describe(self) -> str:
        """``"DOCX, JPEG, ..., PDF, paling besar 50 MB per berkas"``, as upload forms show it."""
        return _(
            "%(types)s, paling besar %(size)s per berkas",
            types=self.allowed.describe(),
            size=human_size(self.max_bytes),
        )


def detected_label(mime: str) -> str:
    """A short, language-neutral name for a detected MIME type (``"PDF"``, ``"EXE"``, or the
    MIME type itself when we have no better name)."""
    for file_type in KNOWN_TYPES.values():
        if file_type.accepts(mime):
            return file_type.label
    return _DETECTED_LABELS.get(mime, mime)


def rejected_empty(filename: str) -> RejectedFileError:
    """The error for an upload of zero bytes (returned, for the caller to raise)."""
    name = display_name(filename)
    message = _("Berkas %(name)s ditolak: berkasnya kosong.", name=name)
    return RejectedFileError(message, name=name, reason=RejectReason.EMPTY)


def rejected_too_large(filename: str, max_bytes: int) -> RejectedFileError:
    """The error for an upload over ``max_bytes`` (returned, for the caller to raise)."""
    name = display_name(filename)
    message = _(
        "Berkas %(name)s ditolak: ukurannya melebihi batas %(limit)s.",
        name=name,
        limit=human_size(max_bytes),
    )
    return RejectedFileError(message, name=name, reason=RejectReason.TOO_LARGE, limit=max_bytes)


def rejected_without_length(filename: str) -> RejectedFileError:
    """The error for a streamed upload that did not declare its size (returned, to raise)."""
    name = display_name(filename)
    message = _(
        "Berkas %(name)s ditolak: permintaan unggah tidak menyebut ukuran berkasnya, jadi "
        "kelengkapannya tidak dapat diperiksa. Unggah ulang dari halaman LKE.",
        name=name,
    )
    return RejectedFileError(message, name=name, reason=RejectReason.NO_LENGTH)


def rejected_incomplete(filename: str, received: int, declared: int) -> RejectedFileError:
    """The error for a body that ended after ``received`` of its ``declared`` bytes (returned,
    for the caller to raise)."""
    name = display_name(filename)
    message = _(
        "Berkas %(name)s ditolak: unggahan terputus sebelum selesai (diterima %(received)s "
        "dari %(declared)s). Tidak ada yang disimpan; unggah ulang berkasnya.",
        name=name,
        received=human_size(received),
        declared=human_size(declared),
    )
    return RejectedFileError(
        message,
        name=name,
        reason=RejectReason.INCOMPLETE,
        received=received,
        declared=declared,
    )


def human_size(size: int) -> str:
    """``52428800`` -> ``"50 MB"``, ``1536`` -> ``"1.5 KB"`` (binary multiples, as Windows and
    browsers show them). Raises nothing."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}"


# --- detection ---------------------------------------------------------------------------------

_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
    "application/vnd.ms-word.document.macroEnabled.main+xml": (
        "application/vnd.ms-word.document.macroEnabled.12"
    ),
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": (
        "application/vnd.ms-excel.sheet.macroEnabled.12"
    ),
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml": (
        "application/vnd.ms-powerpoint.presentation.macroEnabled.12"
    ),
}
# Media types are case-insensitive; Office writes them as above, a hostile file need not.
_MAIN_PART_TYPES = {declared.lower(): mime for declared, mime in _OOXML_MAIN_PARTS.items()}
# What libmagic may say about a zip-based file; all of them are re-examined with zipfile.
_ZIP_LIKE = frozenset({ZIP, "application/x-zip-compressed", DOCX, XLSX, PPTX}) | frozenset(
    _OOXML_MAIN_PARTS.values()
)
# Limits on what we read from an untrusted zip: a real Office file has tens to a few thousand
# parts and a [Content_Types].xml of a few KB; bigger ones are zip bombs, not evidence.
MAX_ZIP_ENTRIES = 20_000
_MAX_CONTENT_TYPES_BYTES = 512 * 1024
# Declared sizes no document has. XML deflates 5 to 20 times and images not at all; deflate
# cannot exceed about 1030 times, which is what a zip bomb uses. A part under the floor cannot
# hurt whatever its ratio (a page of blank table cells compresses very well). A 50 MB upload of
# ordinary XML unpacks to at most about 1 GB, so more than that is not a document either.
MAX_PART_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024

# PDF readers look for the header within the first and the end marker within the last 1024
# bytes (PDF Reference 1.7, Appendix H, notes 13 and 18); what precedes the header may be a
# MacBinary or mail header, but never markup: that is a web page that embeds "%PDF-".
PDF_WINDOW = 1024
_PDF_HEADER = b"%PDF-"
_PDF_END = b"%%EOF"
_MARKUP = re.compile(rb"<[A-Za-z!?/]")
_PNG_END = b"IEND\xaeB`\x82"  # the IEND chunk type and its fixed CRC
_END_WINDOW = 1024

# Parts that carry macros: VBA projects and their signatures, macro-enabled content types, and
# embedded macro-enabled Office documents.
_MACRO_NAME = re.compile(r"vba(project|data)[^/]*$")
_MACRO_EXTENSIONS = frozenset(
    {"docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm", "ppam", "ppsm", "sldm"}
)
_MACRO_TYPES = ("vbaproject", "vbadata", "macroenabled")
# Parts that can start a program when the document is opened or clicked.
_OBJECT_NAME = re.compile(r"(^|/)activex/|(^|/)oleobject[^/]*\.bin$")
_OBJECT_TYPES = ("activex", "oleobject")
_PROGRAM_EXTENSIONS = frozenset(
    {
        "exe", "dll", "com", "scr", "pif", "cpl", "msi", "msp", "sys", "drv", "ocx",
        "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta",
        "jar", "lnk", "reg", "sh", "elf", "so", "dylib",
    }
)  # fmt: skip
_PROGRAM_TYPES = ("msdownload", "msdos-program", "executable", "javascript", "vbscript")


def sniff(file: BinaryIO) -> str:
    """Return the MIME type of a seekable ``file``'s content; leaves the position at 0.

    Uses libmagic on the first ``SNIFF_HEAD_BYTES``; a zip is classified as DOCX/XLSX/PPTX (or
    their macro-enabled kin) only if its ``[Content_Types].xml`` declares that main part and
    the part exists, else it stays ``application/zip``. Raises ``OSError`` from reading.
    """
    file.seek(0)
    head = file.read(SNIFF_HEAD_BYTES)
    detected = magic.from_buffer(head, mime=True) if head else "application/x-empty"
    if detected in _ZIP_LIKE:
        package = _read_package(file)
        detected = (package.main_type if isinstance(package, _Package) else None) or ZIP
    file.seek(0)
    return detected


@dataclass(frozen=True, slots=True)
class Hazard:
    """Why a file is refused although its type is right: the reason and what shows it (the
    offending part of an Office package, the inflated size, the ratio)."""

    reason: RejectReason
    part: str = ""
    size: int = 0
    ratio: int = 0
    count: int = 0
    markup: bool = False


def pdf_hazard(file: BinaryIO) -> Hazard | None:
    """Markup before the header or no header within ``PDF_WINDOW`` bytes (``DISGUISED``), or
    no ``%%EOF`` within the last ``PDF_WINDOW`` bytes (``TRUNCATED``). Raises ``OSError``."""
    file.seek(0)
    head = file.read(PDF_WINDOW + len(_PDF_HEADER) - 1)
    start = head.find(_PDF_HEADER)
    if start < 0 or _MARKUP.search(head[:start]):
        return Hazard(RejectReason.DISGUISED, markup=start > 0)
    if _PDF_END not in _tail(file, PDF_WINDOW):
        return Hazard(RejectReason.TRUNCATED)
    return None


def png_hazard(file: BinaryIO) -> Hazard | None:
    """No ``IEND`` chunk near the end: the image was cut off (``TRUNCATED``)."""
    return None if _PNG_END in _tail(file, _END_WINDOW) else Hazard(RejectReason.TRUNCATED)


def office_hazard(file: BinaryIO) -> Hazard | None:
    """What makes a zip-based Office file unsafe or incomplete, judged from the central
    directory and ``[Content_Types].xml`` without extracting anything; None if nothing.

    Order: cut off (no end-of-central-directory record), too many parts, declared sizes of a
    zip bomb, then macros, ActiveX/OLE objects and embedded programs. A zip that ``zipfile``
    cannot read is left to the type check ("not DOCX"). Raises ``OSError``.
    """
    package = _read_package(file)
    if isinstance(package, Hazard) or package is None:
        return package
    hazard = _size_hazard(package.infos)
    if hazard is not None:
        return hazard
    found: dict[RejectReason, str] = {}
    for info in package.infos:
        if not info.is_dir():
            name = _part_name(info.filename)
            reason = _part_hazard(name, package.type_of(name))
            if reason is not None:
                found.setdefault(reason, info.filename)
    for reason in (
        RejectReason.MACROS,
        RejectReason.EMBEDDED_PROGRAM,
        RejectReason.EMBEDDED_OBJECT,
    ):
        if reason in found:
            return Hazard(reason, part=found[reason])
    return None


def _raise_for(filename: str, hazard: Hazard | None) -> None:
    if hazard is not None:
        raise hazard_error(filename, hazard)


def hazard_error(filename: str, hazard: Hazard) -> RejectedFileError:
    """The refusal for ``hazard``, in words a coordinator understands (returned, to raise)."""
    name = display_name(filename)
    part = display_name(hazard.part)[:80] if hazard.part else ""
    reason = hazard.reason
    if reason is RejectReason.TRUNCATED:
        message = _(
            "Berkas %(name)s ditolak: berkasnya tidak utuh (bagian akhirnya tidak ada). "
            "Mungkin unggahannya terputus atau berkasnya rusak; unggah ulang berkas aslinya.",
            name=name,
        )
    elif reason is RejectReason.DISGUISED and hazard.markup:
        message = _(
            "Berkas %(name)s ditolak: ini bukan PDF asli: sebelum awal PDF ada kode halaman "
            "web (HTML atau XML).",
            name=name,
        )
    elif reason is RejectReason.DISGUISED:
        message = _(
            "Berkas %(name)s ditolak: isinya bukan PDF (awal PDF tidak ada di awal berkas).",
            name=name,
        )
    elif reason is RejectReason.ZIP_BOMB and hazard.count:
        message = _(
            "Berkas %(name)s ditolak: berisi terlalu banyak bagian (%(count)s); dokumen "
            "Office biasa hanya berisi puluhan sampai ribuan bagian.",
            name=name,
            count=f"{hazard.count:,}".replace(",", "."),
        )
    elif reason is RejectReason.ZIP_BOMB and hazard.ratio:
        message = _(
            "Berkas %(name)s ditolak: bagian %(part)s dimampatkan secara tidak wajar (saat "
            "dibuka membengkak %(ratio)s kali menjadi %(size)s). Itu ciri berkas perusak (zip "
            "bomb), bukan dokumen.",
            name=name,
            part=part,
            ratio=str(hazard.ratio),
            size=human_size(hazard.size),
        )
    elif reason is RejectReason.ZIP_BOMB:
        message = _(
            "Berkas %(name)s ditolak: saat dibuka isinya membengkak menjadi %(size)s (batas "
            "%(limit)s). Itu ciri berkas perusak (zip bomb), bukan dokumen.",
            name=name,
            size=human_size(hazard.size),
            limit=human_size(MAX_UNPACKED_BYTES),
        )
    elif reason is RejectReason.MACROS:
        message = _(
            "Berkas %(name)s ditolak: berisi makro (kode program di dalam dokumen Office, "
            "%(part)s). Simpan ulang sebagai dokumen biasa tanpa makro (.docx, .xlsx, atau "
            ".pptx), lalu unggah lagi.",
            name=name,
            part=part,
        )
    elif reason is RejectReason.EMBEDDED_OBJECT:
        message = _(
            "Berkas %(name)s ditolak: berisi objek tersemat yang dapat menjalankan program "
            "(%(part)s: kontrol ActiveX atau objek OLE). Hapus objek itu atau simpan "
            "dokumennya sebagai PDF, lalu unggah lagi.",
            name=name,
            part=part,
        )
    else:
        message = _(
            "Berkas %(name)s ditolak: di dalamnya tersemat program atau skrip (%(part)s). "
            "Hapus berkas itu dari dokumen, lalu unggah lagi.",
            name=name,
            part=part,
        )
    return RejectedFileError(message, name=name, reason=reason, part=hazard.part)


def _tail(file: BinaryIO, size: int) -> bytes:
    end = file.seek(0, 2)
    file.seek(max(0, end - size))
    return file.read(size)


# --- Office packages --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Package:
    """What we read of a zip: its central directory and the content types it declares."""

    infos: tuple[zipfile.ZipInfo, ...]
    defaults: Mapping[str, str]  # extension (lower case) -> content type
    overrides: Mapping[str, str]  # part name (see _part_name) -> content type
    main_type: str | None

    def type_of(self, name: str) -> str:
        """The content type Office gives the part ``name``: its override, else the default
        for its extension; lower case, "" when none is declared."""
        declared = self.overrides.get(name) or self.defaults.get(_extension_of(name), "")
        return declared.lower()


def _read_package(file: BinaryIO) -> _Package | Hazard | None:
    """The package in ``file``; a ``Hazard`` for a cut-off zip or one with too many entries;
    None for a zip ``zipfile`` cannot read (or one without a readable ``[Content_Types].xml``,
    whose parts are still listed)."""
    count = _zip_entry_count(file)
    if count is None:
        return Hazard(RejectReason.TRUNCATED)
    if not 0 < count <= MAX_ZIP_ENTRIES:  # 0xFFFF means "see the ZIP64 record": as many
        return Hazard(RejectReason.ZIP_BOMB, count=count)
    try:
        with zipfile.ZipFile(file) as archive:
            infos = tuple(archive.infolist())
            try:
                with archive.open("[Content_Types].xml") as member:
                    content_types = member.read(_MAX_CONTENT_TYPES_BYTES + 1)
            except KeyError:
                content_types = b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError):
        return None  # not a zip we can read: not an Office file
    declared = _content_types(content_types)
    if declared is None:
        return _Package(infos, {}, {}, None)
    defaults, overrides = declared
    names = {_part_name(info.filename) for info in infos}
    for part, declared_type in overrides.items():
        mime = _MAIN_PART_TYPES.get(declared_type.lower())
        if mime and part in names:
            return _Package(infos, defaults, overrides, mime)
    return _Package(infos, defaults, overrides, None)


def _content_types(data: bytes) -> tuple[dict[str, str], dict[str, str]] | None:
    """The Default (by extension) and Override (by part name) content types of a
    ``[Content_Types].xml``, read with expat so that quoting, namespaces and character
    references are understood as Office understands them; None if empty, too large,
    malformed, or with a DTD (no entity tricks)."""
    if not data or len(data) > _MAX_CONTENT_TYPES_BYTES:
        return None
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}

    def start(tag: str, attributes: dict[str, str]) -> None:
        local = tag.rpartition(" ")[2]
        if local == "Default":
            extension = attributes.get("Extension", "").lower()
            defaults[extension] = attributes.get("ContentType", "")
        elif local == "Override":
            overrides[_part_name(attributes.get("PartName", ""))] = attributes.get(
                "ContentType", ""
            )

    def no_dtd(*_args: object) -> None:
        raise ValueError("a DTD in [Content_Types].xml")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = no_dtd
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, ValueError):
        return None
    return defaults, overrides


def _size_hazard(infos: Iterable[zipfile.ZipInfo]) -> Hazard | None:
    """A zip bomb by its declared sizes: one part inflating more than ``MAX_PART_RATIO`` times
    (above ``RATIO_FLOOR_BYTES``), or more than ``MAX_UNPACKED_BYTES`` in all."""
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_FLOOR_BYTES:
            ratio = info.file_size // max(info.compress_size, 1)
            if ratio > MAX_PART_RATIO:
                return Hazard(
                    RejectReason.ZIP_BOMB, part=info.filename, size=info.file_size, ratio=ratio
                )
    if total > MAX_UNPACKED_BYTES:
        return Hazard(RejectReason.ZIP_BOMB, size=total)
    return None


def _part_hazard(name: str, content_type: str) -> RejectReason | None:
    """Why the part ``name`` (see ``_part_name``) of declared ``content_type`` may not be in
    evidence, if it may not."""
    extension = _extension_of(name)
    if (
        _MACRO_NAME.search(name)
        or extension in _MACRO_EXTENSIONS
        or any(marker in content_type for marker in _MACRO_TYPES)
    ):
        return RejectReason.MACROS
    if extension in _PROGRAM_EXTENSIONS or any(m in content_type for m in _PROGRAM_TYPES):
        return RejectReason.EMBEDDED_PROGRAM
    if _OBJECT_NAME.search(name) or any(marker in content_type for marker in _OBJECT_TYPES):
        return RejectReason.EMBEDDED_OBJECT
    return None


def _part_name(name: str) -> str:
    """A zip entry or ``PartName`` as Office compares them: percent-decoded, forward slashes,
    no leading slash, lower case (OPC part names are case-insensitive)."""
    return unquote(name).replace("\\", "/").lstrip("/").lower()


def _extension_of(name: str) -> str:
    return posixpath.splitext(name)[1].lstrip(".").lower()


def _zip_entry_count(file: BinaryIO) -> int | None:
    """The entry count of the zip's end-of-central-directory record, read before ``zipfile``
    builds one object per entry (a 50 MB zip of empty entries would cost gigabytes); None when
    there is no such record (a zip cut off before its end)."""
    end = file.seek(0, 2)
    tail_size = min(end, 22 + 65535)  # EOCD record plus the longest possible comment
    file.seek(end - tail_size)
    tail = file.read(tail_size)
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or len(tail) - position < 22:
        return None
    total_entries: int = struct.unpack_from("<H", tail, position + 10)[0]
    return total_entries
