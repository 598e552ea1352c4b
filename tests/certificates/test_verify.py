"""Public verification at /verify/<number>: every state, both languages, no enumeration hints."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask.testing import FlaskClient

from tests.certificates.conftest import CertWorld, count_queries
from tests.helpers import post_form
from tests.html import Page
from tracker.accreditation.models import Predicate
from tracker.certificates import numbers, services


def page(client: FlaskClient, number: str):
    response = client.get(f"/verify/{number}")
    return response, response.get_data(as_text=True)


def without_csrf(html: str) -> str:
    """The page without its CSRF token, which carries a timestamp: two page loads a second
    apart differ there and nowhere else."""
    return re.sub(r'(name="csrf[-_]token"[^>]*(?:value|content)=")[^"]*', r"\1", html)


def skeleton(html: str) -> list[str]:
    """The page's structure: its class attributes in order, without the status modifier."""
    classes = re.findall(r'class="([^"]+)"', html)
    return [re.sub(r"verify-(valid|revoked|replaced|unknown)", "verify-STATUS", c) for c in classes]


def test_a_valid_certificate_shows_everything_printed_without_login(
    client: FlaskClient, cw: CertWorld
) -> None:
    certificate = cw.certificate(predicate=Predicate.WBBM, year=2019)
    response, html = page(client, certificate.number)
    assert response.status_code == 200
    document = Page(html)
    assert "verify-valid" in document.one("article.verify-card").classes
    assert document.text_of(".verdict-title") == "Piagam ini asli dan berlaku."
    fields = {div.text_of("dt"): div.one("dd") for div in document.select("dl.cert-fields > div")}
    printed = {name: dd.text for name, dd in fields.items()}
    assert printed.pop("Sidik data evaluasi (SHA-256)").startswith(certificate.snapshot_sha256)
    assert fields["Sidik data evaluasi (SHA-256)"].text_of("code") == certificate.snapshot_sha256
    assert printed == {
        "Nomor piagam": certificate.number,
        "Unit kerja": "Polres Metro Uji Kota",
        "Instansi induk": "Kepolisian Uji",
        "Predikat": "Menuju WBBM — Wilayah Birokrasi Bersih dan Melayani",
        "Tahun evaluasi": "2019",
        "Keputusan Menteri PANRB": f"Nomor {certificate.decree_number} tanggal 10 Desember 2019",
        "Penandatangan": f"{certificate.signatory_name} "
        "Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
        "Tanggal terbit": "Jakarta, 10 Desember 2019",
    }
    assert response.headers["Cache-Control"] == "no-cache"


def test_the_number_may_be_typed_loosely(client: FlaskClient, cw: CertWorld) -> None:
    certificate = cw.certificate()
    response, html = page(client, certificate.number.lower().replace("-", ""))
    assert response.status_code == 200
    assert "Piagam ini asli dan berlaku." in html


def test_revocation_shows_at_once_with_date_and_reason(client: FlaskClient, cw: CertWorld) -> None:
    certificate = cw.certificate()
    assert page(client, certificate.number)[0].status_code == 200
    designation = certificate.designation
    designation.revoked_on, designation.revocation_reason = date(2022, 6, 30), "Kasus gratifikasi"
    cw.session.commit()
    response, html = page(client, certificate.number)
    assert response.status_code == 200
    verdict = Page(html).one(".verify-verdict")
    assert verdict.texts("p") == [
        "Predikat unit ini telah dicabut.",
        "Piagam ini pernah diterbitkan, tetapi predikatnya dicabut sejak 30 Juni 2022 dan piagam "
        "ini tidak berlaku lagi.",
        "Alasan pencabutan: Kasus gratifikasi",
    ]
    assert "verify-revoked" in Page(html).one("article.verify-card").classes
    assert "asli dan berlaku" not in html


def test_a_replaced_certificate_points_to_its_replacement(
    client: FlaskClient, cw: CertWorld
) -> None:
    old = cw.certificate()
    new = services.reissue(cw.session, certificate=old, user=cw.tpn, reason="Nama internal")
    cw.session.commit()
    response, html = page(client, old.number)
    assert response.status_code == 200
    verdict = Page(html).one(".verify-verdict")
    assert verdict.text_of(".verdict-title") == "Piagam ini sudah diganti."
    assert [a.attr("href") for a in verdict.select("a")] == [f"/verify/{new.number}"]
    _, html = page(client, new.number)
    assert Page(html).text_of(".verdict-title") == "Piagam ini asli dan berlaku."
    assert f'href="/verify/{old.number}"' in html
    assert "Nama internal" not in html  # the reissue reason is not printed, so not public


def test_nothing_beyond_the_certificate_is_shown(client: FlaskClient, cw: CertWorld) -> None:
    certificate = cw.certificate()
    _, html = page(client, certificate.number)
    assert cw.admin.full_name not in html  # who issued it
    assert f"/units/{cw.unit.id}" not in html and "/certificates/" not in html


@pytest.mark.parametrize(
    "unknown",
    [
        "ZI-2019-WBK-0000-0000{check}",  # well formed, never issued
        "ZI-2019-WBK-7K3M-9QXDX",  # wrong check character
        "not-a-number",
        "<script>alert(1)</script>",
    ],
)
def test_an_unknown_number_gets_the_same_page_and_work(
    client: FlaskClient, cw: CertWorld, engine, unknown: str
) -> None:
    certificate = cw.certificate()
    if "{check}" in unknown:
        unknown = unknown.format(check=numbers.check_character("2019WBK00000000"))
    with count_queries(engine) as hit_queries:
        hit, hit_html = page(client, certificate.number)
    with count_queries(engine) as miss_queries:
        miss, miss_html = page(client, unknown)
    assert miss.status_code == 404 and hit.status_code == 200
    assert "Nomor piagam ini tidak terdaftar." in miss_html
    assert "<script>alert" not in miss_html
    # Same template and headers; the miss only lacks the fields block.
    fields = skeleton(hit_html)
    start, end = fields.index("cert-fields"), fields.index("verify-foot")
    assert skeleton(miss_html) == fields[:start] + fields[end:]
    assert miss.headers["Content-Type"] == hit.headers["Content-Type"]
    assert miss.headers["Cache-Control"] == hit.headers["Cache-Control"]
    # Same database work for the number: one lookup, whether it exists or not. A hit then reads
    # its unit's public record (issue 17: lineage, Ombudsman results, complaint counts), a fixed
    # number of queries whatever the number asked.
    assert len(miss_queries) == 1
    assert 1 < len(hit_queries) <= 6


def test_no_hint_tells_malformed_from_unissued(client: FlaskClient, cw: CertWorld) -> None:
    well_formed = "ZI-2019-WBK-0000-0000" + numbers.check_character("2019WBK00000000")
    _, a = page(client, well_formed)
    _, b = page(client, "ZI-2019-WBK-7K3M-9QXDX")
    assert without_csrf(a.replace(well_formed, "N")) == without_csrf(
        b.replace("ZI-2019-WBK-7K3M-9QXDX", "N")
    )


def test_the_page_reads_in_english(client: FlaskClient, cw: CertWorld, english) -> None:
    certificate = cw.certificate()
    post_form(client, "/language/en", page=f"/verify/{certificate.number}")
    _, html = page(client, certificate.number)
    document = Page(html)
    assert document.one("html").attr("lang") == "en"
    assert document.text_of(".verdict-title") == "This certificate is genuine and valid."
    fields = {
        div.text_of("dt"): div.text_of("dd") for div in document.select("dl.cert-fields > div")
    }
    assert fields["Parent agency"] == "Kepolisian Uji"
    assert fields["Predicate"] == "Menuju WBK — Wilayah Bebas dari Korupsi (Corruption-Free Area)"
    assert "Evaluation data fingerprint (SHA-256)" in fields
    _, missing = page(client, "ZI-2019-WBK-7K3M-9QXDX")
    assert Page(missing).text_of(".verdict-title") == "This certificate number is not registered."


def test_the_lookup_box_goes_to_the_number_page(client: FlaskClient, cw: CertWorld) -> None:
    certificate = cw.certificate()
    response = client.get("/verify", query_string={"number": certificate.number.lower()})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{certificate.number}")
    assert client.get("/verify").headers["Location"].endswith("/registry")
