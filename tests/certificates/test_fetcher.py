"""The renderer may read only tracker/static and data: URIs; everything else is refused."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from tests.certificates.conftest import certificate, pdf_pages_text
from tracker.certificates import pdf as certificate_pdf
from tracker.certificates.document import Image
from tracker.certificates.pdf import (
    STATIC_DIR,
    ResourceRefusedError,
    StaticOnlyFetcher,
    html_to_pdf,
)


@pytest.fixture
def fetcher() -> StaticOnlyFetcher:
    return StaticOnlyFetcher()


def test_serves_static_files(fetcher: StaticOnlyFetcher) -> None:
    url = (STATIC_DIR / "certificates" / "certificate.css").as_uri()
    response = fetcher.fetch(url)
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_serves_data_uris(fetcher: StaticOnlyFetcher) -> None:
    assert fetcher.fetch("data:text/plain;base64,aGFsbw==").read() == b"halo"
    response = fetcher.fetch("data:image/svg+xml;charset=utf-8,%3Csvg%2F%3E")
    assert (response.content_type, response.read()) == ("image/svg+xml", b"<svg/>")


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/font.ttf",
        "ftp://example.com/x",
        "file:///etc/passwd",
        "file://evil.example.com/share/x.png",
        (STATIC_DIR / "certificates").as_uri() + "/../../../pyproject.toml",
        (STATIC_DIR / "certificates").as_uri() + "/%2E%2E/%2E%2E/__init__.py",
        (STATIC_DIR / "missing.css").as_uri(),
        STATIC_DIR.as_uri(),
    ],
)
def test_refuses_everything_else(fetcher: StaticOnlyFetcher, url: str) -> None:
    with pytest.raises(ResourceRefusedError):
        fetcher.fetch(url)


def test_refuses_a_symlink_out_of_static(tmp_path: Path) -> None:
    root = tmp_path / "static"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(ResourceRefusedError):
        StaticOnlyFetcher(root).fetch((root / "link.txt").as_uri())


def test_remote_references_cause_no_network_request(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    refused: list[str] = []
    original_fetch = StaticOnlyFetcher.fetch

    def spying_fetch(self: StaticOnlyFetcher, url: str, headers: object = None) -> object:
        asked.append(url)
        try:
            return original_fetch(self, url, headers)
        except ResourceRefusedError:
            refused.append(url)
            raise

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spying_fetch)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    remote = [
        "https://example.com/remote.css",
        "https://example.com/logo.png",
        "http://example.com/font.ttf",
    ]
    html = (
        f'<link rel="stylesheet" href="{remote[0]}"><img src="{remote[1]}">'
        f'<style>@font-face {{ font-family: X; src: url("{remote[2]}") }}'
        "p { font-family: X }</style><p>Tetap dicetak</p>"
    )
    pdf = html_to_pdf(html)
    assert "Tetap dicetak" in pdf_pages_text(pdf)[0]
    assert set(remote) <= set(asked)
    assert set(remote) <= set(refused)


def test_uploaded_svg_cannot_reach_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """An admin-uploaded SVG emblem referencing a remote image is rendered without it."""
    refused: list[str] = []
    original_fetch = StaticOnlyFetcher.fetch

    def spying_fetch(self: StaticOnlyFetcher, url: str, headers: object = None) -> object:
        try:
            return original_fetch(self, url, headers)
        except ResourceRefusedError:
            refused.append(url)
            raise

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spying_fetch)
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        b'viewBox="0 0 10 10"><image xlink:href="https://example.com/track.png" '
        b'width="10" height="10"/><circle cx="5" cy="5" r="4"/></svg>'
    )
    certificate_pdf.render_pdf(certificate(emblem=Image(svg, "image/svg+xml")))
    assert refused == ["https://example.com/track.png"]


def test_font_configuration_is_per_thread() -> None:
    mine = certificate_pdf._font_config()
    assert certificate_pdf._font_config() is mine
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(certificate_pdf._font_config()))
    thread.start()
    thread.join()
    assert other and other[0] is not mine
