"""The package keeps WeasyPrint out of code that only builds certificate data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import tracker.certificates as certificates
from tracker.certificates import pdf

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_package_does_not_load_weasyprint() -> None:
    code = (
        "import sys, tracker.certificates as c; "
        "c.CertificateData; assert 'weasyprint' not in sys.modules, 'eager import'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True, timeout=60)


def test_renderers_are_reachable_from_the_package() -> None:
    assert certificates.render_pdf is pdf.render_pdf
    assert certificates.render_many is pdf.render_many
    assert certificates.render_html is pdf.render_html
    assert certificates.bare_render is pdf.bare_render
