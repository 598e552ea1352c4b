"""Checking and normalising uploaded certificate images (agency emblem, signature scan).

The type is judged by content (libmagic), never by name or the browser's Content-Type. Only PNG
and JPEG are accepted: SVG is refused, because an SVG is a program-like XML document (scripts,
external references, entity expansion) that the renderer and every later viewer would have to
sanitise. Accepted images are decoded with Pillow within a pixel budget (no decompression
bombs), scaled down to what a printed page needs and re-encoded as PNG, which also drops
metadata and anything appended after the image data.
"""

from __future__ import annotations

import io

import magic
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from tracker.certificates.document import Image
from tracker.errors import ValidationError
from tracker.i18n import _

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 25_000_000  # 5000 × 5000: far above any scan, far below a bomb
MAX_SIDE = 1200  # px; an emblem is 40 mm wide on paper, a signature 55 mm (~700 px at 300 dpi)
ACCEPTED = frozenset({"image/png", "image/jpeg"})
JPEG_TAIL = 64 * 1024  # cameras may append a little data after the end-of-image marker


def clean_image(data: bytes) -> Image:
    """Validate an uploaded emblem or signature and return it re-encoded as PNG.

    Raises ``ValidationError`` when it is empty, larger than 2 MB, not a PNG or JPEG by content
    (SVG included), cannot be decoded, or has more than 25 megapixels.
    """
    if not data:
        raise ValidationError(_("Berkas gambar kosong."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Gambar paling besar 2 MB."))
    detected = magic.from_buffer(data[:4096], mime=True)
    if detected not in ACCEPTED:
        raise ValidationError(
            _("Gambar harus PNG atau JPEG (terdeteksi: %(type)s).", type=detected or "?")
        )
    return Image(_reencode(data, detected), "image/png")


def _check_complete(data: bytes, detected: str) -> None:
    """Refuse a truncated file. Pillow would pad it with grey instead of failing, because
    WeasyPrint switches on ``ImageFile.LOAD_TRUNCATED_IMAGES`` for the whole process."""
    if detected == "image/png":
        with PILImage.open(io.BytesIO(data)) as picture:
            picture.verify()  # walks every chunk and its CRC
    elif b"\xff\xd9" not in data[-JPEG_TAIL:]:  # no end-of-image marker near the end
        raise OSError("truncated JPEG")


def _reencode(data: bytes, detected: str) -> bytes:
    try:
        _check_complete(data, detected)
        with PILImage.open(io.BytesIO(data)) as picture:
            if picture.width * picture.height > MAX_PIXELS:
                raise ValidationError(_("Gambar terlalu besar (lebih dari 25 megapiksel)."))
            picture.load()
            converted = picture.convert("RGBA" if _has_alpha(picture) else "RGB")
    except (
        UnidentifiedImageError,
        PILImage.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as err:
        # Pillow reports broken files as any of these.
        raise ValidationError(_("Gambar rusak atau tidak dapat dibaca.")) from err
    converted.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    converted.save(out, "PNG", optimize=True)
    return out.getvalue()


def _has_alpha(picture: PILImage.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
