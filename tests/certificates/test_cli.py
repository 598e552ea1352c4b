"""``flask certificates ...`` commands."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from tests.certificates.conftest import CertWorld, pdf_pages_text
from tests.helpers import login_as, post_form
from tracker.certificates import queries
from tracker.certificates.models import Certificate, PrintJob, PrintStatus
from tracker.db import utcnow
from tracker.extensions import result_store


def test_issue_missing_issues_for_historical_designations(app, cw: CertWorld) -> None:
    designation = cw.designate()
    cw.session.commit()
    result = app.test_cli_runner().invoke(args=["certificates", "issue-missing"])
    assert result.exit_code == 0, result.output
    assert "Piagam diterbitkan: 1" in result.output
    assert queries.designations_without_certificate(cw.session) == []
    issued = cw.session.scalars(
        select(Certificate).where(Certificate.designation_id == designation.id)
    ).one()
    assert (issued.unit_name, issued.year) == (cw.unit.name, designation.year)
    again = app.test_cli_runner().invoke(args=["certificates", "issue-missing"])
    assert "Piagam diterbitkan: 0" in again.output  # nothing issued twice


def test_render_writes_the_pdf(app, cw: CertWorld, tmp_path: Path) -> None:
    certificate = cw.certificate()
    target = tmp_path / "out.pdf"
    result = app.test_cli_runner().invoke(
        args=["certificates", "render", certificate.number.lower(), "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    (text,) = pdf_pages_text(target.read_bytes())
    assert certificate.number in text


def test_render_of_an_unknown_number_fails_cleanly(app, cw: CertWorld) -> None:
    result = app.test_cli_runner().invoke(args=["certificates", "render", "ZI-1-X"])
    assert result.exit_code == 1 and "tidak ditemukan" in result.output


def test_purge_jobs_removes_old_finished_jobs_and_their_files(app, client, cw: CertWorld) -> None:
    first, second = cw.certificate(year=2019), cw.certificate(year=2020)
    login_as(client, cw.pimpinan)
    for certificate in (first, second):  # printed at once: the queue is immediate in tests
        data = {"numbers": [certificate.number], "format": "pdf", "selected": "1"}
        response = post_form(client, "/certificates/print", data, page="/certificates")
        assert response.status_code == 303
    old, recent = cw.session.scalars(select(PrintJob).order_by(PrintJob.id)).all()
    assert old.status is recent.status is PrintStatus.DONE
    assert old.result_key != recent.result_key
    old.created_at = utcnow() - timedelta(days=30)
    cw.session.commit()
    store = result_store(app)
    old_key, recent_key = old.result_key, recent.result_key
    assert store.exists(old_key) and store.exists(recent_key)

    result = app.test_cli_runner().invoke(args=["certificates", "purge-jobs", "--days", "14"])
    assert result.exit_code == 0, result.output
    assert "Berkas hasil cetak dihapus: 1" in result.output
    cw.session.expire_all()
    assert cw.session.scalars(select(PrintJob.id)).all() == [recent.id]
    assert not store.exists(old_key) and store.exists(recent_key)
