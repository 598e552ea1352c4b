"""The documents' PDFs: their Jinja templates (``templates/documents/``) rendered with the
certificates' WeasyPrint set-up (``tracker.certificates.pdf.html_to_pdf``: the project's one
renderer, its static-only URL fetcher and shared fonts), so no second set-up exists."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tracker.certificates.pdf import TEMPLATES_DIR, html_to_pdf
from tracker.documents.kinds import DocumentKind

_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(kind: DocumentKind, view: dict[str, Any]) -> str:
    """The document's HTML, as WeasyPrint renders it (relative URLs: the static folder)."""
    return _env.get_template(f"documents/{kind.value}.html").render(doc=view)


def render(kind: DocumentKind, view: dict[str, Any]) -> bytes:
    """The document as an A4 PDF."""
    return html_to_pdf(render_html(kind, view))
