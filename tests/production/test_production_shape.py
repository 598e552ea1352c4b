"""The production shape, tested end to end (issue 18 §4).

``deploy/production_shape.py`` starts PostgreSQL, moto's S3, redis-server, two gunicorn app
servers, a job worker and nginx in front (TLS, request buffering, timeouts), migrated and seeded
with the demo story. The journey then runs over HTTPS through nginx only: sign in, answer an LKE
item, upload evidence (which lands in the bucket), a reviewer's decision, /readyz and /metrics;
and both app servers must have served part of it.

It needs its own PostgreSQL whatever the suite runs on, so `make test` runs it once: in the
SQLite run (it is skipped where TEST_DATABASE_URL names a database).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
import requests
from sqlalchemy import create_engine, text

from tests.evidence.evidence_samples import pdf_bytes
from tests.servers import free_port, running

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "zona-integritas"  # the published demo password
METRICS_TOKEN = "shape-metrics-token-0123456789"
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
ANSWER_FORM = re.compile(
    r'action="/enrolments/\d+/lke/unit/([^/"]+)" class="answer-form">(.*?)</form>', re.S
)
AREA_ITEM = re.compile(r'<div class="answer-form" data-code="([^"]+)"')
DECISION_FORM = re.compile(
    r'action="/enrolments/\d+/items/([^/"]+)/decision" class="decision-form">(.*?)</form>', re.S
)
SEQ = re.compile(r'name="seq" value="(\d+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
OPTION = re.compile(r'name="value" value="([^"]+)"')
ITEM, DOCUMENT = "A.I.1.i.a", "team-decree-sk-tim-kerja-zi"

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")),
    reason="starts its own PostgreSQL: run once, in the SQLite run of `make test`",
)


@dataclass
class Browser:
    """One signed-in person, talking to nginx only."""

    base: str
    ca_file: str
    http: requests.Session = field(default_factory=requests.Session)
    token: str = ""
    request_ids: set[str] = field(default_factory=set)

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.http.request(
            method,
            self.base + path,
            verify=self.ca_file,
            allow_redirects=False,
            timeout=60,
            **kwargs,
        )
        self.request_ids.add(response.headers.get("X-Request-ID", ""))
        if match := TOKEN.search(response.text):
            self.token = match.group(1)
        return response

    def post(self, path: str, data: dict, **kwargs) -> requests.Response:
        # Over HTTPS Flask-WTF also wants the Referer of a page of this site, as browsers send.
        headers = {"Referer": self.base + "/"} | kwargs.pop("headers", {})
        data = {**data, "csrf_token": self.token}
        return self.request("POST", path, data=data, headers=headers, **kwargs)


@pytest.fixture(scope="module")
def shape(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("production-shape") / "shape"
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "REDIS_URL")},
        "SECRET_KEY": "shape-secret-key-from-the-environment",
        "AUDIT_KEY": "shape-audit-key-from-the-environment-0123456789",
        "PUBLIC_BASE_URL": f"https://127.0.0.1:{port}",
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    command = [sys.executable, "-m", "deploy.production_shape", str(folder)]
    command += ["--port", str(port), "--workers", "1", "--seed-demo"]
    log = folder.parent / "production-shape.log"

    def ready(process: subprocess.Popen) -> None:
        deadline = time.monotonic() + 300
        while not (folder / "shape.json").exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the production shape did not start:\n{log.read_text()[-5000:]}")
            time.sleep(0.5)

    with running(
        command,
        name="production shape",
        log=log,
        ready=ready,
        group=True,
        stop_timeout=60,
        cwd=ROOT,
        env=env,
    ):
        yield json.loads((folder / "shape.json").read_text())


def _enrolment(shape: dict, unit: str) -> int:
    engine = create_engine(shape["database_url"])
    try:
        with engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT enrolments.id FROM enrolments JOIN units "
                    "ON units.id = enrolments.unit_id WHERE units.name = :unit"
                ),
                {"unit": unit},
            ).scalar_one()
    finally:
        engine.dispose()


def _sign_in(shape: dict, username: str) -> Browser:
    browser = Browser(shape["url"], shape["ca_file"])
    assert browser.request("GET", "/login").status_code == 200
    response = browser.post("/login", {"username": username, "password": PASSWORD})
    assert response.status_code in (302, 303), response.text[:500]
    return browser


def _answer_one(browser: Browser, enrolment: int) -> None:
    html = browser.request("GET", f"/enrolments/{enrolment}/lke?area=1").text
    forms = [
        (code, VERSION.search(body), OPTION.findall(body))
        for code, body in ANSWER_FORM.findall(html)
    ]
    for code in AREA_ITEM.findall(html):  # an area's one form, its fields named by item
        field_ = re.escape(code)
        forms.append(
            (
                code,
                re.search(rf'name="{field_}-version" value="(\d+)"', html),
                re.findall(rf'name="{field_}-value" value="([^"]+)"', html),
            )
        )
    code, version, options = next(f for f in forms if f[1] and len(f[2]) >= 2)
    response = browser.post(
        f"/enrolments/{enrolment}/lke/unit/{code}",
        {"value": options[1], "note": "diisi lewat nginx", "version": version.group(1)},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.text[:500]


def _decide_one(browser: Browser, enrolment: int) -> None:
    for area in ("1", "2", "3", "4", "5", "6", "B"):
        html = browser.request("GET", f"/enrolments/{enrolment}/lke?area={area}").text
        if found := DECISION_FORM.findall(html):
            code, body = found[-1]
            break
    else:
        pytest.fail("no decision form on the enrolment under review")
    response = browser.post(
        f"/enrolments/{enrolment}/items/{code}/decision",
        {"kind": "approved", "comment": "", "seq": SEQ.search(body).group(1)},
    )
    assert response.status_code in (200, 303), response.text[:500]


def _served(log: str) -> set[str]:
    """The request ids of the JSON request lines in an app server's log."""
    ids = set()
    for line in Path(log).read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("message") == "request":
                ids.add(entry["request_id"])
    return ids


def test_the_journey_through_nginx_on_the_production_shape(shape: dict) -> None:
    anonymous = Browser(shape["url"], shape["ca_file"])
    ready = anonymous.request("GET", "/readyz")
    assert ready.status_code == 200, ready.text
    assert {k: v["ok"] for k, v in ready.json()["checks"].items()} == {
        "database": True,
        "storage": True,
        "queue": True,
    }
    mine = anonymous.request("GET", "/healthz", headers={"X-Request-ID": "journey-0001-abcdef"})
    assert mine.headers["X-Request-ID"] == "journey-0001-abcdef"

    coordinator = _sign_in(shape, "koordinator.metrobekasi")
    bekasi = _enrolment(shape, "Polres Metro Bekasi")
    _answer_one(coordinator, bekasi)
    evidence = pdf_bytes("SK tim kerja, diunggah lewat nginx")
    response = coordinator.post(
        f"/enrolments/{bekasi}/evidence",
        {"item": ITEM, "document": DOCUMENT},
        files={"files": ("sk-tim.pdf", evidence, "application/pdf")},
    )
    assert response.status_code == 303, response.text[:500]
    sha256 = hashlib.sha256(evidence).hexdigest()
    s3 = boto3.client(
        "s3",
        endpoint_url=shape["s3"]["endpoint"],
        region_name="us-east-1",
        aws_access_key_id="shape",
        aws_secret_access_key="shape",
    )
    key = f"{shape['s3']['prefix']}{sha256[:2]}/{sha256}"
    assert s3.head_object(Bucket=shape["s3"]["bucket"], Key=key)["ContentLength"] == len(evidence)

    reviewer = _sign_in(shape, "penilai.poldametro")
    _decide_one(reviewer, _enrolment(shape, "Polres Metro Depok"))

    assert anonymous.request("GET", "/metrics").status_code == 404  # through the proxy
    metrics = anonymous.request(
        "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert metrics.status_code == 200
    # The machine's figures: both app servers' workers added up (PROMETHEUS_MULTIPROC_DIR).
    assert 'zi_login_attempts_total{outcome="success"} 2.0' in metrics.text
    assert 'route="/enrolments/<int:enrolment_id>/evidence",status="303"' in metrics.text
    assert "zi_job_queue_depth" in metrics.text

    sent = anonymous.request_ids | coordinator.request_ids | reviewer.request_ids
    first, second = (_served(shape["logs"][name]) for name in ("app1", "app2"))
    assert first & sent and second & sent, "nginx did not spread the journey over both servers"
    assert "journey-0001-abcdef" in first | second
    assert "on redis" in Path(shape["logs"]["worker"]).read_text()
