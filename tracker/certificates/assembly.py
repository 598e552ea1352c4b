"""Turning certificates into the bytes of a print job: rendered parts, then one PDF or ZIP.

A PDF part is one ``render_many`` document (fonts embedded once per part); the parts are then
concatenated with pypdf. A ZIP part holds one PDF per certificate, exactly the file a single
download gives. A part that fails is rendered again one certificate at a time to name the
certificate at fault. WeasyPrint is imported only when a part is rendered.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Sequence

from tracker.certificates.document import CertificateData
from tracker.certificates.models import PrintFormat

logger = logging.getLogger(__name__)


class PartRenderError(Exception):
    """Rendering failed; ``number`` is the certificate at fault when it could be found."""

    def __init__(self, number: str | None, detail: str) -> None:
        super().__init__(f"{number or '?'}: {detail}")
        self.number = number
        self.detail = detail


def describe(err: BaseException) -> str:
    """A short technical description of an error: its type and the start of its message."""
    text = " ".join(str(err).split())[:200]
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def pdf_name(number: str) -> str:
    """The download file name of one certificate (numbers are [A-Z0-9-] only)."""
    return f"piagam-{number}.pdf"


def render_part(items: Sequence[CertificateData], fmt: PrintFormat) -> bytes:
    """Render one part. Raises ``PartRenderError`` naming the certificate that failed."""
    if fmt is PrintFormat.ZIP:
        return _zip_part(items)
    from tracker.certificates import pdf

    try:
        return pdf.render_many(list(items))
    except Exception as err:
        logger.warning("batch render failed (%s); retrying one by one", describe(err))
        _render_one_by_one(items)
        raise PartRenderError(None, describe(err)) from err


def _render_one_by_one(items: Sequence[CertificateData]) -> None:
    for item in items:
        _render_single(item)


def _render_single(item: CertificateData) -> bytes:
    from tracker.certificates import pdf

    try:
        return pdf.render_pdf(item)
    except Exception as err:
        logger.exception("certificate %s failed to render", item.number)
        raise PartRenderError(item.number, describe(err)) from err


def _zip_part(items: Sequence[CertificateData]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in items:
            archive.writestr(pdf_name(item.number), _render_single(item))
    return buffer.getvalue()


def merge(parts: Sequence[bytes], fmt: PrintFormat) -> bytes:
    """The job's result from its parts, in order: one PDF, or one ZIP of PDFs."""
    if fmt is PrintFormat.ZIP:
        return _merge_zips(parts)
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    # Every part carries the same frame, seal and watermark: keep one copy (about 10 % smaller).
    writer.compress_identical_objects()
    writer.add_metadata({"/Title": "Piagam Penghargaan Zona Integritas", "/Producer": "ZI Tracker"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _merge_zips(parts: Sequence[bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in parts:
            with zipfile.ZipFile(io.BytesIO(part)) as source:
                for info in source.infolist():
                    archive.writestr(info.filename, source.read(info))
    return buffer.getvalue()
