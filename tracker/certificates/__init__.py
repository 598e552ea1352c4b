"""Zona Integritas award certificates (piagam): data, HTML template and PDF rendering.

``CertificateData`` and friends are pure; the rendering functions live in
``tracker.certificates.pdf``, the only module importing WeasyPrint, and are loaded on first use so
that importing this package stays cheap for code that only builds certificate data.
"""

from __future__ import annotations

from typing import Any

from tracker.certificates.document import (
    DEFAULT_PLACE,
    DEFAULT_SIGNATORY_TITLE,
    CertificateData,
    Image,
    Predicate,
)

_PDF_NAMES = frozenset({"render_pdf", "render_many", "render_html", "bare_render"})

__all__ = [
    "DEFAULT_PLACE",
    "DEFAULT_SIGNATORY_TITLE",
    "CertificateData",
    "Image",
    "Predicate",
    "bare_render",
    "render_html",
    "render_many",
    "render_pdf",
]


def __getattr__(name: str) -> Any:
    # Lazy: WeasyPrint takes about a second to import; only renderers should pay for it.
    if name in _PDF_NAMES:
        from tracker.certificates import pdf

        return getattr(pdf, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
