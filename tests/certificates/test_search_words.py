"""Searching the registry and the certificate list by words: every word must match somewhere in
the unit or agency name (or the number), in any order and case (issue 14: "polres bekasi"
found nothing while "bekasi" did)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests.certificates.conftest import CertWorld
from tests.helpers import login_as
from tracker.accreditation.models import DesignationOrigin
from tracker.certificates import queries
from tracker.certificates.queries import Filters
from tracker.certificates.search import MAX_WORDS


def registry(client: FlaskClient, q: str) -> list[str]:
    response = client.get("/registry", query_string={"q": q})
    assert response.status_code == 200
    return re.findall(r'href="/verify/([^"]+)"', response.get_data(as_text=True))


@pytest.fixture
def bekasi(cw: CertWorld):
    """Polres Metro Bekasi Kota (Kepolisian Uji) and RSUD Kota Bekasi (Pemerintah Kota Bekasi)."""
    polres = cw.factory.unit(cw.agency, "Polres Metro Bekasi Kota", "Polres")
    pemkot = cw.factory.agency("Pemerintah Kota Bekasi")
    rsud = cw.factory.unit(pemkot, "RSUD dr. Chasbullah", "RSUD")
    return cw.certificate(polres), cw.certificate(rsud), cw.certificate()


@pytest.mark.parametrize(
    "q, expected",
    [
        ("bekasi", {0, 1}),
        ("polres bekasi", {0}),  # words apart in the name
        ("BEKASI   polres", {0}),  # any order, any case, any spacing
        ("kepolisian bekasi", {0}),  # one word in the agency, one in the unit
        ("rsud pemerintah", {1}),
        ("polres", {0, 2}),
        ("polres jakarta", set()),  # every word must match
        ("polres %", set()),  # a LIKE wildcard is a literal character
    ],
)
def test_the_registry_finds_every_word(client: FlaskClient, bekasi, q: str, expected) -> None:
    assert set(registry(client, q)) == {bekasi[i].number for i in expected}


def test_a_number_is_still_found_with_its_spaces_and_case(client: FlaskClient, bekasi) -> None:
    number = bekasi[1].number
    assert registry(client, number.lower().replace("-", " ")) == [number]


def test_the_certificate_list_finds_every_word(client: FlaskClient, cw: CertWorld, bekasi) -> None:
    login_as(client, cw.tpn)
    page = client.get("/certificates", query_string={"q": "polres bekasi"}).get_data(as_text=True)
    assert bekasi[0].number in page
    assert bekasi[1].number not in page and bekasi[2].number not in page


def test_recorded_designations_are_searched_by_every_word(
    client: FlaskClient, cw: CertWorld
) -> None:
    unit = cw.factory.unit(cw.agency, "Polres Metro Bekasi Kota", "Polres")
    designation = cw.designate(unit, year=2018)
    designation.origin = DesignationOrigin.RECORDED
    cw.session.commit()
    page = client.get("/registry", query_string={"q": "polres bekasi"}).get_data(as_text=True)
    assert "Polres Metro Bekasi Kota" in page
    page = client.get("/registry", query_string={"q": "polres jakarta"}).get_data(as_text=True)
    assert "Polres Metro Bekasi Kota" not in page


def test_only_the_first_words_count(cw: CertWorld, bekasi) -> None:
    """A pasted paragraph is cut to MAX_WORDS words (the words past it are not searched)."""
    matching = ["bekasi", "kota", "p", "po", "pol", "polr", "polre", "polres"]
    assert len(set(matching)) == MAX_WORDS
    words = [*matching, "jakarta"]
    page = queries.registry_page(cw.session, Filters(q=" ".join(words)), 1)
    assert [entry.certificate.number for entry in page.items if entry.certificate] == [
        bekasi[0].number
    ]
