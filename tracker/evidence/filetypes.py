"""Which evidence files we accept, judged by their content and not only by their name.

``TypeAllowList`` says which extensions are allowed and which detected MIME types each one
accepts; ``sniff`` detects the MIME type of a spooled upload with libmagic (python-magic) and
tells the Office Open XML formats apart by their ``[Content_Types].xml``, because libmagic often
calls a DOCX/XLSX/PPTX just ``application/zip``. Every refusal is a ``RejectedFileError`` whose
message names the file and the reason.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import BinaryIO

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


@dataclass(frozen=True, slots=True)
class FileType:
    """One accepted format: its label in messages, the MIME types ``sniff`` may report for it,
    and the Content-Type we store and serve it with."""

    label: str
    content_type: str
    detected: frozenset[str] = field(default_factory=frozenset)

    def accepts(self, mime: str) -> bool:
        return mime == self.content_type or mime in self.detected


PDF_TYPE = FileType("PDF", "application/pdf")
JPEG_TYPE = FileType("JPEG", "image/jpeg")
PNG_TYPE = FileType("PNG", "image/png")
DOCX_TYPE = FileType("DOCX", DOCX)
XLSX_TYPE = FileType("XLSX", XLSX)
PPTX_TYPE = FileType("PPTX", PPTX)

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
# What libmagic may say about a zip-based file; all of them are re-examined with zipfile.
_ZIP_LIKE = frozenset({ZIP, "application/x-zip-compressed", DOCX, XLSX, PPTX}) | frozenset(
    _OOXML_MAIN_PARTS.values()
)
# Limits on what we read from an untrusted zip: a real Office file has tens to a few thousand
# parts and a [Content_Types].xml of a few KB; bigger ones are zip bombs, not evidence.
_MAX_ZIP_ENTRIES = 20_000
_MAX_CONTENT_TYPES_BYTES = 512 * 1024
_OVERRIDE = re.compile(rb"<Override\b[^>]*>")
_ATTRIBUTE = re.compile(rb'(PartName|ContentType)\s*=\s*"([^"]*)"')


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
        detected = _ooxml_type(file) or ZIP
    file.seek(0)
    return detected


def _ooxml_type(file: BinaryIO) -> str | None:
    """The OOXML MIME type declared by a zip's ``[Content_Types].xml``, or ``None``."""
    if not _zip_entry_count_is_sane(file):
        return None
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            with archive.open("[Content_Types].xml") as member:
                content_types = member.read(_MAX_CONTENT_TYPES_BYTES + 1)
    except (KeyError, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError):
        return None  # not a zip we can read, or no [Content_Types].xml: not an Office file
    if len(content_types) > _MAX_CONTENT_TYPES_BYTES:
        return None
    return _main_part_type(content_types, names)


def _main_part_type(content_types: bytes, names: set[str]) -> str | None:
    for override in _OVERRIDE.findall(content_types):
        attributes = dict(_ATTRIBUTE.findall(override))
        part = attributes.get(b"PartName", b"").decode("utf-8", "replace").lstrip("/")
        mime = _OOXML_MAIN_PARTS.get(attributes.get(b"ContentType", b"").decode("ascii", "replace"))
        if mime and part in names:
            return mime
    return None


def _zip_entry_count_is_sane(file: BinaryIO) -> bool:
    """Read the entry count from the zip's end-of-central-directory record before ``zipfile``
    builds one object per entry (a 50 MB zip of empty entries would cost gigabytes)."""
    end = file.seek(0, 2)
    tail_size = min(end, 22 + 65535)  # EOCD record plus the longest possible comment
    file.seek(end - tail_size)
    tail = file.read(tail_size)
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or len(tail) - position < 22:
        return False
    total_entries: int = struct.unpack_from("<H", tail, position + 10)[0]
    # 0xFFFF means "see the ZIP64 record": far beyond any Office document anyway.
    return 0 < total_entries <= _MAX_ZIP_ENTRIES
