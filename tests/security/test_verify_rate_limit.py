"""Public certificate checks are limited per client address (issue 13 §16)."""

from __future__ import annotations

import dataclasses

import pytest
from flask import Flask

from tracker import create_app


@pytest.fixture
def limited_app(settings, session) -> Flask:
    app = create_app(dataclasses.replace(settings, verify_rate_per_minute=3))
    app.config.update(TESTING=True)
    app.extensions["sessionmaker"] = lambda: session
    return app


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
