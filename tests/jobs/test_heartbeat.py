"""Jobs whose worker dies (issue 13 §7): a print job killed at "4 of 9" used to wait for ever, and
purge did not remove it; a killed consumer left its worker processes printing as orphans.

Now a running part writes the job's heartbeat; a job whose heartbeat stopped is retried once,
then failed, and an administrator may retry it; purge removes abandoned jobs; and a worker
process dies with its consumer. The rules run on the test database; the kills on the real
worker (``flask jobs worker``) over a live installation.
"""

from __future__ import annotations

import io
import signal
import time
from datetime import timedelta
from pathlib import Path

import psutil
import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from tests.certificates.conftest import CertWorld
from tests.helpers import login_as, post_form
from tests.jobs.conftest import Live, make_live, seed_certificates
from tests.jobs.test_queue import request_job
from tracker.audit.models import AuditEvent
from tracker.certificates import printing, services, tasks
from tracker.certificates.models import PrintFormat, PrintJob, PrintJobPart, PrintStatus
from tracker.db import utcnow
from tracker.errors import ValidationError
from tracker.extensions import result_store

STALE = timedelta(seconds=120)


@pytest.fixture
def cw(session, factory) -> CertWorld:
    world = CertWorld(session, factory)
    services.set_signatory(session, user=None, name="Dr. Penanda Uji")
    session.commit()
    return world


def running_job(cw: CertWorld, count: int = 1) -> PrintJob:
    """A job a worker has started (one part stored), as the database would have it."""
    made = [cw.certificate(year=2000 + i) for i in range(count)]
    job = printing.request_print(
        cw.session, user=cw.pimpinan, certificates=made, fmt=PrintFormat.PDF
    )
    printing.mark_running(cw.session, job.public_id)
    printing.record_part(cw.session, job, 0, b"%PDF-part", 1)
    cw.session.flush()
    return job


def fall_silent(cw: CertWorld, job: PrintJob, ago: timedelta = STALE * 2) -> None:
    """The job's last heartbeat was ``ago``: its worker died then."""
    cw.session.execute(
        PrintJob.__table__.update()
        .where(PrintJob.id == job.id)
        .values(heartbeat_at=utcnow() - ago, started_at=utcnow() - ago)
    )


def reread(cw: CertWorld, job: PrintJob) -> PrintJob:
    found = printing.find_job(cw.session, job.public_id)
    assert found is not None
    return found


def parts(cw: CertWorld, job: PrintJob) -> int:
    return len(
        cw.session.scalars(select(PrintJobPart.id).where(PrintJobPart.job_id == job.id)).all()
    )


def test_a_beating_job_is_left_alone(cw: CertWorld) -> None:
    job = running_job(cw)
    fall_silent(cw, job, ago=STALE / 2)
    assert printing.beat(cw.session, job.public_id, 0)
    assert printing.sweep(cw.session, stale_before=utcnow() - STALE) == []
    assert reread(cw, job).status is PrintStatus.RUNNING and parts(cw, job) == 1


def test_a_silent_job_is_retried_once_then_failed(cw: CertWorld) -> None:
    job = running_job(cw, count=2)
    fall_silent(cw, job)
    assert [j.public_id for j in printing.sweep(cw.session, stale_before=utcnow() - STALE)] == [
        job.public_id
    ]
    retried = reread(cw, job)
    assert (retried.status, retried.attempt, retried.done, retried.parts_done) == (
        PrintStatus.QUEUED,
        1,
        0,
        0,
    )
    assert parts(cw, job) == 0 and retried.heartbeat_at is None
    # A part of the abandoned attempt that wakes up later changes nothing.
    printing.mark_running(cw.session, job.public_id, attempt=0)
    assert reread(cw, job).status is PrintStatus.QUEUED
    assert not printing.beat(cw.session, job.public_id, 0)
    # The retry starts, and its worker dies too: no second automatic retry.
    printing.mark_running(cw.session, job.public_id, attempt=1)
    fall_silent(cw, job)
    assert printing.sweep(cw.session, stale_before=utcnow() - STALE) == []
    failed = reread(cw, job)
    assert failed.status is PrintStatus.FAILED and "worker stopped responding" in failed.error
    retries = select(AuditEvent).where(AuditEvent.tag == "certificates:print:retry")
    assert [event.actor_id for event in cw.session.scalars(retries)] == [None]  # automatic


def test_only_a_failed_job_can_be_retried(cw: CertWorld) -> None:
    job = running_job(cw)
    with pytest.raises(ValidationError):
        printing.retry(cw.session, job, user=cw.admin)
    assert printing.fail(cw.session, job.public_id, "font exploded", "N1")
    retried = printing.retry(cw.session, reread(cw, job), user=cw.admin)
    assert (retried.status, retried.attempt, retried.error, retried.failed_number) == (
        PrintStatus.QUEUED,
        1,
        None,
        None,
    )


def test_purge_removes_abandoned_jobs_but_not_working_ones(cw: CertWorld) -> None:
    abandoned, working, waiting = running_job(cw), running_job(cw), running_job(cw)
    fall_silent(cw, abandoned)
    fall_silent(cw, waiting)
    printing.mark_running(cw.session, working.public_id)  # beating now
    waiting_row = reread(cw, waiting)
    waiting_row.status = PrintStatus.QUEUED  # queued long ago, never picked up
    cw.session.flush()
    now = utcnow()
    printing.purge(cw.session, older_than=now + timedelta(seconds=1), stale_before=now - STALE)
    assert printing.find_job(cw.session, abandoned.public_id) is None
    assert printing.find_job(cw.session, waiting.public_id) is None
    assert reread(cw, working).status is PrintStatus.RUNNING


def test_the_status_poll_retries_a_job_abandoned_by_its_worker(
    client: FlaskClient,
    cw: CertWorld,
) -> None:
    """The poll of the job's page sweeps that job: the retry runs (inline here) and finishes."""
    job = running_job(cw, count=2)
    fall_silent(cw, job)
    cw.session.commit()
    login_as(client, cw.pimpinan)
    state = client.get(f"/certificates/jobs/{job.public_id}.json").json
    assert (state["status"], state["attempt"], state["done"]) == ("done", 1, 2)
    with result_store(client.application).open(reread(cw, job).result_key) as stream:
        assert len(PdfReader(io.BytesIO(stream.read())).pages) == 2


def test_an_administrator_retries_a_failed_job(client: FlaskClient, cw: CertWorld) -> None:
    job = running_job(cw)
    printing.fail(cw.session, job.public_id, "font exploded")
    cw.session.commit()
    page = f"/certificates/jobs/{job.public_id}"
    login_as(client, cw.pimpinan)  # the requester sees the failure but has no retry button
    assert "/retry" not in client.get(page).get_data(as_text=True)
    assert post_form(client, page + "/retry", {}, page=page).status_code == 403
    login_as(client, cw.admin)
    response = post_form(client, page + "/retry", {}, page=page)
    assert response.status_code == 303 and response.headers["Location"].endswith(page)
    done = reread(cw, job)
    assert (done.status, done.attempt, done.done) == (PrintStatus.DONE, 1, 1)


# --- the real worker ------------------------------------------------------------------------------


def wait_until(what: str, check, live: Live, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.05)
    pytest.fail(f"{what} within {timeout}s\nworker output:\n{live.worker_output()}")


def job_now(live: Live, public_id: str) -> PrintJob:
    with live.app.test_request_context("/"):  # a GET: reads do not wait for the write lock
        session = live.session()
        job = printing.find_job(session, public_id)
        session.close()
    assert job is not None
    return job


def sweep_until_done(live: Live, public_id: str, timeout: float = 60.0) -> PrintJob:
    """Poll as the job page does (which sweeps a silent job) until the job has ended."""

    def ended() -> PrintJob | None:
        with live.app.app_context():
            session = live.session()
            tasks.retry_stale(live.app, session, public_id)
            session.close()
        job = job_now(live, public_id)
        return job if job.status in (PrintStatus.DONE, PrintStatus.FAILED) else None

    return wait_until(f"job {public_id} did not end", ended, live, timeout)


def test_a_worker_process_killed_mid_job_is_retried_to_the_end(
    tmp_path: Path, start_worker
) -> None:
    live = make_live(tmp_path, job_stale_seconds=3)
    numbers = seed_certificates(live, 10)  # two parts of five
    consumer = psutil.Process(start_worker(live, workers=1).pid)
    public_id = request_job(live, numbers)
    wait_until("the job did not start", lambda: job_now(live, public_id).started_at, live)
    children = consumer.children()
    for child in children:  # the worker process (and the scheduler): SIGKILL, mid-job
        child.send_signal(signal.SIGKILL)
    psutil.wait_procs(children, timeout=5)
    killed = job_now(live, public_id)
    assert killed.status is PrintStatus.RUNNING and killed.done < 10, "finished before the kill"
    done = sweep_until_done(live, public_id)
    assert (done.status, done.attempt, done.done) == (PrintStatus.DONE, 1, 10), done.error
    with result_store(live.app).open(done.result_key) as stream:
        assert len(PdfReader(io.BytesIO(stream.read())).pages) == 10
    assert consumer.is_running() and len(consumer.children()) == 2  # both replaced


def test_the_worker_processes_die_with_the_consumer(tmp_path: Path, start_worker) -> None:
    live = make_live(tmp_path)
    consumer = psutil.Process(start_worker(live, workers=2).pid)
    children = wait_until(
        "the worker processes did not start",
        lambda: consumer.children() if len(consumer.children()) == 3 else None,
        live,
    )
    consumer.send_signal(signal.SIGKILL)
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == [], f"orphaned worker processes: {alive}"
