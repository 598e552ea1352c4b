"""Issue 17 §4, §5: a unit's Ombudsman results and its lineage, recorded on its ZI page and
shown there and on the public verification page beside the ZI predicate; a renamed unit's
certificate keeps the name it was issued with, and the page says what the unit is called now."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from tests.certificates.conftest import CertWorld
from tests.evidence.evidence_samples import pdf_bytes
from tests.helpers import login_as, post_form
from tests.html import get_page
from tracker.accreditation.oversight_models import OmbudsmanResult
from tracker.agencies import lineage
from tracker.agencies.lineage_models import SuccessionKind, UnitSuccession
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.certificates.models import Certificate
from tracker.clock import today
from tracker.errors import NotAllowedError, ValidationError


def _record_ombudsman(client, cw: CertWorld, **fields):
    page = f"/units/{cw.unit.id}/zi"
    data = {"year": "2019", "zone": "hijau", "score": "91,25"} | fields
    return post_form(client, f"{page}/ombudsman", data, page=page, follow_redirects=True)


def test_the_agency_records_an_ombudsman_result_shown_beside_the_predicate(client, cw) -> None:
    certificate = cw.certificate()
    login_as(client, cw.pimpinan)
    bad = _record_ombudsman(client, cw, score="120")
    assert "Nilai harus angka 0 sampai 100" in bad.get_data(as_text=True)
    assert cw.session.scalars(select(OmbudsmanResult)).all() == []

    page = f"/units/{cw.unit.id}/zi"
    done = post_form(
        client,
        f"{page}/ombudsman",
        {
            "year": "2019",
            "zone": "hijau",
            "score": "91,25",
            "certificate": (io.BytesIO(pdf_bytes("Piagam Ombudsman")), "piagam.pdf"),
        },
        page=page,
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    again = _record_ombudsman(client, cw)
    assert "sudah tercatat" in again.get_data(as_text=True)
    row = cw.session.scalars(select(OmbudsmanResult)).one()
    assert row.certificate is not None and row.certificate.enrolment_id is None
    card = get_page(client, page).one("#ombudsman")
    assert "Zona hijau (kepatuhan tinggi)" in card.text and "91,25" in card.text
    download = client.get(f"{page}/ombudsman/{row.id}/certificate")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    download.close()
    assert (
        cw.session.scalars(
            select(AuditEvent).where(AuditEvent.tag == "accreditation:ombudsman:record")
        )
        .one()
        .data["zone"]
        == "hijau"
    )

    client.get("/logout")
    with client.session_transaction() as sess:
        sess.clear()
    verify = get_page(client, f"/verify/{certificate.number}")
    assert "Penilaian kepatuhan pelayanan publik oleh Ombudsman RI" in verify.text
    assert "Zona hijau (kepatuhan tinggi) Tahun 2019 · nilai 91,25" in verify.text


def test_outsiders_cannot_record_or_download(client, cw) -> None:
    login_as(client, cw.other_pimpinan)
    page = f"/units/{cw.unit.id}/zi"
    assert client.get(page).status_code == 404
    data = {"year": "2019", "zone": "hijau", "score": "90", "csrf_token": "x"}
    assert client.post(f"{page}/ombudsman", data=data).status_code in (400, 404)
    assert cw.session.scalars(select(OmbudsmanResult)).all() == []


def test_a_renamed_unit_keeps_its_certificate_name_and_verify_names_the_new_one(client, cw) -> None:
    certificate = cw.certificate()
    renamed = cw.factory.unit(cw.agency, "Polres Metro Uji Raya", "Polres")
    cw.session.commit()
    login_as(client, cw.pimpinan)
    page = f"/units/{cw.unit.id}/zi"
    future = post_form(
        client,
        f"{page}/lineage",
        {"successor_id": renamed.id, "kind": "rename", "on": "2999-01-01", "decree_ref": "SK 1"},
        page=page,
        follow_redirects=True,
    )
    assert "tidak boleh sesudah hari ini" in future.get_data(as_text=True)
    assert cw.session.scalars(select(UnitSuccession)).all() == []
    done = post_form(
        client,
        f"{page}/lineage",
        {
            "successor_id": renamed.id,
            "kind": "rename",
            "on": today().isoformat(),
            "decree_ref": "Perkap 5 Tahun 2026",
        },
        page=page,
    )
    assert done.status_code == 303
    assert lineage.current_units(cw.session, cw.unit.id) == [renamed]

    # The successor's page shows its predecessor with the predicate it earned.
    successor = get_page(client, f"/units/{renamed.id}/zi").one("#lineage")
    assert "Polres Metro Uji Kota" in successor.text and "Menuju WBK" in successor.text
    assert "Berganti nama" in successor.text

    verify = get_page(client, f"/verify/{certificate.number}")
    assert "Polres Metro Uji Kota" in verify.one(".verify-card").text  # as issued
    assert verify.one(".verify-current-name").text == ("Unit ini sekarang: Polres Metro Uji Raya")
    # A loop is refused, and so is a second successor of a renamed unit.
    back = post_form(
        client,
        f"/units/{renamed.id}/zi/lineage",
        {
            "successor_id": cw.unit.id,
            "kind": "rename",
            "on": today().isoformat(),
            "decree_ref": "SK 2",
        },
        page=f"/units/{renamed.id}/zi",
        follow_redirects=True,
    )
    assert "melingkar" in back.get_data(as_text=True)
    assert len(cw.session.scalars(select(UnitSuccession)).all()) == 1


def test_the_lineage_rule_refuses_what_would_not_make_sense(cw) -> None:
    other = cw.factory.unit(cw.agency, "Polres Lain", "Polres")
    third = cw.factory.unit(cw.agency, "Polres Ketiga", "Polres")
    cw.session.commit()
    on = date(2020, 1, 2)

    def link(user, predecessor, successor, kind, ref):
        return lineage.record(
            cw.session,
            user=user,
            predecessor=predecessor,
            successor=successor,
            kind=kind,
            on=on,
            decree_ref=ref,
            today=today(),
        )

    link(cw.admin, cw.unit, other, SuccessionKind.RENAME, "SK 1")
    with pytest.raises(ValidationError, match="sudah memiliki penerus"):
        link(cw.admin, cw.unit, third, SuccessionKind.SPLIT, "SK 2")
    with pytest.raises(NotAllowedError, match="administrator atau pimpinan"):
        link(cw.other_pimpinan, other, third, SuccessionKind.MERGE, "SK 3")
    with pytest.raises(ValidationError, match="Dasar perubahan"):
        link(cw.admin, other, third, SuccessionKind.MERGE, "  ")


def test_the_demo_shows_the_ombudsman_recognition_of_polres_metro_bekasi_kota(
    session, client
) -> None:
    from tests.certificates.test_demo import run

    run(session)
    certificate = session.scalars(
        select(Certificate).where(
            Certificate.unit_name == "Polres Metro Bekasi Kota", Certificate.year == 2019
        )
    ).one()
    verify = get_page(client, f"/verify/{certificate.number}")
    assert "Zona hijau (kepatuhan tinggi) Tahun 2019 · nilai 92,35" in verify.text
    admin = session.scalars(select(User).where(User.username == "admin")).first()
    login_as(client, admin)
    unit = get_page(client, f"/units/{certificate.designation.unit_id}/zi")
    assert "Tahun 2021 · nilai 94,10" in unit.one("#ombudsman").text
