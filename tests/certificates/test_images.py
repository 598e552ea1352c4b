"""Uploaded emblems and signatures: judged by content, SVG refused, re-encoded as PNG."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage

from tracker.certificates.images import MAX_SIDE, clean_image
from tracker.errors import ValidationError


def encoded(size: tuple[int, int], fmt: str, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    PILImage.new(mode, size, 0 if mode == "1" else (10, 90, 70)).save(buffer, fmt)
    return buffer.getvalue()


def test_png_is_accepted_and_scaled_down() -> None:
    image = clean_image(encoded((3000, 1500), "PNG"))
    assert image.mime == "image/png"
    with PILImage.open(io.BytesIO(image.data)) as picture:
        assert picture.format == "PNG"
        assert max(picture.size) == MAX_SIDE


def test_jpeg_is_accepted_and_stored_as_png() -> None:
    image = clean_image(encoded((400, 200), "JPEG"))
    assert image.mime == "image/png" and image.data.startswith(b"\x89PNG")


def test_transparency_is_kept() -> None:
    image = clean_image(encoded((50, 50), "PNG", mode="RGBA"))
    with PILImage.open(io.BytesIO(image.data)) as picture:
        assert picture.mode == "RGBA"


def test_bytes_after_the_image_are_dropped() -> None:
    payload = encoded((40, 40), "PNG") + b"<script>alert(1)</script>"
    assert b"<script>" not in clean_image(payload).data


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'


@pytest.mark.parametrize(
    "data, message",
    [
        (SVG, "PNG atau JPEG"),
        (b"%PDF-1.7 not an image", "PNG atau JPEG"),
        (b"just text pretending to be a .png", "PNG atau JPEG"),
        (b"", "kosong"),
        (encoded((300, 300), "PNG")[:80], "rusak"),  # a truncated PNG
        (encoded((300, 300), "JPEG")[:400], "rusak"),  # a truncated JPEG
        (encoded((6000, 5000), "PNG", mode="1"), "megapiksel"),  # small file, huge canvas
        (b"\xff\xd8\xff" + b"\0" * (2 * 1024 * 1024 + 1), "2 MB"),
    ],
)
def test_refused_uploads_say_why(data: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        clean_image(data)


def test_truncated_files_are_refused_even_after_weasyprint_is_loaded() -> None:
    from PIL import ImageFile

    import tracker.certificates.pdf  # noqa: F401 - sets LOAD_TRUNCATED_IMAGES for the process

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    for truncated in (encoded((300, 300), "PNG")[:-20], encoded((300, 300), "JPEG")[:-300]):
        with pytest.raises(ValidationError, match="rusak"):
            clean_image(truncated)
