"""Public registry at /registry: current certificates, filters, search, paging, bounded work."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask.testing import FlaskClient

from tests.certificates.conftest import CertWorld, count_queries
from tests.html import get_page
from tracker.accreditation.models import Predicate
from tracker.certificates import queries, services
from tracker.certificates.queries import PAGE_SIZE
from tracker.extensions import FIGURES
from tracker.memo import TimedMemo


def listed(client: FlaskClient, **query) -> list[str]:
    """Certificate numbers linked from the registry page, in order."""
    response = client.get("/registry", query_string=query)
    assert response.status_code == 200
    return re.findall(r'href="/verify/([^"]+)"', response.get_data(as_text=True))


@pytest.fixture
def three(cw: CertWorld):
    """A WBK 2019 and a WBBM 2020 in one agency, a WBK 2020 in the other."""
    return (
        cw.certificate(year=2019),
        cw.certificate(predicate=Predicate.WBBM, year=2020),
        cw.certificate(cw.other_unit, year=2020),
    )


def test_lists_designated_units_without_login(client: FlaskClient, three) -> None:
    wbk_2019, wbbm_2020, _ = three
    numbers = listed(client)
    assert set(numbers) == {c.number for c in three}
    assert numbers.index(wbk_2019.number) > numbers.index(wbbm_2020.number)  # newest first
    rows = {row[4]: row for row in get_page(client, "/registry").table_rows()}
    assert rows[wbbm_2020.number][:4] == [
        "Polres Metro Uji Kota",
        "Kepolisian Uji",
        "Menuju WBBM",
        "2020",
    ]
    assert rows[three[2].number][:4] == ["KPPN Uji", "Kementerian Uji", "Menuju WBK", "2020"]
    assert {row[5] for row in rows.values()} == {"Berlaku"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"year": "2020"}, {1, 2}),
        ({"predicate": "WBBM"}, {1}),
        ({"predicate": "WBK", "year": "2020"}, {2}),
        ({"q": "kppn uji"}, {2}),
        ({"q": "POLRES"}, {0, 1}),
        ({"q": "Kementerian"}, {2}),
        ({"q": "%"}, set()),  # LIKE wildcards are searched literally
        ({"year": "tahun lalu", "predicate": "XYZ"}, {0, 1, 2}),  # nonsense is ignored
    ],
)
def test_filters_and_search(client: FlaskClient, three, query, expected) -> None:
    assert set(listed(client, **query)) == {three[i].number for i in expected}


def test_filter_by_agency_and_search_by_number(client: FlaskClient, cw: CertWorld, three) -> None:
    assert set(listed(client, agency=str(cw.other_agency.id))) == {three[2].number}
    assert listed(client, q=three[0].number.lower()) == [three[0].number]


def test_revoked_units_are_shown_as_revoked(client: FlaskClient, cw: CertWorld) -> None:
    revoked = cw.certificate(revoked_on=date(2022, 6, 30), reason="Uji")
    valid = cw.certificate(cw.other_unit)
    rows = get_page(client, "/registry").select("table tbody tr")
    status = {row.text_of("a.mono"): (row.classes, row.select("td")[5].text) for row in rows}
    assert status[revoked.number][0] == {"row-revoked"}
    assert status[revoked.number][1].startswith("Dicabut 30 Jun")
    assert status[valid.number] == (set(), "Berlaku")


def test_only_the_certificate_in_force_is_listed(client: FlaskClient, cw: CertWorld) -> None:
    old = cw.certificate()
    new = services.reissue(cw.session, certificate=old, user=cw.tpn, reason="Koreksi")
    cw.session.commit()
    assert listed(client) == [new.number]


def test_paging_is_bounded(client: FlaskClient, cw: CertWorld) -> None:
    made = [cw.certificate(year=2000 + i % 20) for i in range(PAGE_SIZE + 5)]
    first, second = listed(client), listed(client, page="2")
    assert len(first) == PAGE_SIZE and len(second) == 5
    assert set(first) | set(second) == {c.number for c in made}
    assert listed(client, page="999") == second  # past the end: the last page
    assert listed(client, page="-3") == first


def test_page_work_does_not_grow_with_the_rows(client: FlaskClient, cw: CertWorld, engine) -> None:
    cw.certificate(revoked_on=date(2022, 1, 1))
    with count_queries(engine) as few:
        client.get("/registry")
    for i in range(12):
        cw.certificate(cw.other_unit if i % 2 else None, year=2010 + i)
    with count_queries(engine) as many:
        client.get("/registry")
    assert len(many) == len(few) <= 5


def test_the_filter_options_are_read_once_a_minute(app, client: FlaskClient, three, monkeypatch):
    """Issue 18 §3: the years and agencies offered by the filter are the country's; they are
    read once a minute per server (``FIGURES_CACHE_SECONDS``), the list itself every time."""
    clock = {"now": 1000.0}
    app.extensions[FIGURES] = TimedMemo(60, lambda: clock["now"])
    read: list[int] = []
    real = queries.registry_agencies
    monkeypatch.setattr(
        queries, "registry_agencies", lambda *a, **k: read.append(1) or real(*a, **k)
    )
    for query in ({}, {"year": "2020"}, {"page": "2"}):
        listed(client, **query)
    assert len(read) == 1
    options = get_page(client, "/registry").texts('select[name="agency"] option')
    assert options == ["Semua", "Kementerian Uji", "Kepolisian Uji"]
    clock["now"] += 60
    listed(client)
    assert len(read) == 2
