"""Batch printing: jobs run on the queue (immediately in tests), in parts, with progress,
and report failures naming the certificate at fault."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.certificates.conftest import CertWorld, pdf_pages_text
from tests.helpers import login_as, post_form
from tests.html import get_page
from tracker.certificates import assembly, printing
from tracker.certificates import pdf as pdf_module
from tracker.certificates.models import PrintFormat, PrintJob, PrintJobPart, PrintStatus
from tracker.db import utcnow
from tracker.errors import ValidationError


def request_print(client: FlaskClient, numbers: list[str], fmt: str = "pdf", **extra):
    data = {"numbers": numbers, "format": fmt, "selected": "1", **extra}
    return post_form(client, "/certificates/print", data, page="/certificates")


def job_of(cw: CertWorld, response) -> PrintJob:
    public_id = response.headers["Location"].rsplit("/", 1)[-1]
    return cw.session.scalars(
        select(PrintJob)
        .where(PrintJob.public_id == public_id)
        .execution_options(populate_existing=True)
    ).one()


@pytest.mark.parametrize(
    "total, size, parts", [(1, 5, 1), (12, 5, 3), (40, 10, 4), (200, 25, 8), (500, 25, 20)]
)
def test_part_sizes(total: int, size: int, parts: int) -> None:
    assert printing.part_size(total) == size
    assert -(-total // size) == parts


def test_a_batch_becomes_one_pdf_in_the_order_asked(client: FlaskClient, cw: CertWorld) -> None:
    made = [cw.certificate(year=2015 + i) for i in range(3)]
    wanted = [made[2].number, made[0].number, made[1].number]
    login_as(client, cw.pimpinan)
    response = request_print(client, wanted)
    assert response.status_code == 303
    job = job_of(cw, response)
    assert (job.status, job.done, job.total) == (PrintStatus.DONE, 3, 3)
    state = client.get(f"/certificates/jobs/{job.public_id}.json").json
    assert state["status"] == "done" and state["ratio"] == 1
    with client.get(state["download_url"]) as download:  # closing releases the stored file
        assert download.headers["Content-Type"] == "application/pdf"
        pages = pdf_pages_text(download.data)
    assert [next(n for n in wanted if n in page) for page in pages] == wanted
    assert not cw.session.scalars(select(PrintJobPart)).all()  # parts dropped after merging


def test_a_zip_holds_one_pdf_per_certificate(client: FlaskClient, cw: CertWorld) -> None:
    made = [cw.certificate(year=2015 + i) for i in range(2)]
    login_as(client, cw.pimpinan)
    job = job_of(cw, request_print(client, [c.number for c in made], fmt="zip"))
    with client.get(f"/certificates/jobs/{job.public_id}/download") as download:
        assert download.headers["Content-Type"] == "application/zip"
        data = download.data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == sorted(f"piagam-{c.number}.pdf" for c in made)
        for certificate in made:
            (text,) = pdf_pages_text(archive.read(f"piagam-{certificate.number}.pdf"))
            assert certificate.number in text


def test_progress_is_committed_part_by_part(
    client: FlaskClient, cw: CertWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = [cw.certificate(year=2000 + i) for i in range(12)]
    seen: list[tuple[str, int, int]] = []
    real = assembly.render_part

    def spy(items, fmt):
        job = cw.session.scalars(select(PrintJob).execution_options(populate_existing=True)).one()
        seen.append((job.status.value, job.done, job.parts_done))
        return real(items, fmt)

    monkeypatch.setattr(assembly, "render_part", spy)
    login_as(client, cw.pimpinan)
    job = job_of(cw, request_print(client, [c.number for c in made]))
    assert seen == [("running", 0, 0), ("running", 5, 1), ("running", 10, 2)]
    assert (job.status, job.done, job.parts_done, job.parts_total) == (PrintStatus.DONE, 12, 3, 3)


def test_a_failed_render_fails_the_job_naming_the_certificate(
    client: FlaskClient, cw: CertWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = [cw.certificate(year=2010 + i) for i in range(7)]
    culprit = made[5].number
    real_many, real_one = pdf_module.render_many, pdf_module.render_pdf

    def broken_batch(items):
        if any(item.number == culprit for item in items):
            raise RuntimeError("font exploded")
        return real_many(items)

    def broken_one(item):
        if item.number == culprit:
            raise RuntimeError("font exploded")
        return real_one(item)

    monkeypatch.setattr(pdf_module, "render_many", broken_batch)
    monkeypatch.setattr(pdf_module, "render_pdf", broken_one)
    login_as(client, cw.pimpinan)
    job = job_of(cw, request_print(client, [c.number for c in made]))
    assert job.status is PrintStatus.FAILED
    assert job.failed_number == culprit and "RuntimeError" in job.error
    assert job.result_key is None
    state = client.get(f"/certificates/jobs/{job.public_id}.json").json
    assert state["status"] == "failed" and culprit in state["error"]
    assert state["download_url"] is None
    assert client.get(f"/certificates/jobs/{job.public_id}/download").status_code == 404
    listing = get_page(client, "/certificates")
    shown = listing.one(f'.job[data-job-status="/certificates/jobs/{job.public_id}.json"]')
    assert "job-failed" in shown.classes
    assert culprit in shown.text_of(".job-error") and shown.text_of(".job-error") == state["error"]


def test_an_unprintable_stored_certificate_is_reported(client: FlaskClient, cw: CertWorld) -> None:
    certificate = cw.certificate()
    certificate.unit_name = "X" * 200  # data damaged after issue
    cw.session.commit()
    login_as(client, cw.pimpinan)
    job = job_of(cw, request_print(client, [certificate.number]))
    assert job.status is PrintStatus.FAILED and job.failed_number == certificate.number


def test_print_everything_matching_the_filters(client: FlaskClient, cw: CertWorld) -> None:
    kept = [cw.certificate(year=2020), cw.certificate(year=2020)]
    cw.certificate(year=2021)
    cw.certificate(cw.other_unit, year=2020)  # other agency: never in a pimpinan's batch
    login_as(client, cw.pimpinan)
    data = {"format": "pdf", "everything": "1", "year": "2020"}
    job = job_of(cw, post_form(client, "/certificates/print", data, page="/certificates"))
    assert sorted(job.numbers) == sorted(c.number for c in kept)


def test_out_of_scope_numbers_are_refused(client: FlaskClient, cw: CertWorld) -> None:
    own, other = cw.certificate(), cw.certificate(cw.other_unit)
    login_as(client, cw.pimpinan)
    assert request_print(client, [own.number, other.number]).status_code == 404
    assert cw.session.scalars(select(PrintJob)).all() == []


def test_an_empty_selection_is_refused(client: FlaskClient, cw: CertWorld) -> None:
    cw.certificate()
    login_as(client, cw.pimpinan)
    response = request_print(client, [])
    assert response.status_code == 303
    (error,) = get_page(client, "/certificates").flashes("error")
    assert error.startswith("Pilih paling sedikit satu piagam")
    assert cw.session.scalars(select(PrintJob)).all() == []


def test_jobs_are_private_to_their_requester(client: FlaskClient, cw: CertWorld) -> None:
    certificate = cw.certificate()
    login_as(client, cw.pimpinan)
    job = job_of(cw, request_print(client, [certificate.number]))
    login_as(client, cw.tpn)  # may print everything, but this is not their job
    for suffix in ("", ".json", "/download"):
        assert client.get(f"/certificates/jobs/{job.public_id}{suffix}").status_code == 404
    login_as(client, cw.admin)
    assert client.get(f"/certificates/jobs/{job.public_id}.json").status_code == 200


def test_the_job_page_can_be_left_and_found_again(client: FlaskClient, cw: CertWorld) -> None:
    certificate = cw.certificate()
    login_as(client, cw.pimpinan)
    job = job_of(cw, request_print(client, [certificate.number]))
    page = client.get(f"/certificates/jobs/{job.public_id}").get_data(as_text=True)
    assert f'data-job-status="/certificates/jobs/{job.public_id}.json"' in page
    download = get_page(client, "/certificates").one("a[data-job-download]")
    assert download.attr("href") == f"/certificates/jobs/{job.public_id}/download"


def test_request_limits(cw: CertWorld) -> None:
    with pytest.raises(ValidationError):
        printing.request_print(cw.session, user=cw.pimpinan, certificates=[], fmt=PrintFormat.PDF)
    many = [cw.certificate()] * 2
    job = printing.request_print(
        cw.session, user=cw.pimpinan, certificates=many, fmt=PrintFormat.PDF
    )
    assert job.total == 1  # duplicates collapse


def test_the_first_failure_wins_and_stops_other_parts(cw: CertWorld) -> None:
    certificate = cw.certificate()
    job = printing.request_print(
        cw.session, user=cw.pimpinan, certificates=[certificate], fmt=PrintFormat.PDF
    )
    printing.mark_running(cw.session, job.public_id)
    assert printing.fail(cw.session, job.public_id, "first", "N1")
    assert not printing.fail(cw.session, job.public_id, "second", "N2")
    assert not printing.record_part(cw.session, job, 0, b"%PDF", 1)
    job = printing.find_job(cw.session, job.public_id)
    assert (job.error, job.failed_number) == ("first", "N1")


def test_purge_removes_old_finished_jobs(cw: CertWorld) -> None:
    certificate = cw.certificate()
    job = printing.request_print(
        cw.session, user=cw.pimpinan, certificates=[certificate], fmt=PrintFormat.PDF
    )
    job.status, job.result_key = PrintStatus.DONE, "ab/" + "ab" * 31
    job.created_at = utcnow() - timedelta(days=30)
    cw.session.flush()
    old = utcnow() - timedelta(days=14)
    assert printing.purge(cw.session, older_than=old, stale_before=old) == [job.result_key]
    assert printing.find_job(cw.session, job.public_id) is None
