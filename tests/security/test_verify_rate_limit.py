"""Public certificate checks (issue 13 §16) and the registry's downloads are limited per client
address."""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask

from tracker import create_app


def _app(settings, session, **limits) -> Flask:
    app = create_app(dataclasses.replace(settings, **limits))
    app.config.update(TESTING=True)
    app.extensions["sessionmaker"] = lambda: session
    return app


@pytest.fixture
def limited_app(settings, session) -> Flask:
    return _app(settings, session, verify_rate_per_minute=3)


def test_a_script_trying_numbers_is_slowed_and_a_person_elsewhere_is_not(limited_app) -> None:
    client = limited_app.test_client()
    here = {"REMOTE_ADDR": "203.0.113.7"}
    answers = [
        client.get(f"/verify/ZI-2027-WBK-0001-0000{n}", environ_base=here).status_code
        for n in range(3)
    ]
    assert answers == [404, 404, 404]  # unknown numbers, each looked up

    refused = client.get("/verify?number=ZI-2027-WBK-0001-00009", environ_base=here)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Terlalu banyak pemeriksaan piagam" in refused.get_data(as_text=True)

    elsewhere = client.get(
        "/verify/ZI-2027-WBK-0001-00001", environ_base={"REMOTE_ADDR": "198.51.100.2"}
    )
    assert elsewhere.status_code == 404
    # The registry itself is not counted.
    assert client.get("/registry", environ_base=here).status_code == 200


def test_a_script_looping_on_the_registry_download_is_slowed_and_nothing_else(
    settings, session
) -> None:
    client = _app(settings, session, registry_export_rate_per_minute=2).test_client()
    here = {"REMOTE_ADDR": "203.0.113.7"}
    answers = [client.get("/registry/export.csv", environ_base=here) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].mimetype == "text/csv"

    refused = client.get("/registry/export.xlsx", environ_base=here)  # one count for both kinds
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Terlalu banyak unduhan daftar dari alamat Anda" in refused.get_data(as_text=True)

    elsewhere = {"REMOTE_ADDR": "198.51.100.2"}
    assert client.get("/registry/export.xlsx", environ_base=elsewhere).status_code == 200
    # The page and the certificate checks keep their own counts.
    assert client.get("/registry", environ_base=here).status_code == 200
    assert client.get("/verify/ZI-2027-WBK-0001-00001", environ_base=here).status_code == 404
