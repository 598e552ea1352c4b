"""The documents' PDFs: their Jinja templates (``templates/documents/``) read through the
certificates' template environment and rendered with their WeasyPrint set-up
(``tracker.certificates.pdf``: the project's one renderer, its static-only URL fetcher and
shared fonts), so no second set-up exists."""

from __future__ import annotations

from typing import Any

from tracker.certificates.pdf import html_to_pdf, pdf_templates
from tracker.documents.kinds import DocumentKind


def render_html(kind: DocumentKind, view: dict[str, Any]) -> str:
    """The document's HTML, as WeasyPrint renders it (relative URLs: the static folder)."""
    return pdf_templates.get_template(f"documents/{kind.value}.html").render(doc=view)


def render(kind: DocumentKind, view: dict[str, Any]) -> bytes:
    """The document as an A4 PDF."""
    return html_to_pdf(render_html(kind, view))
