"""PortalRB pulling a whole agency from the served demo, over real HTTP (issue 12).

The app runs as `make run` serves it (gunicorn and the worker over the seeded demo). An agency
token is made with the CLI, as the README tells an agency to; then the PortalRB-like client
pulls Polri's lists and each proposed unit, and every response is checked against the
published OpenAPI document with openapi-core.
"""

from __future__ import annotations

import subprocess

import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from tests.e2e.conftest import LiveApp
from tracker.portalrb.client import PortalrbClient

TOTAL_SOAL = 127


@pytest.fixture(scope="module")
def polri_token(live_app: LiveApp) -> str:
    out = live_app.flask("portalrb", "token", "create", "polri", "--name", "PortalRB e2e")
    return out.stdout.strip().splitlines()[-1]


def _checked(spec: OpenAPI, response: requests.Response) -> requests.Response:
    request = response.request
    spec.validate_response(RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(response))
    return response


def test_portalrb_pulls_polris_proposed_units_with_every_answer(
    live_app: LiveApp, polri_token: str
) -> None:
    base = f"{live_app.base}/api/portalrb"
    result = PortalrbClient(base, polri_token, timeout=30, retry_delays=(0, 0, 0)).pull()

    assert result.ok, (result.failures, result.problems)
    assert (result.proposed_wbk, result.proposed_wbbm) == (1, 1)
    assert {u.kategori for u in result.units} == {"WBK", "WBBM"}
    for unit in result.units:
        assert unit.fetched and unit.answers == TOTAL_SOAL
        assert unit.answered == TOTAL_SOAL and unit.with_evidence > 0

    # The same exchange, each response against the published contract.
    spec = OpenAPI.from_dict(requests.get(f"{base}/openapi.json", timeout=10).json())
    auth = {"Authorization": f"Bearer {polri_token}"}
    listing = _checked(spec, requests.get(f"{base}/pengusulan/unit-wbk", headers=auth, timeout=30))
    unit_id = listing.json()["units"][0]["id"]
    answers = _checked(
        spec, requests.get(f"{base}/lke/jawaban-unit/{unit_id}", headers=auth, timeout=30)
    ).json()
    assert answers["unit_id"] == unit_id and len(answers["answers"]) == TOTAL_SOAL
    refused = _checked(spec, requests.get(f"{base}/pengusulan/unit-wbk", timeout=30))
    assert refused.status_code == 401 and refused.json()["error"] is True

    # The agency sees when PortalRB last used its token.
    listed = live_app.flask("portalrb", "token", "list", "polri").stdout
    assert "PortalRB e2e" in listed and "terakhir dipakai -" not in listed


def test_the_pull_command_prints_what_portalrb_sees(live_app: LiveApp, polri_token: str) -> None:
    out = live_app.flask(
        "portalrb", "pull", f"{live_app.base}/api/portalrb", "--token", polri_token, "--no-wait"
    ).stdout
    assert "WBK 1, WBBM 1" in out
    assert out.count(f"{TOTAL_SOAL}/{TOTAL_SOAL} soal terjawab") == 2

    with pytest.raises(subprocess.CalledProcessError) as refused:
        live_app.flask(
            "portalrb", "pull", f"{live_app.base}/api/portalrb", "--token", "zit_wrong", "--no-wait"
        )
    assert "UNAUTHORIZED" in refused.value.stdout + refused.value.stderr
