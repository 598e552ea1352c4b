"""Background tasks of the certificates domain: rendering print jobs, part by part.

This module is the worker's equivalent of a view: it opens a session, calls the services and
commits. Each part commits its progress, so the browser's progress bar moves while the job
runs; the part that completes the set assembles and stores the result. Any failure marks the
job failed with the certificate at fault, so nothing is silently skipped.
"""

from __future__ import annotations

import logging
from datetime import date

from flask import Flask
from huey import Huey
from huey.api import TaskWrapper
from sqlalchemy.orm import Session

from tracker import jobs
from tracker.certificates import assembly, printing, queries, services
from tracker.certificates.models import PrintJob, PrintStatus
from tracker.certificates.storage import save_result
from tracker.extensions import result_store
from tracker.extensions import settings as tracker_settings

RENDER_PART = "certificates.render_part"
PART_TIMEOUT = 600  # seconds; a part of 25 certificates takes about 3 s
logger = logging.getLogger(__name__)


def register(huey: Huey) -> dict[str, TaskWrapper]:
    return {RENDER_PART: huey.task(name=RENDER_PART, timeout=PART_TIMEOUT)(render_part)}


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


def enqueue_job(session: Session, job: PrintJob) -> bool:
    """Queue every part of ``job``, which the caller has committed (the worker reads it).

    False if the queue refused (e.g. Redis unreachable): the job is then marked failed, so
    the requester sees why instead of a job that waits for ever.
    """
    try:
        for seq in range(job.parts_total):
            jobs.enqueue(RENDER_PART, job.public_id, seq)
    except Exception as err:  # the queue backend's errors are not ours to enumerate
        logger.exception("could not queue print job %s", job.public_id)
        _fail(session, job.public_id, f"queue unavailable ({assembly.describe(err)})")
        return False
    return True


def render_part(public_id: str, seq: int) -> None:
    """Render part ``seq`` of the job; the last part to finish assembles the result."""
    app = jobs.task_app()
    with app.app_context():
        session: Session = app.extensions["sessionmaker"]()
        try:
            _run(app, session, public_id, seq)
        except assembly.PartRenderError as err:
            _fail(session, public_id, err.detail, err.number)
        except Exception as err:
            logger.exception("print job %s part %s failed", public_id, seq)
            _fail(session, public_id, assembly.describe(err))
        except KeyboardInterrupt:  # the worker was stopped mid-part
            _fail(session, public_id, "worker stopped while rendering")
            raise
        finally:
            session.close()


def _run(app: Flask, session: Session, public_id: str, seq: int) -> None:
    printing.mark_running(session, public_id)
    session.commit()
    job = printing.find_job(session, public_id)
    if job is None or job.status is not PrintStatus.RUNNING:
        return  # failed (or finished) meanwhile
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
    base_url = tracker_settings(app).public_base_url
    data = []
    for certificate in found:
        try:
            data.append(services.certificate_data(certificate, base_url, images))
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


def _fail(session: Session, public_id: str, detail: str, number: str | None = None) -> None:
    session.rollback()
    if printing.fail(session, public_id, detail, number):
        logger.warning("print job %s failed at %s: %s", public_id, number or "-", detail)
    session.commit()
