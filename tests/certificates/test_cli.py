"""``flask certificates ...`` commands."""

from __future__ import annotations

from pathlib import Path

from tests.certificates.conftest import CertWorld, pdf_pages_text
from tracker.certificates import queries


def test_issue_missing_issues_for_historical_designations(app, cw: CertWorld) -> None:
    designation = cw.designate()
    cw.session.commit()
    result = app.test_cli_runner().invoke(args=["certificates", "issue-missing"])
    assert result.exit_code == 0, result.output
    assert "Piagam diterbitkan: 1" in result.output
    assert queries.designations_without_certificate(cw.session) == []
    assert designation.id is not None


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


def test_purge_jobs_runs(app, cw: CertWorld) -> None:
    result = app.test_cli_runner().invoke(args=["certificates", "purge-jobs", "--days", "0"])
    assert result.exit_code == 0 and "dihapus: 0" in result.output
