"""Background tasks of the certificates domain: rendering print jobs, part by part.

This module is the worker's equivalent of a view: it opens a session, calls the services and
commits. Each part commits its progress, so the browser's progress bar moves while the job
runs; the part that completes the set assembles and stores the result. Any failure marks the
job failed with the certificate at fault, so nothing is silently skipped.

A worker that dies mid-part (SIGKILL, out of memory) reports nothing, so each part runs with a
heartbeat: a thread of the worker process writes the job's ``heartbeat_at`` every few seconds
and dies with the process. ``sweep_stale_jobs`` retries (once) or fails running jobs whose
heartbeat stopped. It runs twice over: every minute in the worker (a Huey periodic task), so a
job nobody watches is dealt with; and from the job's page and its status poll (the views call
``retry_stale``), so the person waiting sees the retry at once rather than up to a minute later,
and even while no worker runs at all.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime, timedelta

from flask import Flask
from huey import Huey, crontab
from huey.api import TaskWrapper
from sqlalchemy.orm import Session

from tracker import jobs
from tracker.certificates import assembly, printing, queries, services
from tracker.certificates.models import PrintJob, PrintStatus
from tracker.certificates.storage import save_result
from tracker.db import utcnow
from tracker.extensions import result_store
from tracker.extensions import settings as tracker_settings

RENDER_PART = "certificates.render_part"
SWEEP = "certificates.sweep_stale_jobs"
PART_TIMEOUT = 600  # seconds; a part of 25 certificates takes about 3 s
logger = logging.getLogger(__name__)


def register(huey: Huey) -> dict[str, TaskWrapper]:
    return {
        RENDER_PART: huey.task(name=RENDER_PART, timeout=PART_TIMEOUT)(render_part),
        SWEEP: huey.periodic_task(crontab(), name=SWEEP)(sweep_stale_jobs),  # every minute
    }


def stale_before(app: Flask) -> datetime:
    """Running jobs with no heartbeat since then are abandoned."""
    return utcnow() - timedelta(seconds=tracker_settings(app).job_stale_seconds)


def heartbeat_interval(app: Flask) -> float:
    """A quarter of the stale threshold (at most 15 s): one late beat is not a death."""
    return min(15.0, max(0.25, tracker_settings(app).job_stale_seconds / 4))


def warm_up() -> None:
    """Render one throw-away certificate: each worker process loads WeasyPrint's fonts and
    caches (about a second) before its first real part."""
    from tracker.certificates import pdf
    from tracker.certificates.document import CertificateData

    pdf.render_pdf(
        CertificateData(
            number="ZI-2000-WBK-0000-00000",
            unit_name="Pemanasan",
            agency_name="ZI Tracker",
            predicate="WBK",
            year=2000,
            decree_number="0",
            decree_date=date(2000, 1, 1),
            issue_date=date(2000, 1, 1),
            signatory_name="-",
            verification_url="https://verify.invalid/",
            snapshot_sha256="0" * 64,
        )
    )


def warm_up_before_serving() -> None:
    """Warm the renderer of this (gunicorn) worker before it takes its first request.

    The first certificate after a start used to take several seconds (WeasyPrint, fonts, Pango,
    the template) where later ones take a few hundred milliseconds. Warming in a background
    thread while the worker already served (the first attempt) still left a certificate asked
    for in the first seconds, or on a busy machine, waiting behind the warm-up: measured 0.9 s
    against 0.2 s for the next ones. Both gunicorn configurations (``./gunicorn.conf.py`` for
    ``make run``, ``deploy/gunicorn.conf.py``) call this from ``post_worker_init``, so a worker
    accepts connections only once warm; start-up takes that second longer. A failure is logged
    and only means the first certificate is slower.
    """
    started = time.perf_counter()
    try:
        warm_up()
    except Exception:  # never let warming stop a worker; the first render warms instead
        logger.exception("certificate renderer warm-up failed")
        return
    logger.info("certificate renderer warm (%.1f s)", time.perf_counter() - started)


def enqueue_job(session: Session, job: PrintJob) -> bool:
    """Queue every part of ``job``, which the caller has committed (the worker reads it).

    False if the queue refused (e.g. Redis unreachable): the job is then marked failed, so
    the requester sees why instead of a job that waits for ever.
    """
    try:
        for seq in range(job.parts_total):
            jobs.enqueue(RENDER_PART, job.public_id, seq, job.attempt)
    except Exception as err:  # the queue backend's errors are not ours to enumerate
        logger.exception("could not queue print job %s", job.public_id)
        _fail(session, job.public_id, f"queue unavailable ({assembly.describe(err)})")
        return False
    return True


def render_part(public_id: str, seq: int, attempt: int = 0) -> None:
    """Render part ``seq`` of the job's ``attempt``; the last part to finish assembles the
    result. (Parts queued before attempts existed carry none: they belong to the first.)"""
    app = jobs.task_app()
    # Inline (immediate mode) the caller is alive by definition, and tests share one session.
    heartbeat: AbstractContextManager[object] = (
        nullcontext() if jobs.queue(app).immediate else _Heartbeat(app, public_id, attempt)
    )
    with app.app_context(), heartbeat:
        session: Session = app.extensions["sessionmaker"]()
        try:
            _run(app, session, public_id, seq, attempt)
        except assembly.PartRenderError as err:
            _fail(session, public_id, err.detail, err.number, attempt=attempt)
        except Exception as err:
            logger.exception("print job %s part %s failed", public_id, seq)
            _fail(session, public_id, assembly.describe(err), attempt=attempt)
        except KeyboardInterrupt:  # the worker was stopped mid-part
            _fail(session, public_id, "worker stopped while rendering", attempt=attempt)
            raise
        finally:
            session.close()


class _Heartbeat:
    """While a part runs, a thread writes the job's heartbeat every ``heartbeat_interval``
    seconds, each in a short transaction of its own session (on SQLite the render holds no
    transaction, so the beat never waits on it). The thread dies with the worker process: a
    killed worker's job stops beating, which is the point."""

    def __init__(self, app: Flask, public_id: str, attempt: int) -> None:
        self.app, self.public_id, self.attempt = app, public_id, attempt
        self.stopped = threading.Event()
        self.thread = threading.Thread(
            target=self._beat, name=f"heartbeat-{public_id}", daemon=True
        )

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopped.set()
        self.thread.join()

    def _beat(self) -> None:
        interval = heartbeat_interval(self.app)
        while not self.stopped.wait(interval):
            session: Session = self.app.extensions["sessionmaker"]()
            try:
                printing.beat(session, self.public_id, self.attempt)
                session.commit()
            except Exception:  # a missed beat is retried next interval; the part goes on
                logger.warning("heartbeat of print job %s failed", self.public_id, exc_info=True)
            finally:
                session.close()


def sweep_stale_jobs() -> int:
    """The periodic sweep: retry or fail every running job whose heartbeat stopped. Returns how
    many jobs were queued again."""
    app = jobs.task_app()
    with app.app_context():
        session: Session = app.extensions["sessionmaker"]()
        try:
            return len(retry_stale(app, session))
        finally:
            session.close()


def retry_stale(app: Flask, session: Session, public_id: str | None = None) -> list[PrintJob]:
    """Sweep (all running jobs, or just ``public_id``), commit, and queue the jobs reset for
    their retry. The caller's session must be free to write (a GET view calls begin_write)."""
    retried = printing.sweep(session, stale_before=stale_before(app), public_id=public_id)
    session.commit()
    for job in retried:
        logger.warning(
            "print job %s: no heartbeat, queued again (attempt %s)", job.public_id, job.attempt
        )
        enqueue_job(session, job)
    return retried


def _run(app: Flask, session: Session, public_id: str, seq: int, attempt: int) -> None:
    printing.mark_running(session, public_id, attempt)
    session.commit()
    job = printing.find_job(session, public_id)
    if job is None or job.status is not PrintStatus.RUNNING or job.attempt != attempt:
        return  # failed, finished or restarted meanwhile
    items = _certificate_data(app, session, job, seq)
    session.commit()  # no transaction (nor SQLite write lock) held while rendering
    data = assembly.render_part(items, job.format)
    stored = printing.record_part(session, job, seq, data, len(items))
    claimed = stored and printing.claim_merge(session, job)
    session.commit()
    if claimed:
        _assemble(app, session, job)


def _certificate_data(app: Flask, session: Session, job: PrintJob, seq: int) -> list:
    wanted = printing.part_numbers(job, seq)
    found = queries.for_printing(session, wanted)
    if missing := sorted(set(wanted) - {c.number for c in found}):
        raise assembly.PartRenderError(missing[0], "certificate not found")
    images = services.load_images(session, found)
    data = []
    for certificate in found:
        try:
            data.append(services.certificate_data(certificate, images))
        except ValueError as err:
            raise assembly.PartRenderError(certificate.number, assembly.describe(err)) from err
    return data


def _assemble(app: Flask, session: Session, job: PrintJob) -> None:
    parts = printing.parts_of(session, job)
    session.commit()
    blob = save_result(result_store(app), assembly.merge(parts, job.format), job.format)
    printing.finish(session, job, blob)
    session.commit()
    logger.info("print job %s done: %s certificates, %s bytes", job.public_id, job.total, blob.size)


def _fail(
    session: Session,
    public_id: str,
    detail: str,
    number: str | None = None,
    *,
    attempt: int | None = None,
) -> None:
    session.rollback()
    if printing.fail(session, public_id, detail, number, attempt=attempt):
        logger.warning("print job %s failed at %s: %s", public_id, number or "-", detail)
    session.commit()
