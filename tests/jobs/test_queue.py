"""The job queue: chosen from the settings, and driven end to end through the real worker
process on the embedded SQLite queue and on a real Redis."""

from __future__ import annotations

import io
import signal
import time
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
from huey import MemoryHuey, RedisHuey, SqliteHuey
from pypdf import PdfReader

from config import Settings
from tests.certificates.conftest import CertWorld
from tests.jobs.conftest import Live, make_live, seed_certificates
from tracker import create_app, jobs
from tracker.certificates import printing, services, tasks
from tracker.certificates.models import Certificate, PrintFormat, PrintJob, PrintStatus
from tracker.extensions import JOB_TASKS, result_store

JOB_TIMEOUT = 120.0


def settings_for(tmp_path: Path, **overrides) -> Settings:
    return Settings(database_url="sqlite://", secret_key="x", instance_dir=tmp_path, **overrides)


def test_the_queue_follows_the_settings(tmp_path: Path) -> None:
    immediate = jobs.build_huey(settings_for(tmp_path, jobs_immediate=True))
    assert isinstance(immediate, MemoryHuey) and immediate.immediate
    embedded = jobs.build_huey(settings_for(tmp_path))
    assert isinstance(embedded, SqliteHuey) and not embedded.immediate
    assert embedded.storage.filename == str(tmp_path / "jobs.sqlite3")
    shared = jobs.build_huey(settings_for(tmp_path, redis_url="redis://127.0.0.1:1/0"))
    assert isinstance(shared, RedisHuey)


def test_an_app_registers_its_tasks_once(app) -> None:
    queue = jobs.queue(app)
    assert jobs.queue(app) is queue
    assert tasks.RENDER_PART in app.extensions[JOB_TASKS]


def request_job(live: Live, numbers: list[str], fmt: PrintFormat = PrintFormat.PDF) -> str:
    """What the print view does: record the job, commit, queue its parts."""
    with live.app.app_context():
        session = live.session()
        chosen = [session.query(Certificate).filter_by(number=n).one() for n in numbers]
        job = printing.request_print(session, user=live.user, certificates=chosen, fmt=fmt)
        session.commit()
        assert tasks.enqueue_job(session, job)
        session.close()
    return job.public_id


def wait_for(live: Live, public_id: str) -> PrintJob:
    deadline = time.monotonic() + JOB_TIMEOUT
    seen: list[tuple[str, int]] = []
    while time.monotonic() < deadline:
        # A GET request context, as the browser's polling: on SQLite its reads do not queue
        # for the write lock the worker needs (see tracker.db).
        with live.app.test_request_context("/"):
            session = live.session()
            job = printing.find_job(session, public_id)
            session.close()
        if not seen or seen[-1] != (job.status.value, job.done):
            seen.append((job.status.value, job.done))
        if job.status in (PrintStatus.DONE, PrintStatus.FAILED):
            return job
        if live.worker is not None and live.worker.poll() is not None:
            pytest.fail(f"the worker exited with {live.worker.returncode}:\n{live.worker_output()}")
        time.sleep(0.1)
    pytest.fail(
        f"job {public_id} did not finish in {JOB_TIMEOUT}s; progress seen: {seen}\n"
        f"worker output:\n{live.worker_output()}"
    )


def result_pages(live: Live, job: PrintJob) -> list[str]:
    with result_store(live.app).open(job.result_key) as stream:
        reader = PdfReader(io.BytesIO(stream.read()))
    return [page.extract_text() for page in reader.pages]


def test_the_embedded_queue_and_the_real_worker(tmp_path: Path, start_worker) -> None:
    live = make_live(tmp_path)
    numbers = seed_certificates(live, 14)
    good = request_job(live, numbers[:12])
    assert (tmp_path / "instance" / "jobs.sqlite3").exists()
    with live.app.app_context():  # a certificate damaged after issue cannot be printed
        session = live.session()
        session.query(Certificate).filter_by(number=numbers[13]).update({"unit_name": "X" * 200})
        session.commit()
        session.close()
    bad = request_job(live, numbers[9:])
    start_worker(live)
    done = wait_for(live, good)
    assert (done.status, done.done, done.total) == (PrintStatus.DONE, 12, 12), done.error
    pages = result_pages(live, done)
    assert len(pages) == 12 and numbers[0] in pages[0] and numbers[11] in pages[11]
    failed = wait_for(live, bad)
    assert failed.status is PrintStatus.FAILED and failed.failed_number == numbers[13]


@pytest.mark.redis
def test_redis_queue_shared_by_two_app_servers(
    tmp_path: Path, redis_url: str, start_worker
) -> None:
    live = make_live(tmp_path, redis_url=redis_url)
    numbers = seed_certificates(live, 6)
    second_server = Live(tmp_path, live.settings, create_app(live.settings), live.user)
    first = request_job(live, numbers[:3])
    second = request_job(second_server, numbers[3:], fmt=PrintFormat.ZIP)
    queue = jobs.queue(live.app)
    assert isinstance(queue, RedisHuey)
    assert queue.pending_count() == 2  # both servers' parts wait in Redis, not in a file
    assert not (tmp_path / "instance" / "jobs.sqlite3").exists()
    start_worker(live)
    second_server.worker, second_server.worker_log = live.worker, live.worker_log
    assert wait_for(live, first).status is PrintStatus.DONE
    zipped = wait_for(second_server, second)
    assert zipped.status is PrintStatus.DONE and zipped.done == 3
    assert queue.pending_count() == 0


def test_repeated_stop_signals_leave_no_worker_behind(tmp_path: Path, start_worker) -> None:
    """A service script may send SIGTERM several times (a group kill, then its own trap); the
    consumer must still stop its worker processes instead of dying and orphaning them."""
    live = make_live(tmp_path)
    worker = start_worker(live)
    deadline = time.monotonic() + 60
    # Signal as soon as the scheduler and both worker processes exist (still warming up).
    while len(children := psutil.Process(worker.pid).children(recursive=True)) < 3:
        assert worker.poll() is None and time.monotonic() < deadline, live.worker_output()
        time.sleep(0.02)
    for pause in (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1):
        worker.send_signal(signal.SIGTERM)
        time.sleep(pause)
    assert worker.wait(timeout=60) == 0, live.worker_output()
    _gone, alive = psutil.wait_procs(children, timeout=30)
    assert alive == [], live.worker_output()


def test_an_unreachable_queue_fails_the_job_visibly(settings, session, factory) -> None:
    """Redis down: the request still answers, and the job says why it will never run."""
    app = create_app(replace(settings, jobs_immediate=False, redis_url="redis://127.0.0.1:1/0"))
    app.extensions["sessionmaker"] = lambda: session
    world = CertWorld(session, factory)
    services.set_signatory(session, user=None, name="Dr. Uji")
    certificate = world.certificate()
    job = printing.request_print(
        session, user=world.pimpinan, certificates=[certificate], fmt=PrintFormat.PDF
    )
    session.commit()
    with app.test_request_context("/certificates/print", method="POST"):
        assert tasks.enqueue_job(session, job) is False
    job = printing.find_job(session, job.public_id)
    assert job.status is PrintStatus.FAILED and "queue unavailable" in job.error
