"""Agency and unit pages: scoped browsing, admin editing and CSV import through HTTP."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from tests.helpers import login_as, post_form
from tests.html import get_page
from tracker.agencies.models import Agency, Unit
from tracker.auth.roles import Role


def test_tpi_sees_its_agency_but_not_others(client, factory) -> None:
    mine, other = factory.agency("Instansi Milik"), factory.agency("Instansi Lain")
    factory.unit(mine, "Unit Milik")
    factory.unit(other, "Unit Lain")
    login_as(client, factory.user((Role.TPI, mine)))
    page = get_page(client, "/agencies")
    assert page.texts("article.card h2 a") == ["Instansi Milik"]
    assert page.texts("ul.tree li a") == ["Unit Milik"]
    assert "Unit Lain" not in page.html and "Instansi Lain" not in page.html
    assert client.get(f"/agencies/{mine.id}").status_code == 200
    assert client.get(f"/agencies/{other.id}").status_code == 404


def test_non_admins_cannot_change_organisations(client, factory, session) -> None:
    agency = factory.agency()
    unit = factory.unit(agency, "Unit Tetap", "Unit")
    login_as(client, factory.user((Role.PIMPINAN, agency)))
    agencies_before = session.query(Agency).count()
    assert (
        post_form(
            client, "/agencies", {"name": "X", "short_name": "X", "kind": "lembaga"}
        ).status_code
        == 403
    )
    assert post_form(client, f"/units/{unit.id}", {"name": "X", "kind": "Y"}).status_code == 403
    session.expire_all()
    assert session.query(Agency).count() == agencies_before
    assert session.query(Agency).filter_by(short_name="X").count() == 0
    assert (session.get(Unit, unit.id).name, session.get(Unit, unit.id).kind) == (
        "Unit Tetap",
        "Unit",
    )


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
    assert get_page(client, "/agencies").flashes("error") == [
        "Impor dibatalkan, tidak ada yang disimpan: Baris 3: jenis_instansi harus salah satu dari "
        "kementerian, lembaga, pemda."
    ]
    assert session.query(Unit).filter_by(name="Unit A").count() == 0
    assert session.query(Agency).filter_by(name="Badan Lain").count() == 0  # the good row too


def test_the_agencies_index_pages_by_25_with_each_agency_s_own_units_and_a_search(
    client, factory, session
) -> None:
    """Issue 18 §3: a national scope holds 600 agencies and 5,000 units; the index listed them
    all (7 s). Now 25 agencies a page, by name, each with its units, and a search by name."""
    before = session.scalar(select(func.count()).select_from(Agency))
    made = [factory.agency(name=f"Badan Halaman {n:02d}") for n in range(30)]
    factory.unit(agency=made[0], name="Unit Pertama Badan 00")
    factory.unit(agency=made[29], name="Unit Terakhir Badan 29")
    login_as(client, factory.user(Role.ADMIN))

    first = get_page(client, "/agencies")
    assert len(first.select("section > article.card")) == 25
    assert f"{before + 30} instansi" in first.text
    assert first.one('.pager a[rel="next"]').attr("href") == "/agencies?page=2"

    found = get_page(client, "/agencies?q=halaman+29")
    cards = found.select("section > article.card")
    assert [card.text_of("h2 a") for card in cards] == ["Badan Halaman 29"]
    assert cards[0].texts(".tree li a") == ["Unit Terakhir Badan 29"]  # its own, no other's

    last = get_page(client, "/agencies?q=Badan+Halaman&page=9")  # past the end: the last page
    assert [card.text_of("h2 a") for card in last.select("section > article.card")] == [
        f"Badan Halaman {n}" for n in range(25, 30)
    ]
    assert "Tidak ada instansi yang cocok." in get_page(client, "/agencies?q=tidak-ada").text
