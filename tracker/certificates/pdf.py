"""Certificate PDFs with WeasyPrint: the only module of the project that imports it.

The HTML comes from ``templates/certificates/certificate.html`` through a standalone Jinja
environment (no Flask app needed, so background workers can render). WeasyPrint may read only the
project's own static files and ``data:`` URIs; every other URL (http, https, files elsewhere) is
refused by ``StaticOnlyFetcher``, so rendering never touches the network.

Threads: WeasyPrint's ``FontConfiguration`` is reused per process for speed and memory (fonts
declared with ``@font-face`` are loaded once), but one instance must never be used by two threads
at once (it hung, then corrupted the heap). This module therefore keeps one per thread and per
process; the app renders in process workers anyway.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from tracker.certificates.document import CertificateData, Image, certificate_view

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATES_DIR = PACKAGE_DIR.parent / "templates"
TEMPLATE_NAME = "certificates/certificate.html"
# Relative URLs in the template and its CSS resolve against the static folder.
BASE_URL = STATIC_DIR.as_uri() + "/"

# The Jinja environment of every PDF the tracker prints (certificates and the process's
# documents, tracker.documents.pdf): strict, escaped, templates under templates/.
pdf_templates = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_local = threading.local()


class ResourceRefusedError(ValueError):
    """WeasyPrint asked for a resource outside the project's static files and ``data:`` URIs."""


class StaticOnlyFetcher(URLFetcher):
    """URL fetcher serving only files under ``root`` (default ``tracker/static``) and ``data:``.

    ``fetch`` raises ``ResourceRefusedError`` for any other scheme, for paths that resolve
    outside ``root`` (``..``, symlinks) and for missing files. WeasyPrint logs the refusal and
    renders without the resource.
    """

    def __init__(self, root: Path = STATIC_DIR) -> None:
        super().__init__(allowed_protocols=("file", "data"))
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Return the static file or decoded ``data:`` URI; raises ``ResourceRefusedError``."""
        try:
            return self._fetch(url)
        except ResourceRefusedError:
            logger.warning("certificate renderer refused %s", url[:200])
            raise

    def _fetch(self, url: str) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return _data_response(url)
        if scheme == "file":
            return self._file_response(url)
        raise ResourceRefusedError(f"only static files may be fetched, not {url[:200]!r}")

    def _file_response(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ResourceRefusedError(f"remote file URL refused: {url[:200]!r}")
        path = Path(url2pathname(parts.path)).resolve()
        # resolve() first, so neither "..", percent-encoded dots nor symlinks can leave the root.
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ResourceRefusedError(f"not a static file: {url[:200]!r}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})


def _data_response(url: str) -> URLFetcherResponse:
    """Decode a ``data:`` URI locally; raises ``ResourceRefusedError`` if it is malformed."""
    header, sep, payload = url[len("data:") :].partition(",")
    if not sep:
        raise ResourceRefusedError("malformed data: URI")
    params = header.split(";")
    body = unquote_to_bytes(payload)
    if "base64" in params[1:]:
        body = base64.b64decode(body, validate=False)
    mime = params[0] or "text/plain"
    return URLFetcherResponse(url, body, {"Content-Type": mime})


def _font_config() -> FontConfiguration:
    """This thread's FontConfiguration, created lazily and again after a fork.

    A forked worker must not reuse its parent's: the instance owns a temporary font folder that
    whichever process exits first deletes.
    """
    pid = os.getpid()
    if getattr(_local, "pid", None) != pid:
        _local.font_config = FontConfiguration()
        _local.pid = pid
    return _local.font_config


def render_html(data: CertificateData) -> str:
    """HTML of one certificate, as WeasyPrint renders it.

    Its relative URLs (stylesheet, fonts, ornaments) resolve against ``BASE_URL``, the static
    folder, so feed it to WeasyPrint with that base URL rather than to a browser.
    """
    return _render_template([data])


def render_many_html(items: Sequence[CertificateData]) -> str:
    """HTML of several certificates as ``render_many`` renders it (the benchmark's input for a
    bare WeasyPrint render of the same batch)."""
    return _render_template(list(items))


def render_pdf(data: CertificateData) -> bytes:
    """PDF of one certificate: one A4 landscape page."""
    return html_to_pdf(render_html(data))


def render_many(items: Sequence[CertificateData]) -> bytes:
    """One PDF with one page per certificate, in the given order.

    One multi-page document is far faster and smaller than merging single PDFs (fonts and
    shared images are embedded once). Raises ``ValueError`` if ``items`` is empty.
    """
    if not items:
        raise ValueError("render_many needs at least one certificate")
    return html_to_pdf(_render_template(list(items)))


def html_to_pdf(html: str) -> bytes:
    """Render certificate HTML to PDF with the static-only fetcher and the shared fonts."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(font_config=_font_config())


def bare_render(html: str) -> bytes:
    """Plain WeasyPrint render of ``html``: the benchmark's baseline for our overhead.

    WeasyPrint's defaults: a fresh FontConfiguration and its default fetcher each call. Not for
    production use: that fetcher would follow any URL in the HTML.
    """
    return HTML(string=html, base_url=BASE_URL).write_pdf()


def _render_template(items: list[CertificateData]) -> str:
    images: dict[str, str] = {}
    views = [_view(item, images) for item in items]
    title = "Piagam Penghargaan Zona Integritas"
    if len(items) == 1:
        title = f"{title}: {items[0].unit_name}"
    template = pdf_templates.get_template(TEMPLATE_NAME)
    return template.render(certificates=views, images=sorted(images.items()), title=title)


def _view(data: CertificateData, images: dict[str, str]) -> dict[str, Any]:
    view = certificate_view(data)
    view["emblem_class"] = _image_class(data.emblem, images)
    view["signature_class"] = _image_class(data.signature, images)
    return view


def _image_class(image: Image | None, images: dict[str, str]) -> str | None:
    """CSS class showing ``image``; each distinct image is embedded once per document.

    Uploaded images go into one ``<style>`` block as backgrounds, so a batch of 200 certificates
    of one agency carries its logo once instead of 200 times (HTML parsing is pure Python).
    """
    if image is None:
        return None
    name = f"img-{image.digest[:20]}"
    images[name] = image.data_uri
    return name
