"""The endpoints PortalRB pulls: shapes, the proposal period, token cases with the guide's error
body, rate limit, read-only, pulls recorded; every response validated against the OpenAPI
document with openapi-core."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from sqlalchemy import event, select

from tests.accreditation.test_history import recorded_wbk
from tests.evidence.evidence_samples import pdf_bytes
from tests.portalrb.conftest import (
    AFTER_DEADLINE,
    YEAR,
    master_soal_ids,
    new_token,
)
from tracker.accreditation import assessments, cycles
from tracker.accreditation.models import Predicate
from tracker.accreditation.workflow import Deadline, Stage
from tracker.audit.models import AuditEvent
from tracker.evidence import services as evidence
from tracker.evidence.filetypes import UploadPolicy
from tracker.evidence.models import EvidencePurpose
from tracker.extensions import evidence_store, settings
from tracker.portalrb import api, tokens
from tracker.portalrb.models import PortalrbPull

BASE = "/api/portalrb"


@pytest.fixture(scope="module")
def spec() -> OpenAPI:
    document = dict(api.openapi_document())
    document["servers"] = [{"url": "http://localhost/api/portalrb"}]
    return OpenAPI.from_dict(document)


def checked(spec: OpenAPI, response):
    """The response, after openapi-core validated it against the document."""
    spec.validate_response(
        WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response)
    )
    return response


def guide_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] is True and body["code"] == code and body["message"]
    assert set(body) == {"error", "code", "message"}
    return body


def test_the_wbk_list_names_the_proposed_unit_and_wbbm_is_empty(client, spec, pulling) -> None:
    w = pulling.world
    response = checked(spec, client.get(f"{BASE}/pengusulan/unit-wbk", headers=pulling.headers))
    assert response.status_code == 200
    assert response.get_json() == {
        "tahun": YEAR,
        "units": [
            {"id": str(w.polres.id), "nama": "Polres Uji", "kategori": "WBK", "afirmasi": False}
        ],
    }
    assert "Set-Cookie" not in response.headers
    wbbm = checked(spec, client.get(f"{BASE}/pengusulan/unit-wbbm", headers=pulling.headers))
    assert wbbm.get_json() == {"tahun": YEAR, "units": []}


def test_a_wbbm_proposal_is_in_the_wbbm_list_only(client, spec, pulling) -> None:
    w = pulling.world
    recorded_wbk(w, unit=w.sibling)  # D9: WBBM builds on an active WBK
    e = w.enrol(w.sibling, target=Predicate.WBBM)
    e.stage = Stage.PROPOSED  # the path to a WBBM proposal is not this test's subject
    w.session.commit()
    wbbm = checked(spec, client.get(f"{BASE}/pengusulan/unit-wbbm", headers=pulling.headers))
    assert wbbm.get_json()["units"] == [
        {"id": str(w.sibling.id), "nama": "Polres Tetangga", "kategori": "WBBM", "afirmasi": False}
    ]
    wbk = client.get(f"{BASE}/pengusulan/unit-wbk", headers=pulling.headers).get_json()
    assert [u["id"] for u in wbk["units"]] == [str(w.polres.id)]


def test_the_answers_carry_every_soal_id_in_the_form_of_its_type(client, spec, pulling) -> None:
    w, e = pulling.world, pulling.enrolment
    url = f"{BASE}/lke/jawaban-unit/{w.polres.id}"
    response = checked(spec, client.get(url, headers=pulling.headers))
    assert response.status_code == 200
    body = response.get_json()
    assert body["unit_id"] == str(w.polres.id) and body["nama_unit"] == "Polres Uji"
    assert body["tahun"] == YEAR
    answers = {a["soal_id"]: a for a in body["answers"]}
    assert set(answers) == master_soal_ids()
    assert all(
        set(a)
        == {
            "soal_id",
            "jawaban_unit",
            "jawaban_tpi",
            "catatan_unit",
            "bukti_dukung_unit",
            "catatan_tpi",
        }
        for a in body["answers"]
    )
    assert answers[1]["jawaban_unit"] == "Ya" and answers[1]["jawaban_tpi"] == "Ya"
    # The world's perfect LKE: counts as whole numbers, the survey index with two decimals.
    framework = assessments.framework_for(e)
    unit_rows = assessments.answer_rows(
        w.session, [assessments.get_assessment(w.session, e.id, "unit").id]
    )
    counts = unit_rows[next(iter(unit_rows))]["A.II.1.i.a"].value
    assert answers[88]["jawaban_unit"] == str(counts[0])
    assert answers[89]["jawaban_unit"] == str(counts[1])
    values = {a["jawaban_unit"] for a in body["answers"]}
    assert "4.00" in values
    assert all(v is None or isinstance(v, str) for v in values)
    assert framework.code == "lke-2021"


def test_unit_and_tpi_answers_notes_and_evidence_come_from_their_tiers(
    app, client, spec, pulling
) -> None:
    w, e = pulling.world, pulling.enrolment
    unit = assessments.get_assessment(w.session, e.id, "unit")
    tpi = assessments.get_assessment(w.session, e.id, "tpi")
    rows = assessments.answer_rows(w.session, [unit.id, tpi.id])
    rows[unit.id]["A.I.1.i.a"].note = "SK tim ditandatangani kepala"
    rows[tpi.id]["A.I.1.i.a"].value = "Tidak"
    rows[tpi.id]["A.I.1.i.a"].note = "SK belum ditandatangani"
    doc = assessments.framework_for(e).item("A.I.1.i.a").documents[0].key
    evidence.add_link(
        w.session,
        user=w.koordinator,
        enrolment=e,
        target=evidence.Target(EvidencePurpose.ITEM, "A.I.1.i.a", doc),
        url="https://drive.example.go.id/sk-tim",
        title="SK tim",
    )
    with app.app_context():
        stored = evidence.upload(
            w.session,
            evidence_store(app),
            user=w.koordinator,
            enrolment=e,
            target=evidence.Target(EvidencePurpose.ITEM, "A.I.1.i.a", None),
            stream=io.BytesIO(pdf_bytes("SK tim")),
            filename="sk-tim.pdf",
            policy=UploadPolicy.from_settings(settings(app)),
        )
    w.session.commit()
    body = client.get(f"{BASE}/lke/jawaban-unit/{w.polres.id}", headers=pulling.headers)
    first = next(a for a in body.get_json()["answers"] if a["soal_id"] == 1)
    assert first["jawaban_unit"] == "Ya" and first["jawaban_tpi"] == "Tidak"
    assert first["catatan_unit"] == "SK tim ditandatangani kepala"
    assert first["catatan_tpi"] == "SK belum ditandatangani"
    download = f"http://127.0.0.1:5000/api/portalrb/bukti/{stored.public_id}"
    assert sorted(first["bukti_dukung_unit"].split("\n")) == sorted(
        ["https://drive.example.go.id/sk-tim", download]
    )
    # The download URL works with PortalRB's token, and only with it.
    path = download.removeprefix("http://127.0.0.1:5000")
    file = client.get(path, headers=pulling.headers)
    data = file.get_data()  # read, then close the store's file handle it streamed from
    file.close()
    assert file.status_code == 200 and data == pdf_bytes("SK tim")
    assert "attachment" in file.headers["Content-Disposition"]
    checked(spec, file)
    guide_error(client.get(path), 401, "UNAUTHORIZED")
    guide_error(
        client.get(f"{BASE}/bukti/tidak-ada", headers=pulling.headers), 404, "DATA_NOT_FOUND"
    )


def test_the_answers_are_read_in_a_few_queries(app, client, pulling) -> None:
    statements: list[str] = []
    engine = app.extensions["engine"]
    connection = pulling.world.session.connection()

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        response = client.get(
            f"{BASE}/lke/jawaban-unit/{pulling.world.polres.id}", headers=pulling.headers
        )
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert response.status_code == 200
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) <= 20, reads  # constant: not one per item (the LKE has 127 questions)
    assert engine is not None


def test_outside_the_proposal_period_every_endpoint_answers_404(
    client, spec, pulling, today
) -> None:
    w = pulling.world
    today.value = AFTER_DEADLINE
    for path in (
        "/pengusulan/unit-wbk",
        "/pengusulan/unit-wbbm",
        f"/lke/jawaban-unit/{w.polres.id}",
    ):
        guide_error(
            checked(spec, client.get(BASE + path, headers=pulling.headers)), 404, "DATA_NOT_FOUND"
        )
    # An extension of the agency's proposal deadline opens the period again.
    cycles.extend_deadline(
        w.session,
        user=w.admin,
        cycle=w.cycle,
        deadline=Deadline.PROPOSAL,
        new_date=AFTER_DEADLINE + timedelta(days=7),
        reason="Perpanjangan uji",
        agency=w.agency,
    )
    w.session.commit()
    assert client.get(f"{BASE}/pengusulan/unit-wbk", headers=pulling.headers).status_code == 200


def test_a_unit_not_proposed_or_unknown_is_404_and_a_bad_id_is_json(client, spec, pulling) -> None:
    w = pulling.world
    w.enrol(w.sibling)  # declared only
    for unit_id in (w.sibling.id, w.polda.id, 999999, "abc", "12a", "0", "99999999999"):
        response = checked(
            spec, client.get(f"{BASE}/lke/jawaban-unit/{unit_id}", headers=pulling.headers)
        )
        guide_error(response, 404, "DATA_NOT_FOUND")


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ", "Basic abc", "Bearer zit_salah"])
def test_a_missing_or_wrong_token_is_401(client, spec, pulling, header) -> None:
    headers = {"Authorization": header} if header is not None else {}
    for path in ("/pengusulan/unit-wbk", f"/lke/jawaban-unit/{pulling.world.polres.id}"):
        response = checked(spec, client.get(BASE + path, headers=headers))
        guide_error(response, 401, "UNAUTHORIZED")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_another_agencys_token_is_403_on_this_agencys_unit(client, spec, pulling, factory) -> None:
    w = pulling.world
    other = new_token(w.session, w, agency=factory.agency("Instansi Lain"))
    headers = {"Authorization": f"Bearer {other.token}"}
    response = checked(spec, client.get(f"{BASE}/lke/jawaban-unit/{w.polres.id}", headers=headers))
    guide_error(response, 403, "FORBIDDEN")
    # Its own lists hold nothing of this agency.
    units = client.get(f"{BASE}/pengusulan/unit-wbk", headers=headers).get_json()["units"]
    assert units == []
    pull = w.session.scalars(
        select(PortalrbPull).where(
            PortalrbPull.token_id == other.row.id, PortalrbPull.status == 403
        )
    ).one()
    assert pull.unit_id == w.polres.id


def test_an_expired_or_revoked_token_is_401_and_recorded(client, spec, pulling, today) -> None:
    w = pulling.world
    expiring = new_token(w.session, w, name="Sementara", expires_on=date(YEAR, 5, 24))
    headers = {"Authorization": f"Bearer {expiring.token}"}
    guide_error(
        checked(spec, client.get(f"{BASE}/pengusulan/unit-wbk", headers=headers)),
        401,
        "UNAUTHORIZED",
    )
    today.value = date(YEAR, 5, 24)  # the expiry date itself still counts
    assert client.get(f"{BASE}/pengusulan/unit-wbk", headers=headers).status_code == 200
    tokens.revoke_token(w.session, user=w.pimpinan, token=pulling.token)
    w.session.commit()
    body = guide_error(
        checked(spec, client.get(f"{BASE}/pengusulan/unit-wbk", headers=pulling.headers)),
        401,
        "UNAUTHORIZED",
    )
    assert "dicabut" in body["message"]
    statuses = w.session.scalars(
        select(PortalrbPull.status).where(PortalrbPull.token_id == pulling.token.id)
    ).all()
    assert statuses == [401]


def test_too_many_requests_is_429_with_retry_after(app, client, spec, pulling) -> None:
    app.config["TRACKER_SETTINGS"] = settings(app).__class__(
        **{**settings(app).__dict__, "portalrb_rate_per_minute": 2}
    )
    url = f"{BASE}/pengusulan/unit-wbk"
    assert [client.get(url, headers=pulling.headers).status_code for _ in range(2)] == [200, 200]
    response = checked(spec, client.get(url, headers=pulling.headers))
    guide_error(response, 429, "RATE_LIMIT_EXCEEDED")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    # The limit is per token: another token of the agency still passes.
    other = new_token(pulling.world.session, pulling.world, name="Cadangan")
    assert client.get(url, headers={"Authorization": f"Bearer {other.token}"}).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(client, spec, pulling, method) -> None:
    response = getattr(client, method)(
        f"{BASE}/lke/jawaban-unit/{pulling.world.polres.id}", headers=pulling.headers
    )
    guide_error(checked(spec, response), 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["Allow"]


def test_every_pull_is_recorded_and_audited(client, pulling) -> None:
    w = pulling.world
    client.get(f"{BASE}/pengusulan/unit-wbk", headers=pulling.headers)
    client.get(f"{BASE}/lke/jawaban-unit/{w.polres.id}", headers=pulling.headers)
    pulls = w.session.scalars(select(PortalrbPull).order_by(PortalrbPull.id)).all()
    assert [(p.endpoint, p.unit_id, p.status) for p in pulls] == [
        ("/pengusulan/unit-wbk", None, 200),
        (f"/lke/jawaban-unit/{w.polres.id}", w.polres.id, 200),
    ]
    events = w.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == "portalrb:api:pull").order_by(AuditEvent.seq)
    ).all()
    assert len(events) == 2
    assert events[1].actor_name == f"PortalRB (PortalRB, {w.agency.short_name})"
    assert events[1].unit_id == w.polres.id and events[1].agency_id == w.agency.id
    assert events[1].data["endpoint"] == f"/lke/jawaban-unit/{w.polres.id}"
    w.session.refresh(pulling.token)
    assert pulling.token.last_used_at is not None


def test_the_openapi_document_is_served_with_the_public_host(client) -> None:
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://127.0.0.1:5000/api/portalrb"}]
    unknown = client.get(f"{BASE}/tidak-ada")
    guide_error(unknown, 404, "DATA_NOT_FOUND")
