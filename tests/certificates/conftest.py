"""Fixtures for the certificate tests: sample data, tiny images, and PDF inspection helpers."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from datetime import date
from functools import cached_property
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image as PILImage
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from tests.factories import Factory
from tracker.accreditation.models import Designation, Predicate
from tracker.agencies.models import Unit
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.certificates import services
from tracker.certificates.document import CertificateData, Image
from tracker.certificates.models import Certificate
from tracker.sessions import READ_ONLY_PROBE

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


# --- issued certificates in a database (services, views, print jobs) ----------------------------

SIGNATORY = "Dr. Penandatangan Uji, M.Si."


class CertWorld:
    """Two agencies, a unit in each, a signatory, and (made on first use, since hashing a
    password takes a while) every role that matters for certificates."""

    def __init__(self, session: Session, factory: Factory) -> None:
        self.session, self.factory = session, factory
        self.agency = factory.agency("Kepolisian Uji")
        self.other_agency = factory.agency("Kementerian Uji")
        self.unit = factory.unit(self.agency, "Polres Metro Uji Kota", "Polres")
        self.other_unit = factory.unit(self.other_agency, "KPPN Uji", "KPPN")
        self.counter = 0

    @cached_property
    def admin(self) -> User:
        return self.factory.user(Role.ADMIN)

    @cached_property
    def tpn(self) -> User:
        return self.factory.user(Role.TPN)

    @cached_property
    def pimpinan(self) -> User:
        return self.factory.user((Role.PIMPINAN, self.agency))

    @cached_property
    def other_pimpinan(self) -> User:
        return self.factory.user((Role.PIMPINAN, self.other_agency))

    @cached_property
    def koordinator(self) -> User:
        return self.factory.user((Role.KOORDINATOR, self.unit))

    def designate(
        self,
        unit: Unit | None = None,
        predicate: Predicate = Predicate.WBK,
        year: int = 2019,
        *,
        revoked_on: date | None = None,
        reason: str | None = None,
    ) -> Designation:
        """A historical designation row (no enrolment), as the demo and imports create them."""
        unit = unit or self.unit
        self.counter += 1
        designation = Designation(
            unit_id=unit.id,
            agency_id=unit.agency_id,
            predicate=predicate,
            year=year,
            decree_number=f"{100 + self.counter} Tahun {year}",
            decree_date=date(year, 12, 10),
            snapshot_sha256=f"{self.counter:064x}",
            revoked_on=revoked_on,
            revocation_reason=reason,
        )
        self.session.add(designation)
        self.session.flush()
        return designation

    def certificate(self, unit: Unit | None = None, **kwargs: Any) -> Certificate:
        designation = self.designate(unit, **kwargs)
        certificate = services.issue_for_designation(
            self.session, designation=designation, user=None, issued_on=designation.decree_date
        )
        self.session.commit()
        return certificate


@pytest.fixture
def cw(session: Session, factory: Factory) -> CertWorld:
    world = CertWorld(session, factory)
    services.set_signatory(session, user=None, name=SIGNATORY)
    session.commit()
    return world


@contextlib.contextmanager
def count_queries(engine: Engine) -> Iterator[list[str]]:
    """Collect the SQL statements run on ``engine`` inside the block, without the savepoints
    the test transaction wraps around each request and the probe that ends every request on
    PostgreSQL (``tracker.sessions.READ_ONLY_PROBE``)."""
    statements: list[str] = []

    def _record(_conn, _cursor, statement, _params, _context, _many) -> None:
        savepoint = statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
        if not savepoint and statement != READ_ONLY_PROBE:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _record)
