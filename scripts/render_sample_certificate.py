"""Render sample certificates to /tmp/cert-*.pdf (and PNG previews with --png) to look at them.

Usage: .venv/bin/python scripts/render_sample_certificate.py [--png] [--dpi 110] [--out /tmp]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

# Run from anywhere: the repository root holds both `tracker` and the `config` it imports.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image as PILImage
from PIL import ImageDraw

from tracker.certificates.document import CertificateData, Image
from tracker.certificates.pdf import render_many, render_pdf

SHA = "3f5a9c0e7b1d2f4a6c8e0b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a"


def sample_logo() -> Image:
    """A made-up agency logo (PNG), so the upload path is exercised without any real emblem."""
    img = PILImage.new("RGBA", (480, 480), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((10, 10, 470, 470), fill=(16, 92, 74, 255))
    draw.ellipse((60, 60, 420, 420), outline=(240, 200, 80, 255), width=14)
    draw.polygon([(240, 110), (360, 330), (120, 330)], fill=(240, 200, 80, 255))
    return Image(_png(img), "image/png")


def sample_signature() -> Image:
    """A scribble on a transparent background, standing in for an uploaded signature scan."""
    img = PILImage.new("RGBA", (900, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    points = [(60, 200), (140, 80), (190, 230), (260, 60), (330, 220), (420, 120), (520, 190)]
    draw.line(points, fill=(20, 30, 90, 255), width=9, joint="curve")
    draw.line([(500, 170), (840, 120)], fill=(20, 30, 90, 255), width=7)
    return Image(_png(img), "image/png")


def _png(img: PILImage.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def samples() -> dict[str, CertificateData]:
    """Named sample certificates: short and long names, WBK and WBBM, with and without images."""
    base = {
        "number": "ZI-2019-WBK-000123",
        "unit_name": "Polres Metro Bekasi Kota",
        "agency_name": "Kepolisian Negara Republik Indonesia",
        "predicate": "WBK",
        "year": 2019,
        "decree_number": "1245 Tahun 2019",
        "decree_date": date(2019, 12, 10),
        "issue_date": date(2019, 12, 10),
        "signatory_name": "Dr. Tjahjo Kumolo, S.H.",
        "verification_url": "https://zi.menpan.go.id/verifikasi/ZI-2019-WBK-000123",
        "snapshot_sha256": SHA,
    }
    long_name = {
        **base,
        "number": "ZI-2020-WBBM-004512",
        "unit_name": "Kantor Pelayanan Perbendaharaan Negara Jakarta III",
        "agency_name": "Kementerian Keuangan Republik Indonesia",
        "predicate": "WBBM",
        "year": 2020,
        "decree_number": "1190 Tahun 2020",
        "decree_date": date(2020, 12, 21),
        "issue_date": date(2020, 12, 21),
        "verification_url": "https://zi.menpan.go.id/verifikasi/ZI-2020-WBBM-004512",
    }
    longest = {
        **long_name,
        "unit_name": "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten "
        "Kepulauan Siau Tagulandang Biaro Provinsi Sulawesi Utara",
        "agency_name": "Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro",
    }
    images = {"emblem": sample_logo(), "signature": sample_signature()}
    return {
        "short-wbk": CertificateData(**base),
        "long-wbbm": CertificateData(**long_name),
        "longest-images": CertificateData(**longest, **images),
        "short-images": CertificateData(**base, **images),
    }


def to_png(pdf: bytes, path: Path, dpi: int) -> None:
    """Save page 1 of ``pdf`` as PNG (pypdfium2 is a test dependency)."""
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(pdf)[0]
    page.render(scale=dpi / 72).to_pil().save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--png", action="store_true", help="also write PNG previews")
    parser.add_argument("--dpi", type=int, default=110)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    items = samples()
    for name, data in items.items():
        started = time.perf_counter()
        pdf = render_pdf(data)
        target = args.out / f"cert-{name}.pdf"
        target.write_bytes(pdf)
        print(f"{target}  {len(pdf) / 1024:.0f} KB  {time.perf_counter() - started:.2f} s")
        if args.png:
            to_png(pdf, target.with_suffix(".png"), args.dpi)
    batch = args.out / "cert-batch.pdf"
    batch.write_bytes(render_many(list(items.values())))
    print(f"{batch}  {len(items)} pages")


if __name__ == "__main__":
    main()
