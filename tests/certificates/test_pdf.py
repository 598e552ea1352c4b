"""Certificate PDFs: content, QR round trip, page geometry, batching, images and escaping."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

import pdfplumber
import pytest

from tests.certificates.conftest import (
    LONGEST_UNIT_NAME,
    SNAPSHOT_SHA256,
    certificate,
    decode_qr_codes,
    pdf_font_names,
    pdf_image_count,
    pdf_page_sizes,
    pdf_pages_text,
)
from tracker.certificates.document import UNIT_NAME_FIT, CertificateData, Image, fit_text
from tracker.certificates.pdf import bare_render, render_html, render_many, render_pdf

A4_LANDSCAPE_PT = (841.89, 595.28)


@pytest.fixture(scope="module")
def wbk_pdf() -> bytes:
    return render_pdf(certificate())


def test_text_carries_every_d11_field(wbk_pdf: bytes) -> None:
    (text,) = pdf_pages_text(wbk_pdf)
    for expected in (
        "PIAGAM PENGHARGAAN",
        "Polres Metro Bekasi Kota",
        "Kepolisian Negara Republik Indonesia",
        "Menuju WBK",
        "Wilayah Bebas dari Korupsi",
        "Tahun 2019",
        "Nomor 1245 Tahun 2019 tanggal 10 Desember 2019",
        "Jakarta, 10 Desember 2019",
        "Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
        "Dr. Tjahjo Kumolo, S.H.",
        "ZI-2019-WBK-000123",
        "https://zi.example.go.id/verifikasi/ZI-2019-WBK-000123",
        f"Sidik data evaluasi (SHA-256): {SNAPSHOT_SHA256}",
    ):
        assert expected.casefold() in text.casefold(), expected


def test_wbbm_predicate_is_printed() -> None:
    (text,) = pdf_pages_text(render_pdf(certificate(predicate="WBBM", year=2020)))
    assert "Menuju WBBM" in text
    assert "Wilayah Birokrasi Bersih dan Melayani" in text
    assert "Tahun 2020" in text


def test_qr_code_decodes_to_the_verification_url(wbk_pdf: bytes) -> None:
    assert decode_qr_codes(wbk_pdf) == ["https://zi.example.go.id/verifikasi/ZI-2019-WBK-000123"]


def test_one_a4_landscape_page(wbk_pdf: bytes) -> None:
    ((width, height),) = pdf_page_sizes(wbk_pdf)
    assert width == pytest.approx(A4_LANDSCAPE_PT[0], abs=1)
    assert height == pytest.approx(A4_LANDSCAPE_PT[1], abs=1)


def test_qr_and_ornaments_are_vectors(wbk_pdf: bytes) -> None:
    assert pdf_image_count(wbk_pdf) == 0


def test_only_the_shipped_fonts_are_used(wbk_pdf: bytes) -> None:
    # Subset names look like "ABCDEF+EB-Garamond-Italic"; a fallback (DejaVu) would show here.
    families = {name.split("+")[-1].split("-")[0] for name in pdf_font_names(wbk_pdf)}
    assert families == {"Cinzel", "EB"}


def test_render_many_gives_one_page_per_certificate_in_order() -> None:
    names = ["KPPN Jambi", "Polres Metro Bekasi Kota", "Rumah Sakit Umum Daerah Dr. Soetomo"]
    items = [
        certificate(unit_name=name, number=f"ZI-2019-WBK-{i:06d}", predicate=("WBK", "WBBM")[i % 2])
        for i, name in enumerate(names)
    ]
    pdf = render_many(items)
    texts = pdf_pages_text(pdf)
    assert len(texts) == 3
    for i, (name, text) in enumerate(zip(names, texts, strict=True)):
        assert name in text
        assert f"ZI-2019-WBK-{i:06d}" in text
    assert all(size == pytest.approx(A4_LANDSCAPE_PT, abs=1) for size in pdf_page_sizes(pdf))


def test_render_many_refuses_an_empty_batch() -> None:
    with pytest.raises(ValueError):
        render_many([])


def test_longest_texts_stay_on_one_page() -> None:
    longest = certificate(
        unit_name=LONGEST_UNIT_NAME,
        agency_name="Pemerintah Kabupaten Kepulauan Siau Tagulandang Biaro " * 2,
        decree_number="B/1245/M.RB.06/2019 tentang Penetapan Unit Kerja Berpredikat Menuju WBK",
        signatory_title="Sekretaris Kementerian Pendayagunaan Aparatur Negara dan Reformasi "
        "Birokrasi selaku Ketua Tim Penilai Nasional",
        signatory_name="Prof. Dr. Ir. Raden Mas Haryo Bagus Wicaksono Adiningrat, M.Sc., Ph.D.",
    )
    unbroken = certificate(unit_name="X" * 160, agency_name="Y" * 160)
    pdf = render_many([longest, unbroken, certificate()])
    texts = pdf_pages_text(pdf)
    assert len(texts) == 3
    assert LONGEST_UNIT_NAME in texts[0]
    assert "Polres Metro Bekasi Kota" in texts[2]


def test_uploaded_emblem_and_signature_are_embedded(
    emblem_png: Image, signature_png: Image
) -> None:
    pdf = render_pdf(certificate(emblem=emblem_png, signature=signature_png))
    assert pdf_image_count(pdf) == 2
    assert decode_qr_codes(pdf) == ["https://zi.example.go.id/verifikasi/ZI-2019-WBK-000123"]


def test_batch_embeds_a_shared_image_once(emblem_png: Image) -> None:
    items = [certificate(emblem=emblem_png, number=f"ZI-2019-WBK-{i:06d}") for i in range(3)]
    assert render_html(items[0]).count(emblem_png.data_uri) == 1
    pdf = render_many(items)
    assert [pdf_image_count(pdf, page) for page in range(3)] == [1, 1, 1]


def test_hostile_unit_name_is_printed_literally() -> None:
    hostile = '<script>alert("x")</script> & <b>Unit</b>'
    data = certificate(unit_name=hostile)
    html = render_html(data)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    (text,) = pdf_pages_text(render_pdf(data))
    assert '<script>alert("x")</script> & <b>Unit</b>' in text


def test_bare_render_of_the_same_html_is_a_pdf(
    make_certificate: Callable[..., CertificateData],
) -> None:
    pdf = bare_render(render_html(make_certificate()))
    assert pdf.startswith(b"%PDF-")
    assert len(pdf_page_sizes(pdf)) == 1


def test_unit_names_are_set_on_exactly_the_planned_lines() -> None:
    """The metric-based fitting agrees with WeasyPrint: no extra, unplanned line breaks."""
    names = [
        "KPPN Jambi",
        "Kantor Pelayanan Perbendaharaan Negara Jakarta III",
        "Balai Besar Pengawasan Obat dan Makanan di Daerah Khusus Ibukota Jakarta",
        LONGEST_UNIT_NAME,
    ]
    pdf = render_many([certificate(unit_name=name) for name in names])
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for name, page in zip(names, document.pages, strict=True):
            fitted = fit_text(name, UNIT_NAME_FIT)
            tops = {
                round(char["top"])
                for char in page.chars
                if "Semi-Bold" in char["fontname"]
                and "EB" in char["fontname"]
                and abs(char["size"] - fitted.size_pt) < 0.2
            }
            assert len(tops) == len(fitted.lines), name


def test_renders_without_weasyprint_warnings(
    caplog: pytest.LogCaptureFixture, emblem_png: Image, signature_png: Image
) -> None:
    # A missing font or ornament is only logged by WeasyPrint, so the log is the place to look.
    with caplog.at_level(logging.WARNING):
        render_pdf(certificate(emblem=emblem_png, signature=signature_png))
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []
