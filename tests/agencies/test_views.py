"""Agency and unit pages: scoped browsing, admin editing and CSV import through HTTP."""

from __future__ import annotations

import io

from tests.helpers import login_as, post_form
from tracker.agencies.models import Agency, Unit
from tracker.auth.roles import Role


def test_tpi_sees_its_agency_but_not_others(client, factory) -> None:
    mine, other = factory.agency("Instansi Milik"), factory.agency("Instansi Lain")
    factory.unit(mine, "Unit Milik")
    factory.unit(other, "Unit Lain")
    login_as(client, factory.user((Role.TPI, mine)))
    page = client.get("/agencies").get_data(as_text=True)
    assert "Unit Milik" in page and "Unit Lain" not in page and "Instansi Lain" not in page
    assert client.get(f"/agencies/{mine.id}").status_code == 200
    assert client.get(f"/agencies/{other.id}").status_code == 404


def test_non_admins_cannot_change_organisations(client, factory) -> None:
    agency = factory.agency()
    unit = factory.unit(agency)
    login_as(client, factory.user((Role.PIMPINAN, agency)))
    assert (
        post_form(
            client, "/agencies", {"name": "X", "short_name": "X", "kind": "lembaga"}
        ).status_code
        == 403
    )
    assert post_form(client, f"/units/{unit.id}", {"name": "X", "kind": "Y"}).status_code == 403


def test_admin_creates_agency_and_unit(client, factory, session) -> None:
    login_as(client, factory.user(Role.ADMIN))
    response = post_form(
        client, "/agencies", {"name": "Badan Uji Nasional", "short_name": "BUN", "kind": "lembaga"}
    )
    assert response.status_code == 303
    agency = session.query(Agency).filter_by(short_name="BUN").one()
    response = post_form(
        client,
        f"/agencies/{agency.id}/units",
        {"name": "Kantor Regional I", "kind": "Kanreg", "parent_id": 0},
    )
    assert response.status_code == 303
    assert session.query(Unit).filter_by(name="Kantor Regional I").one().agency_id == agency.id


def test_admin_imports_csv_and_bad_files_change_nothing(client, factory, session) -> None:
    login_as(client, factory.user(Role.ADMIN))
    good = b"instansi,jenis_instansi,unit,jenis_unit\nBadan CSV,lembaga,Unit CSV,Unit\n"
    response = post_form(
        client,
        "/agencies/import",
        {"file": (io.BytesIO(good), "daftar.csv")},
        page="/agencies",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert session.query(Unit).filter_by(name="Unit CSV").count() == 1
    bad = b"instansi,jenis_instansi,unit,jenis_unit\nBadan Lain,lembaga,Unit A,Unit\nX,planet,B,U\n"
    response = post_form(
        client,
        "/agencies/import",
        {"file": (io.BytesIO(bad), "salah.csv")},
        page="/agencies",
        content_type="multipart/form-data",
        headers={"Referer": "http://localhost/agencies"},
    )
    assert response.status_code == 303
    assert "Baris 3" in client.get("/agencies").get_data(as_text=True)
    assert session.query(Unit).filter_by(name="Unit A").count() == 0
