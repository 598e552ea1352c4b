"""The rule for an invalid form on the certificate pages: the same page again with status 422,
each error next to its field, what was chosen kept, and nothing changed (``tracker.forms``)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.certificates.conftest import CertWorld
from tests.helpers import login_as, post_form
from tests.html import page_of
from tracker.certificates.models import Certificate, PrintJob


def _count(cw: CertWorld, model: type) -> int:
    return cw.session.scalar(select(func.count()).select_from(model))


def test_a_reissue_without_reason_shows_the_detail_page_again(
    client: FlaskClient, cw: CertWorld
) -> None:
    old = cw.certificate()
    certificates = _count(cw, Certificate)
    login_as(client, cw.tpn)
    page_url = f"/certificates/{old.number}"
    response = post_form(client, f"{page_url}/reissue", {"reason": ""}, page=page_url)

    page = page_of(response, 422)
    form = page.one(f'form[action="{page_url}/reissue"]')
    assert form.texts(".field-error") == ["Kolom ini wajib diisi."]
    assert _count(cw, Certificate) == certificates
    cw.session.expire_all()
    assert cw.session.get(Certificate, old.id).replaced_by is None


def test_a_print_request_in_an_unknown_format_keeps_the_choice_and_starts_nothing(
    client: FlaskClient, cw: CertWorld
) -> None:
    certificate = cw.certificate()
    login_as(client, cw.pimpinan)
    data = {"numbers": [certificate.number], "format": "docx", "selected": "1"}
    response = post_form(client, "/certificates/print", data, page="/certificates")

    page = page_of(response, 422)
    form = page.one("#print-form")
    assert form.texts(".field-error") == ["Pilihan tidak valid."]
    assert (
        form.one(f'input[name="numbers"][value="{certificate.number}"]').attr("checked") is not None
    )
    assert _count(cw, PrintJob) == 0
