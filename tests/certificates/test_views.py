"""Leadership pages: scope, the single PDF (text and QR), reissue and settings."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from PIL import Image as PILImage

from tests.certificates.conftest import SIGNATORY, CertWorld, decode_qr_codes, pdf_pages_text
from tests.helpers import login_as, post_form
from tests.html import get_page
from tracker.accreditation.models import Predicate
from tracker.certificates import services
from tracker.certificates.models import Certificate


def test_the_pdf_carries_the_fields_and_a_qr_of_the_verification_url(
    client: FlaskClient, cw: CertWorld, settings
) -> None:
    certificate = cw.certificate(predicate=Predicate.WBBM, year=2019)
    login_as(client, cw.pimpinan)
    response = client.get(f"/certificates/{certificate.number}.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert f"piagam-{certificate.number}.pdf" in response.headers["Content-Disposition"]
    url = f"{settings.public_base_url}/verify/{certificate.number}"
    (text,) = pdf_pages_text(response.data)
    for expected in (
        "Polres Metro Uji Kota",
        "Menuju WBBM",
        "Tahun 2019",
        f"Nomor {certificate.decree_number}",
        certificate.number,
        url,
    ):
        assert expected in text, expected
    assert decode_qr_codes(response.data) == [url]


def test_another_agencys_pimpinan_gets_404(client: FlaskClient, cw: CertWorld) -> None:
    certificate = cw.certificate()
    login_as(client, cw.other_pimpinan)
    for path in ("", ".pdf"):
        assert client.get(f"/certificates/{certificate.number}{path}").status_code == 404
    assert listed(client) == []
    assert certificate.number not in get_page(client, "/certificates").html


def listed(client: FlaskClient) -> list[str]:
    """Certificate numbers offered for printing on the leadership list, in order."""
    page = get_page(client, "/certificates")
    return [box.attr("value") for box in page.select("input[type=checkbox][name=numbers]")]


def test_pimpinan_lists_only_its_agency(client: FlaskClient, cw: CertWorld) -> None:
    own, other = cw.certificate(), cw.certificate(cw.other_unit)
    login_as(client, cw.pimpinan)
    assert listed(client) == [own.number]
    assert other.number not in get_page(client, "/certificates").html


@pytest.mark.parametrize("who", ["admin", "tpn"])
def test_national_roles_see_every_agency(client: FlaskClient, cw: CertWorld, who: str) -> None:
    own, other = cw.certificate(), cw.certificate(cw.other_unit)
    login_as(client, getattr(cw, who))
    assert sorted(listed(client)) == sorted([own.number, other.number])
    assert client.get(f"/certificates/{other.number}.pdf").status_code == 200


def test_other_roles_and_anonymous_are_kept_out(client: FlaskClient, cw: CertWorld) -> None:
    certificate = cw.certificate()
    anonymous = client.get("/certificates")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    login_as(client, cw.koordinator)
    assert client.get("/certificates").status_code == 403
    assert client.get(f"/certificates/{certificate.number}.pdf").status_code == 403


def test_detail_shows_status_and_history(client: FlaskClient, cw: CertWorld) -> None:
    old = cw.certificate()
    new = services.reissue(cw.session, certificate=old, user=cw.tpn, reason="Nama salah")
    cw.session.commit()
    login_as(client, cw.pimpinan)
    page = get_page(client, f"/certificates/{old.number}")
    assert page.text_of(".page-actions .badge") == "Sudah diganti"
    chain = page.select("ol.chain li")
    assert [li.text_of("a") for li in chain] == [old.number, new.number]
    assert chain[0].attr("aria-current") == "true"  # this page's certificate
    assert chain[1].text.endswith("Alasan terbit ulang: Nama salah")
    assert page.select(f'form[action="/certificates/{old.number}/reissue"]') == []  # pimpinan


def test_tpn_reissues_from_the_detail_page(client: FlaskClient, cw: CertWorld) -> None:
    old = cw.certificate()
    login_as(client, cw.tpn)
    page = f"/certificates/{old.number}"
    response = post_form(client, f"{page}/reissue", {"reason": "Nama unit keliru"}, page=page)
    assert response.status_code == 303
    cw.session.expire_all()
    new = cw.session.get(Certificate, old.id).replaced_by
    assert new is not None and response.headers["Location"].endswith(new.number)


def test_pimpinan_may_not_reissue(client: FlaskClient, cw: CertWorld) -> None:
    old = cw.certificate()
    login_as(client, cw.pimpinan)
    page = f"/certificates/{old.number}"
    assert post_form(client, f"{page}/reissue", {"reason": "x"}, page=page).status_code == 403
    cw.session.expire_all()
    assert cw.session.get(Certificate, old.id).replaced_by is None
    assert cw.session.query(Certificate).count() == 1


def png_upload(size=(300, 120)) -> tuple[io.BytesIO, str]:
    buffer = io.BytesIO()
    PILImage.new("RGBA", size, (20, 30, 90, 255)).save(buffer, "PNG")
    buffer.seek(0)
    return buffer, "ttd.png"


def test_admin_sets_the_signatory_with_a_signature(client: FlaskClient, cw: CertWorld) -> None:
    login_as(client, cw.admin)
    assert client.get("/certificates/settings").status_code == 200
    response = post_form(
        client,
        "/certificates/settings/signatory",
        {"name": "Dr. Baru", "title": "Menteri PANRB", "signature": png_upload()},
        page="/certificates/settings",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    signatory = services.current_signatory(cw.session)
    assert (signatory.name, signatory.title) == ("Dr. Baru", "Menteri PANRB")
    assert signatory.signature is not None
    assert client.get("/certificates/settings/signature").headers["Content-Type"] == "image/png"


def test_an_svg_emblem_is_refused(client: FlaskClient, cw: CertWorld) -> None:
    login_as(client, cw.admin)
    svg = io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>')
    response = post_form(
        client,
        "/certificates/settings/emblem",
        {"agency": str(cw.agency.id), "emblem": (svg, "logo.png")},
        page="/certificates/settings",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303  # back, with the reason flashed
    (error,) = get_page(client, "/certificates/settings").flashes("error")
    assert "PNG atau JPEG" in error
    cw.session.refresh(cw.agency)
    assert cw.agency.logo is None


def test_admin_uploads_an_emblem_that_new_certificates_print(
    client: FlaskClient, cw: CertWorld
) -> None:
    login_as(client, cw.admin)
    response = post_form(
        client,
        "/certificates/settings/emblem",
        {"agency": str(cw.agency.id), "emblem": png_upload((200, 200))},
        page="/certificates/settings",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert client.get(f"/certificates/settings/emblems/{cw.agency.id}").status_code == 200
    assert cw.certificate().emblem_id is not None


def test_settings_are_for_administrators_only(client: FlaskClient, cw: CertWorld) -> None:
    for user in (cw.pimpinan, cw.tpn):
        login_as(client, user)
        assert client.get("/certificates/settings").status_code == 403
        response = post_form(
            client,
            "/certificates/settings/signatory",
            {"name": "Bukan Penandatangan", "title": "Menteri PANRB"},
        )
        assert response.status_code == 403
    assert services.current_signatory(cw.session).name == SIGNATORY
