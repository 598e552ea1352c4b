"""Fixtures for the certificate tests: sample data, tiny images, and PDF inspection helpers."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image as PILImage

from tracker.certificates.document import CertificateData, Image

SNAPSHOT_SHA256 = "9c1185a5c5e9fc54612808977ee8f548b2258d31a4c5b6f6e1f0d3ab2f5e6c7d"
LONGEST_UNIT_NAME = (
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Kepulauan Siau "
    "Tagulandang Biaro Provinsi Sulawesi Utara Bidang Perizinan dan Non Perizinan"
)


def certificate(**overrides: Any) -> CertificateData:
    """A valid certificate; keyword arguments replace single fields."""
    fields: dict[str, Any] = {
        "number": "ZI-2019-WBK-000123",
        "unit_name": "Polres Metro Bekasi Kota",
        "agency_name": "Kepolisian Negara Republik Indonesia",
        "predicate": "WBK",
        "year": 2019,
        "decree_number": "1245 Tahun 2019",
        "decree_date": date(2019, 12, 10),
        "issue_date": date(2019, 12, 10),
        "signatory_name": "Dr. Tjahjo Kumolo, S.H.",
        "verification_url": "https://zi.example.go.id/verifikasi/ZI-2019-WBK-000123",
        "snapshot_sha256": SNAPSHOT_SHA256,
    }
    fields.update(overrides)
    return CertificateData(**fields)


@pytest.fixture
def make_certificate() -> Callable[..., CertificateData]:
    return certificate


def png_image(size: tuple[int, int], colour: tuple[int, int, int]) -> Image:
    """A small solid PNG standing in for an uploaded logo or signature scan."""
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "PNG")
    return Image(buffer.getvalue(), "image/png")


@pytest.fixture
def emblem_png() -> Image:
    return png_image((120, 120), (16, 92, 74))


@pytest.fixture
def signature_png() -> Image:
    return png_image((300, 100), (20, 30, 90))


def pdf_pages_text(pdf: bytes) -> list[str]:
    """Text of each page, whitespace collapsed (names may be set on several lines).

    The tolerance scales with the font size: letter-spaced display type (the title, the
    predicate) has gaps wider than pdfplumber's fixed 3 pt default, which would read as
    "P i a g a m". Word spaces are real space glyphs in the PDF, so they survive either way.
    """
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [
            " ".join((page.extract_text(x_tolerance_ratio=0.25) or "").split())
            for page in document.pages
        ]


def pdf_page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [(float(page.width), float(page.height)) for page in document.pages]


def pdf_image_count(pdf: bytes, page_number: int = 0) -> int:
    """Raster images drawn on a page (vector art such as the QR code does not count)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return len(document.pages[page_number].images)


def pdf_font_names(pdf: bytes) -> set[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return {char["fontname"] for page in document.pages for char in page.chars}


def decode_qr_codes(pdf: bytes, page_number: int = 0, dpi: int = 200) -> list[str]:
    """Rasterise one page and decode every QR code on it."""
    page = pdfium.PdfDocument(pdf)[page_number]
    image = page.render(scale=dpi / 72).to_pil()
    return [
        code.text
        for code in zxingcpp.read_barcodes(image)
        if code.format == zxingcpp.BarcodeFormat.QRCode
    ]
