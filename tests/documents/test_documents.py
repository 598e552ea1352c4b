"""Issue 16 §5: the process's documents, frozen with the snapshot of their step, rendered once
with WeasyPrint, downloadable within the unit's scope, with signed scans uploaded back.

Renders are slow (about a second each), so each test renders every document it reads once and
checks several things on it."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.accreditation.test_services import approve_all, record_prerequisites
from tests.evidence.evidence_samples import pdf_bytes, png_bytes
from tests.helpers import login_as, post_form
from tests.world import YEAR, World
from tracker.accreditation import assessments
from tracker.accreditation.models import Enrolment
from tracker.accreditation.workflow import Action
from tracker.audit.models import AuditEvent
from tracker.auth.roles import Role
from tracker.documents import content
from tracker.documents.models import ProcessDocument, SignedScan
from tracker.evidence import services as evidence
from tracker.evidence.filetypes import UploadPolicy
from tracker.evidence.models import EvidencePurpose
from tracker.extensions import evidence_store, settings

A4_POINTS = (595.28, 841.89)
ITEM = "A.I.1.i.a"


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def answer_of(world: World, e: Enrolment, code: str, tier: str = "unit"):
    world.session.expire_all()
    assessment = assessments.get_assessment(world.session, e.id, tier)
    return assessments.answer_rows(world.session, [assessment.id])[assessment.id][code].value


def docs(world: World, e: Enrolment) -> dict[tuple[str, str], ProcessDocument]:
    rows = world.session.scalars(
        select(ProcessDocument).where(ProcessDocument.enrolment_id == e.id)
    ).all()
    return {(r.step.value, r.kind.value): r for r in rows}


def url(e: Enrolment, doc: ProcessDocument) -> str:
    return f"/enrolments/{e.id}/documents/{doc.id}.pdf"


def with_evidence_and_note(world: World, app, e: Enrolment) -> str:
    """An uploaded file on the first item (its SHA-256 is returned) and a TPI note."""
    with app.app_context():
        stored = evidence.upload(
            world.session,
            evidence_store(app),
            user=world.koordinator,
            enrolment=e,
            target=evidence.Target(EvidencePurpose.ITEM, ITEM, None),
            stream=io.BytesIO(pdf_bytes("SK tim")),
            filename="sk-tim.pdf",
            policy=UploadPolicy.from_settings(settings(app)),
        )
    world.session.commit()
    return stored.sha256


def assert_looks_like_a4(pdf: bytes, png: Path) -> None:
    """Page 1 rasterised to PNG (pdftoppm is not on this machine; pypdfium2, PDFium, is what
    the certificate tests use): A4, not blank, not black, with the running header drawn."""
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    assert page.get_size() == pytest.approx(A4_POINTS, abs=1)
    image = page.render(scale=100 / 72).to_pil().convert("L")
    page.close()
    document.close()
    image.save(png)
    width, height = image.size
    assert abs(height / width - 297 / 210) < 0.01
    dark = sum(image.histogram()[:128])
    assert 0.005 < dark / (width * height) < 0.5
    top = image.crop((0, 0, width, height // 12))  # the running header with the agency
    assert sum(top.histogram()[:128]) > 0


def journey(world: World, app) -> tuple[Enrolment, str]:
    """The Polres from building to designation, with an evidence file and a TPI note."""
    e = world.enrol()
    world.act(world.koordinator, e, Action.START_BUILDING)
    world.fill(e)
    sha = with_evidence_and_note(world, app, e)
    world.act(world.koordinator, e, Action.SUBMIT_PRELIMINARY)
    approve_all(world, e, world.penilai)
    world.act(world.penilai, e, Action.PRELIMINARY_PASS)
    tpi = assessments.get_assessment(world.session, e.id, "tpi")
    row = assessments.answer_rows(world.session, [tpi.id])[tpi.id][ITEM]
    row.note = "SK tim perlu diperbarui tiap tahun"
    world.session.commit()
    approve_all(world, e, world.tpi)
    world.act(world.tpi, e, Action.TPI_MEETS, on=date(YEAR, 5, 1))
    record_prerequisites(world, e)
    world.act(world.pimpinan, e, Action.PROPOSE, on=date(YEAR, 5, 20))
    world.act(world.tpn, e, Action.ADMIN_PASS)
    world.act(world.tpn, e, Action.DESK_CONTINUE)
    world.tpn_surveys(e)
    world.act(
        world.tpn, e, Action.DESIGNATE, decree_number="123/2026", decree_date=date(YEAR, 12, 10)
    )
    return e, sha


def test_each_step_makes_its_documents_and_each_reads_right(
    world: World, app, client, tmp_path
) -> None:
    e, sha = journey(world, app)
    made = docs(world, e)
    assert set(made) == {
        ("submit_preliminary", "lke"),
        ("preliminary_pass", "lke"),
        ("tpi_meets", "lke"),
        ("tpi_meets", "lhe_tpi"),
        ("propose", "lke"),
        ("propose", "proposal"),
        ("propose", "sptjm"),
        ("designate", "lke"),
        ("designate", "lhe_tpn"),
    }
    assert all(d.storage_key is None for d in made.values())  # rendered on first download
    login_as(client, world.koordinator)

    lke = client.get(f"/enrolments/{e.id}/lke.pdf")  # the LKE of the latest step
    assert lke.status_code == 200 and lke.mimetype == "application/pdf"
    text = text_of(lke.data)
    assert "Polres Uji" in text and "Kepolisian Uji" in text
    assert "100,00" in text and "Tetapkan predikat" in text
    assert sha in text.replace(" ", "")  # the evidence list with its SHA-256
    assert "SK tim perlu diperbarui tiap tahun" in text  # the TPI's note
    assert "Halaman 1 dari" in text  # page numbers
    reader = PdfReader(io.BytesIO(lke.data))
    assert len(reader.pages) > 2
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=1)
    # Stored with its hash, audited, and served as stored from then on.
    stored = made[("designate", "lke")]
    world.session.refresh(stored)
    assert stored.sha256 and stored.storage_key and stored.size == len(lke.data)
    assert client.get(f"/enrolments/{e.id}/lke.pdf").data == lke.data
    tags = world.session.scalars(
        select(AuditEvent.data).where(AuditEvent.tag == "documents:document:render")
    ).all()
    assert [t["sha256"] for t in tags] == [stored.sha256]

    lhe_pdf = client.get(url(e, made[("tpi_meets", "lhe_tpi")])).data
    assert_looks_like_a4(lhe_pdf, tmp_path / "lhe-tpi-page-1.png")
    lhe_tpi = text_of(lhe_pdf)
    assert "Laporan Hasil Evaluasi Internal" in lhe_tpi and "Memenuhi" in lhe_tpi
    assert "Penguatan Pengawasan" in lhe_tpi  # an area, with its verdict
    assert world.tpi.full_name in lhe_tpi  # the TPI member who signed off
    assert "SK tim perlu diperbarui tiap tahun" in lhe_tpi

    letter = text_of(client.get(url(e, made[("propose", "proposal")])).data)
    assert "Usulan unit kerja menuju WBK/WBBM tahun 2026" in letter
    assert "Polres Uji" in letter and world.pimpinan.full_name in letter

    sptjm = text_of(client.get(url(e, made[("propose", "sptjm")])).data)
    assert "tanggung jawab mutlak" in sptjm.lower() and "Polres Uji" in sptjm
    assert made[("propose", "sptjm")].snapshot.sha256 in sptjm.replace(" ", "")

    tpn = text_of(client.get(url(e, made[("designate", "lhe_tpn")])).data)
    assert "Tim Penilai Nasional" in tpn and "Tetapkan predikat" in tpn
    assert "123/2026" in tpn and "10 Desember 2026" in tpn


def test_a_document_stays_as_frozen_after_later_edits(world: World, app, client) -> None:
    e = world.submitted()
    frozen = docs(world, e)[("submit_preliminary", "lke")]
    # Sent back: the unit changes an answer and its note; nothing was rendered yet.
    world.act(world.penilai, e, Action.PRELIMINARY_RETURN, note="Lengkapi SK")
    unit = assessments.get_assessment(world.session, e.id, "unit")
    version = assessments.answer_rows(world.session, [unit.id])[unit.id][ITEM].version
    world.answer(
        world.actor(world.koordinator), e, ITEM, "Tidak", version=version, note="Diubah kemudian"
    )
    world.session.commit()
    assert answer_of(world, e, ITEM) == "Tidak"
    view = content.view(
        content.Frozen(frozen.kind, frozen.snapshot.payload, frozen.snapshot.sha256, frozen.data),
        assessments.framework_for(e),
    )
    assert next(r["cells"] for r in view["answers"] if r["code"] == ITEM) == [
        "Penilaian mandiri unit: Ya (1,00)"
    ]
    login_as(client, world.koordinator)
    lke = client.get(f"/enrolments/{e.id}/lke.pdf").data  # still the submission's LKE
    text = text_of(lke)
    assert "Diubah kemudian" not in text and "Penilaian mandiri unit: Ya (1,00)" in text
    assert "100,00" in text
    assert client.get(url(e, frozen)).data == lke  # the same stored file


def test_a_signed_scan_is_uploaded_back_onto_its_step(world: World, app, client) -> None:
    e = world.submitted()
    lke = docs(world, e)[("submit_preliminary", "lke")]
    page = f"/enrolments/{e.id}/documents"
    target = f"{page}/{lke.id}/scans"
    login_as(client, world.koordinator)

    refused = post_form(
        client,
        target,
        {"file": (io.BytesIO(b"MZ\x90\x00 not a scan"), "lke.pdf")},
        page=page,
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "lke.pdf" in refused.get_data(as_text=True)
    missing = post_form(client, target, {}, page=page, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "Pilih berkas pindaian" in missing.get_data(as_text=True)
    assert world.session.scalars(select(SignedScan)).all() == []

    for name, data in (("lke-ttd.pdf", pdf_bytes("LKE bertanda tangan")), ("ttd.png", png_bytes())):
        done = post_form(
            client,
            target,
            {"file": (io.BytesIO(data), name)},
            page=page,
            content_type="multipart/form-data",
        )
        assert done.status_code == 303, done.get_data(as_text=True)
    scans = world.session.scalars(select(SignedScan).order_by(SignedScan.id)).all()
    assert [(s.original_name, s.content_type) for s in scans] == [
        ("lke-ttd.pdf", "application/pdf"),
        ("ttd.png", "image/png"),
    ]
    listing = client.get(page).get_data(as_text=True)
    assert "lke-ttd.pdf" in listing and scans[0].sha256 in listing
    download = client.get(f"{page}/scans/{scans[0].id}")
    assert download.status_code == 200 and download.data == pdf_bytes("LKE bertanda tangan")
    events = world.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == "documents:scan:upload")
    ).all()
    assert [ev.data["sha256"] for ev in events] == [s.sha256 for s in scans]

    # The preliminary assessor sees the LKE but does not sign the unit's: refused, nothing kept.
    login_as(client, world.penilai)
    assert client.get(page).status_code == 200
    no = post_form(
        client,
        target,
        {"file": (io.BytesIO(pdf_bytes()), "x.pdf")},
        page=page,
        content_type="multipart/form-data",
    )
    assert no.status_code == 403
    assert len(world.session.scalars(select(SignedScan)).all()) == 2


def test_documents_are_seen_only_within_the_units_scope(world: World, app, client, factory) -> None:
    e = world.submitted()
    lhe = docs(world, e)[("submit_preliminary", "lke")]
    outsider = factory.user((Role.KOORDINATOR, world.sibling))
    login_as(client, outsider)
    for path in (
        f"/enrolments/{e.id}/documents",
        f"/enrolments/{e.id}/lke.pdf",
        url(e, lhe),
        f"/enrolments/{e.id}/documents/{lhe.id}/scans",
    ):
        method = client.post if path.endswith("/scans") else client.get
        assert method(path).status_code in (404, 400), path
    assert client.get(url(e, lhe)).status_code == 404
    # Within scope, an enrolment without a frozen step has no LKE PDF yet: said plainly.
    fresh = world.enrol(world.sibling)
    login_as(client, world.admin)
    answer = client.get(f"/enrolments/{fresh.id}/lke.pdf")
    assert answer.status_code == 404 and "belum mengirim LKE" in answer.get_data(as_text=True)
    # Another enrolment's document is not reachable through this one's address.
    assert client.get(f"/enrolments/{fresh.id}/documents/{lhe.id}.pdf").status_code == 404


def test_each_step_links_to_its_documents(world: World, app, client) -> None:
    e = world.submitted()
    lke = docs(world, e)[("submit_preliminary", "lke")]
    login_as(client, world.koordinator)
    unit_page = client.get(f"/enrolments/{e.id}").get_data(as_text=True)
    assert f"/enrolments/{e.id}/documents#step-{lke.snapshot_id}" in unit_page
    assert f"/enrolments/{e.id}/lke.pdf" in client.get(f"/enrolments/{e.id}/lke").get_data(
        as_text=True
    )
    proposal_page = client.get(f"/enrolments/{e.id}/prerequisites").get_data(as_text=True)
    assert f"/enrolments/{e.id}/documents" in proposal_page
    page = client.get(f"/enrolments/{e.id}/documents").get_data(as_text=True)
    assert f'id="step-{lke.snapshot_id}"' in page and f"/documents/{lke.id}.pdf" in page
