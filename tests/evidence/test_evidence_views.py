"""Evidence over HTTP: streamed and form uploads, limits, downloads, access, withdrawal."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from tests.evidence.evidence_samples import docx_bytes, exe_bytes, pdf_bytes, png_bytes
from tests.helpers import csrf_token, login_as, post_form
from tests.html import get_page
from tests.world import World
from tracker import create_app
from tracker.audit.models import AuditEvent
from tracker.auth.roles import Role
from tracker.evidence.models import EvidenceFile

ITEM = "A.I.1.i.a"
DOC = "team-decree-sk-tim-kerja-zi"


def _stream(client, enrolment, data: bytes, name: str, document: str = DOC, replaces: str = ""):
    token = csrf_token(client, f"/enrolments/{enrolment.id}/lke")
    extra = f"&replaces={replaces}" if replaces else ""
    return client.post(
        f"/enrolments/{enrolment.id}/evidence/stream?item={ITEM}&document={document}{extra}",
        data=data,
        headers={
            "X-CSRFToken": token,
            "X-File-Name": name,
            "Content-Type": "application/octet-stream",
            "Accept": "application/json",
        },
    )


def test_a_streamed_replacement_creates_the_next_version(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    first = _stream(client, e, pdf_bytes("1"), "SK%20Tim%20ZI.pdf")
    second = _stream(
        client, e, pdf_bytes("2"), "SK%20Tim%20ZI%20revisi.pdf", replaces=first.json["id"]
    )
    assert first.status_code == 201 and second.status_code == 201
    assert (first.json["version"], second.json["version"]) == (1, 2)
    assert first.json["name"] == "SK Tim ZI.pdf"
    item = get_page(client, f"/enrolments/{e.id}/lke?area=1").one(f'article[id="item-{ITEM}"]')
    links = item.select('a[href^="/evidence/"]')
    assert [a.attr("href") for a in links][:1] == [f"/evidence/{second.json['id']}"]
    assert "SK Tim ZI revisi.pdf" in links[0].text  # the current version is the one offered


def test_rejected_files_name_the_file_and_leave_nothing(client, world: World, settings) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    response = _stream(client, e, exe_bytes(), "laporan.pdf")
    assert response.status_code == 422 and "laporan.pdf" in response.json["error"]
    assert world.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
    stored = [p for p in settings.evidence_dir.rglob("*") if p.is_file()]
    assert stored == []


def test_too_large_is_refused_before_reading(app, client, world: World, settings) -> None:
    e = world.building()
    app.config["TRACKER_SETTINGS"] = replace(settings, max_upload_bytes=1000)
    login_as(client, world.koordinator)
    response = _stream(client, e, pdf_bytes(padding=5000), "besar.pdf")
    assert response.status_code == 422
    assert "besar.pdf" in response.json["error"] and "melebihi batas" in response.json["error"]


def test_form_upload_keeps_good_files_and_reports_bad_ones(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    page = f"/enrolments/{e.id}/lke"
    response = post_form(
        client,
        f"/enrolments/{e.id}/evidence",
        {
            "item": ITEM,
            "document": DOC,
            "files": [
                (io.BytesIO(docx_bytes()), "notulen.docx"),
                (io.BytesIO(exe_bytes()), "virus.png"),
            ],
        },
        page=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    reloaded = get_page(client, page + "?area=1")
    (refused,) = reloaded.flashes("error")
    assert refused.startswith("Berkas virus.png ditolak")
    (kept,) = world.session.scalars(select(EvidenceFile)).all()
    assert kept.original_name == "notulen.docx"
    assert "notulen.docx" in reloaded.text_of(f'a[href="/evidence/{kept.public_id}"]')


def test_download_is_an_attachment_for_those_in_scope(client, world: World, factory) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    public_id = _stream(client, e, png_bytes(), "foto<script>.png").json["id"]
    response = client.get(f"/evidence/{public_id}")
    assert response.status_code == 200 and response.data == png_bytes()
    response.close()
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    for outsider in (
        factory.user((Role.KOORDINATOR, world.sibling)),
        factory.user((Role.PIMPINAN, factory.agency())),
    ):
        login_as(client, outsider)
        assert client.get(f"/evidence/{public_id}").status_code == 404
    assert client.get("/evidence/1").status_code == 404  # no sequential ids


def test_reviewer_downloads_are_audited(client, world: World) -> None:
    e = world.building()
    tpi_id = world.tpi.id
    login_as(client, world.koordinator)
    public_id = _stream(client, e, pdf_bytes(), "sk.pdf").json["id"]
    client.get(f"/evidence/{public_id}").close()
    login_as(client, world.tpi)
    client.get(f"/evidence/{public_id}").close()
    downloads = world.session.scalars(
        select(AuditEvent.actor_id).where(AuditEvent.tag == "evidence:file:download")
    ).all()
    assert downloads == [tpi_id]


def test_upload_is_refused_outside_the_building_stage(client, world: World, settings) -> None:
    e = world.submitted()
    login_as(client, world.koordinator)
    assert _stream(client, e, pdf_bytes(), "telat.pdf").status_code == 403
    login_as(client, world.tpi)
    assert _stream(client, e, pdf_bytes(), "tpi.pdf").status_code == 403
    assert world.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
    assert [p for p in settings.evidence_dir.rglob("*") if p.is_file()] == []


def test_withdraw_through_the_page(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    public_id = _stream(client, e, pdf_bytes(), "salah.pdf").json["id"]
    login_as(client, world.pokja)  # a working-group member of areas 5 and 6 only
    refused = post_form(client, f"/evidence/{public_id}/withdraw", page=f"/enrolments/{e.id}/lke")
    assert refused.status_code == 403
    assert world.session.scalars(select(EvidenceFile)).one().status.value == "active"
    login_as(client, world.koordinator)
    response = post_form(client, f"/evidence/{public_id}/withdraw", page=f"/enrolments/{e.id}/lke")
    assert response.status_code == 303
    assert world.session.scalars(select(EvidenceFile)).one().status.value == "withdrawn"


@pytest.mark.s3
def test_the_app_runs_on_the_s3_backend(settings, session, world: World, s3_store) -> None:
    app = create_app(
        replace(
            settings,
            evidence_backend="s3",
            s3_bucket=s3_store.bucket,
            s3_endpoint_url=s3_store.client.meta.endpoint_url,
            s3_access_key="testing",
            s3_secret_key="testing",
            s3_prefix=s3_store.prefix.rstrip("/"),
        )
    )
    app.config.update(TESTING=True)
    app.extensions["sessionmaker"] = lambda: session
    client = app.test_client()
    e = world.building()
    login_as(client, world.koordinator)
    public_id = _stream(client, e, pdf_bytes("s3"), "s3.pdf").json["id"]
    response = client.get(f"/evidence/{public_id}")
    assert response.data == pdf_bytes("s3")
    response.close()
    assert len(list(s3_store.iter_keys())) == 1
