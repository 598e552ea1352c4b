"""What a certificate (piagam) says, and how its values read on paper.

``CertificateData`` is the frozen, ORM-free input of the renderer (decision D11): the issuing
service builds it from the database, the PDF module turns it into pages. Everything here is pure
Python (no WeasyPrint), so workers, previews and tests can build and check certificates cheaply.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import accumulate, combinations, pairwise
from pathlib import Path
from typing import Any

import segno
from babel.dates import format_date
from fontTools.ttLib import TTFont

# The one predicate enum, from accreditation's pure module: the renderer never sees a model.
from tracker.accreditation.predicates import (
    Predicate as Predicate,  # re-exported: certificates speak of the same predicates
)

DEFAULT_SIGNATORY_TITLE = "Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi"
DEFAULT_PLACE = "Jakarta"
FONTS_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"

# Generous caps: the longest real unit names seen are ~100 characters; anything much longer is a
# data error and would no longer fit the framed page legibly.
MAX_NAME_LENGTH = 160
MAX_LINE_LENGTH = 200
MAX_IMAGE_BYTES = 5 * 1024 * 1024

_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_URL_RE = re.compile(r"https?://[^\s<>\"'`]+")

# Magic bytes per accepted upload type. The upload form checks types with libmagic; this check
# only stops a mislabelled blob from reaching the renderer.
_IMAGE_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


@dataclass(frozen=True)
class Image:
    """An uploaded picture (agency emblem or signature): PNG, JPEG or SVG bytes.

    Raises ``ValueError`` if the type is not accepted, the bytes are empty or too large, or the
    bytes do not look like the declared type.
    """

    data: bytes = field(repr=False)
    mime: str

    def __post_init__(self) -> None:
        if self.mime not in (*_IMAGE_SIGNATURES, "image/svg+xml"):
            raise ValueError(f"unsupported image type {self.mime!r}")
        if not self.data or len(self.data) > MAX_IMAGE_BYTES:
            raise ValueError("image is empty or larger than 5 MB")
        if not _looks_like(self.data, self.mime):
            raise ValueError(f"image bytes are not {self.mime}")

    @property
    def digest(self) -> str:
        """SHA-256 of the bytes; equal images share one embedded copy in a batch."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def data_uri(self) -> str:
        """Base64 ``data:`` URI (only URL-safe-in-CSS characters, so it needs no quoting)."""
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def _looks_like(data: bytes, mime: str) -> bool:
    if mime == "image/svg+xml":
        return b"<svg" in data[:4096]
    return data.startswith(_IMAGE_SIGNATURES[mime])


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on one certificate (D11). Plain values only, never ORM objects.

    Raises ``ValueError`` on construction if a field is empty or malformed (unknown predicate,
    implausible year, a verification URL that is not http(s), a hash that is not 64 hex digits,
    or text too long to fit the page).
    """

    number: str
    unit_name: str
    agency_name: str
    predicate: Predicate | str
    year: int
    decree_number: str
    decree_date: date
    issue_date: date
    signatory_name: str
    verification_url: str
    snapshot_sha256: str
    signatory_title: str = DEFAULT_SIGNATORY_TITLE
    place: str = DEFAULT_PLACE
    emblem: Image | None = None
    signature: Image | None = None

    def __post_init__(self) -> None:
        # Frozen: normalise through object.__setattr__ so callers may pass "WBK" or Predicate.WBK.
        object.__setattr__(self, "predicate", _predicate(self.predicate))
        _check_texts(self)
        _check_values(self)


def _predicate(value: Predicate | str) -> Predicate:
    try:
        return Predicate(value)
    except ValueError:
        raise ValueError(f"predicate must be WBK or WBBM, not {value!r}") from None


def _check_texts(data: CertificateData) -> None:
    limits = {
        "number": 64,
        "unit_name": MAX_NAME_LENGTH,
        "agency_name": MAX_NAME_LENGTH,
        "decree_number": 120,
        "signatory_name": 120,
        "signatory_title": MAX_LINE_LENGTH,
        "place": 60,
    }
    for name, limit in limits.items():
        value = getattr(data, name)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must be a non-empty string")
        if len(value) > limit:
            raise ValueError(f"{name} is longer than {limit} characters")


def _check_values(data: CertificateData) -> None:
    if not isinstance(data.year, int) or not 2000 <= data.year <= 2200:
        raise ValueError(f"implausible evaluation year {data.year!r}")
    for name in ("decree_date", "issue_date"):
        if not isinstance(getattr(data, name), date):
            raise ValueError(f"{name} must be a date")
    if len(data.verification_url) > MAX_LINE_LENGTH or not _URL_RE.fullmatch(data.verification_url):
        raise ValueError("verification_url must be an http(s) URL without spaces")
    if not _SHA256_RE.fullmatch(data.snapshot_sha256):
        raise ValueError("snapshot_sha256 must be 64 lowercase hex digits")


def format_date_id(value: date) -> str:
    """Indonesian long date, e.g. ``10 Desember 2019``."""
    return format_date(value, format="d MMMM y", locale="id")


def qr_data_uri(url: str, *, dark: str = "#14213d") -> str:
    """Vector (SVG) QR code for ``url`` as a ``data:`` URI, error correction level Q.

    Level Q survives glare and scratches on a framed print. The SVG has no quiet zone of its own;
    the template keeps a white margin of four modules around it.
    """
    qr = segno.make(url, error="q", micro=False, boost_error=False)
    return qr.svg_data_uri(border=0, dark=dark, omitsize=True)


@dataclass(frozen=True)
class FitSpec:
    """How a text may be set: font file, box width and height (pt), sizes and lines allowed."""

    font_file: str
    width_pt: float
    max_pt: float
    min_pt: float
    max_lines: int = 1
    max_height_pt: float | None = None
    line_height: float = 1.08
    letter_spacing_em: float = 0.0


@dataclass(frozen=True)
class FittedText:
    """A text broken into balanced lines and the font size (pt) at which the widest line fits."""

    lines: tuple[str, ...]
    size_pt: float


@cache
def _advance_widths(font_file: str) -> tuple[dict[int, int], int]:
    # Read the two tables and close the file: the widths are all the fitting needs.
    with TTFont(FONTS_DIR / font_file) as font:
        metrics = font["hmtx"].metrics
        widths = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
        return widths, font["head"].unitsPerEm


def text_width_em(text: str, font_file: str, letter_spacing_em: float = 0.0) -> float:
    """Width of ``text`` in em from the font's advance widths (no kerning: callers keep slack).

    Raises ``FileNotFoundError`` if the font file is missing from ``tracker/static/fonts``.
    """
    widths, units_per_em = _advance_widths(font_file)
    # Glyphs the font lacks fall back to another font; assume a wide-ish 0.6 em for them.
    total = sum(widths.get(ord(char), 0.6 * units_per_em) for char in text)
    return total / units_per_em + letter_spacing_em * len(text)


def fit_text(text: str, spec: FitSpec) -> FittedText:
    """Set ``text`` in the balanced line count that allows the largest size within the box.

    CSS cannot shrink text to fit a box, so the size is computed here from font metrics. More
    lines win only if they allow a clearly (8 %) larger size; below ``min_pt`` the text is set at
    ``min_pt`` and left to wrap on its own.
    """
    words = text.split()
    best = FittedText((text,), 0.0)
    for count in range(1, min(spec.max_lines, len(words)) + 1):
        lines = balanced_lines(words, count, spec)
        size = _largest_size(lines, spec)
        if size > best.size_pt * 1.08:
            best = FittedText(lines, size)
    return FittedText(best.lines, round(max(best.size_pt, spec.min_pt), 1))


def _largest_size(lines: tuple[str, ...], spec: FitSpec) -> float:
    widest = max(text_width_em(line, spec.font_file, spec.letter_spacing_em) for line in lines)
    size = min(spec.max_pt, spec.width_pt / widest)
    if spec.max_height_pt is not None:
        size = min(size, spec.max_height_pt / (len(lines) * spec.line_height))
    return size


def balanced_lines(words: list[str], count: int, spec: FitSpec) -> tuple[str, ...]:
    """Split ``words`` into ``count`` lines so that the widest line is as narrow as possible.

    Tries every placement of the breaks (names have a few dozen words at most), measuring lines
    from prefix sums of word widths so each candidate costs O(count).
    """
    count = max(1, min(count, len(words)))
    space = text_width_em(" ", spec.font_file, spec.letter_spacing_em)
    prefix = list(
        accumulate(
            (text_width_em(w, spec.font_file, spec.letter_spacing_em) for w in words), initial=0
        )
    )

    def widest(breaks: tuple[int, ...]) -> float:
        bounds = pairwise((0, *breaks, len(words)))
        return max(prefix[b] - prefix[a] + (b - a - 1) * space for a, b in bounds)

    best = min(combinations(range(1, len(words)), count - 1), key=widest)
    return tuple(" ".join(words[a:b]) for a, b in pairwise((0, *best, len(words))))


# Widths are the CSS boxes of the template minus ~5 % slack for kerning and rounding.
UNIT_NAME_FIT = FitSpec("EBGaramond-SemiBold.ttf", 590, 40, 16, max_lines=3, max_height_pt=68)
AGENCY_NAME_FIT = FitSpec("Cinzel-Regular.ttf", 590, 14, 10, max_lines=2, letter_spacing_em=0.06)
SIGNATORY_TITLE_FIT = FitSpec("EBGaramond-Regular.ttf", 228, 11.5, 9, max_lines=3)
URL_FIT = FitSpec("EBGaramond-Regular.ttf", 250, 9, 6)


def certificate_view(data: CertificateData) -> dict[str, Any]:
    """The template's view of one certificate: display strings, fitted texts and the QR code.

    Images are not included; the renderer embeds each distinct image once per document.
    Raises ``FileNotFoundError`` if a shipped font file is missing.
    """
    predicate = Predicate(data.predicate)
    return {
        "data": data,
        "predicate_short": predicate.short_label,
        "predicate_long": predicate.long_label,
        "predicate_code": predicate.value.lower(),
        "decree_date": format_date_id(data.decree_date),
        "issue_date": format_date_id(data.issue_date),
        "unit_name": fit_text(data.unit_name, UNIT_NAME_FIT),
        "agency_name": fit_text(data.agency_name, AGENCY_NAME_FIT),
        "signatory_title": fit_text(data.signatory_title, SIGNATORY_TITLE_FIT),
        "url": fit_text(data.verification_url, URL_FIT),
        "qr_src": qr_data_uri(data.verification_url),
    }
