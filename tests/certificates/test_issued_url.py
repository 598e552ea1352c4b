"""A certificate keeps the public address it was issued with: its QR code and printed URL stay
the same after the administrator changes the setting (issue 14 §3)."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.certificates.conftest import CertWorld, decode_qr_codes, pdf_pages_text
from tests.helpers import login_as
from tests.html import get_page
from tracker.certificates import services
from tracker.system import services as system

FIRST = "https://zi.menpan.go.id"
LATER = "https://piagam.menpan.go.id:8443"


def printed_urls(client: FlaskClient, number: str) -> tuple[list[str], str]:
    """What the PDF's QR code decodes to, and the PDF's text."""
    response = client.get(f"/certificates/{number}.pdf")
    assert response.status_code == 200
    (text,) = pdf_pages_text(response.data)
    return decode_qr_codes(response.data), text


def test_the_qr_code_decodes_to_the_address_in_force_at_issue(
    client: FlaskClient, cw: CertWorld
) -> None:
    system.set_public_base_url(cw.session, user=cw.admin, value=FIRST)
    certificate = cw.certificate()
    assert certificate.public_base_url == FIRST
    login_as(client, cw.tpn)
    url = f"{FIRST}/verify/{certificate.number}"
    codes, text = printed_urls(client, certificate.number)
    assert codes == [url] and url in text
    assert get_page(client, f"/certificates/{certificate.number}").text_of("p.small code") == url


def test_changing_the_setting_does_not_alter_an_issued_certificate(
    client: FlaskClient, cw: CertWorld
) -> None:
    system.set_public_base_url(cw.session, user=cw.admin, value=FIRST)
    old = cw.certificate()
    system.set_public_base_url(cw.session, user=cw.admin, value=LATER)
    cw.session.commit()
    login_as(client, cw.tpn)
    issued = f"{FIRST}/verify/{old.number}"
    codes, text = printed_urls(client, old.number)
    assert codes == [issued] and issued in text
    assert get_page(client, f"/certificates/{old.number}").text_of("p.small code") == issued
    # A certificate issued from now on (here: a reissue) carries the new address.
    new = services.reissue(cw.session, certificate=old, user=cw.tpn, reason="Koreksi nama")
    cw.session.commit()
    assert new.public_base_url == LATER
    assert printed_urls(client, new.number)[0] == [f"{LATER}/verify/{new.number}"]
    assert printed_urls(client, old.number)[0] == [issued]


def test_without_a_setting_the_environments_address_is_recorded(cw: CertWorld) -> None:
    system.bind_env_default(cw.session.info, "http://127.0.0.1:8123")
    try:
        certificate = cw.certificate()
    finally:
        cw.session.info.pop(system.SESSION_KEY)
    assert certificate.public_base_url == "http://127.0.0.1:8123"


def test_a_batch_print_uses_each_certificates_own_address(cw: CertWorld) -> None:
    system.set_public_base_url(cw.session, user=cw.admin, value=FIRST)
    first = cw.certificate()
    system.set_public_base_url(cw.session, user=cw.admin, value=LATER)
    second = cw.certificate(cw.other_unit)
    data = [services.certificate_data(c, {}) for c in (first, second)]
    assert [d.verification_url for d in data] == [
        f"{FIRST}/verify/{first.number}",
        f"{LATER}/verify/{second.number}",
    ]
