"""Print jobs: many certificates rendered in the background into one PDF or one ZIP.

A job is split into parts of up to ``PART_MAX`` certificates; each part is one background task,
so a worker pool with several processes renders one job on several cores. The state lives in
the database (``PrintJob``), shared by every app server and worker.

SQLite note: outside a request every transaction takes the write lock when it begins
(``tracker.db``), so a worker must never keep one open while it renders: the task runner ends
each transaction (commit) before rendering and merging, and every step here is a short statement
or two. Counters move by UPDATE ... SET n = n + 1 and the merge is claimed by a conditional
UPDATE, so concurrent workers never lose an update on PostgreSQL either. Services flush; the
task runner commits.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, delete, select, update
from sqlalchemy.orm import Session

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.certificates.models import (
    Certificate,
    PrintFormat,
    PrintJob,
    PrintJobPart,
    PrintStatus,
)
from tracker.db import utcnow
from tracker.errors import NotFoundError, ValidationError
from tracker.evidence.storage import StoredBlob
from tracker.i18n import _

MAX_BATCH = 500
PART_MIN, PART_MAX = 5, 25
PARALLEL_PARTS = 4  # aim for at least this many parts, so two or more workers share a job
MAX_ERROR_LENGTH = 500


def part_size(total: int) -> int:
    """Certificates per part: small batches still split in two, big ones in parts of 25 (one
    render_many call is much cheaper per page than single renders, but a part must stay short
    enough for the progress bar to move)."""
    return min(PART_MAX, max(PART_MIN, math.ceil(total / PARALLEL_PARTS)))


def part_numbers(job: PrintJob, seq: int) -> list[str]:
    size = part_size(job.total)
    return list(job.numbers[seq * size : (seq + 1) * size])


def request_print(
    session: Session, *, user: User, certificates: Sequence[Certificate], fmt: PrintFormat
) -> PrintJob:
    """Create a queued job for ``certificates`` (already checked to be in the user's scope).

    Raises ``ValidationError`` for an empty selection or more than ``MAX_BATCH``.
    """
    wanted = list(dict.fromkeys(c.number for c in certificates))
    if not wanted:
        raise ValidationError(_("Pilih paling sedikit satu piagam untuk dicetak."))
    if len(wanted) > MAX_BATCH:
        raise ValidationError(_("Paling banyak %(n)s piagam sekali cetak.", n=MAX_BATCH))
    job = PrintJob(
        public_id=secrets.token_urlsafe(12),
        requested_by_id=user.id,
        format=fmt,
        numbers=wanted,
        total=len(wanted),
        parts_total=math.ceil(len(wanted) / part_size(len(wanted))),
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="certificates:print:request",
        subject=job,
        data={"job": job.public_id, "format": fmt.value, "count": job.total},
    )
    return job


def find_job(session: Session, public_id: str) -> PrintJob | None:
    """The job as the database has it now (workers update it with plain UPDATEs)."""
    stmt = select(PrintJob).where(PrintJob.public_id == public_id[:32])
    return session.scalar(stmt.execution_options(populate_existing=True))


def job_for(session: Session, public_id: str, *, user: User, is_admin: bool) -> PrintJob:
    """The job, if ``user`` asked for it (or is an administrator). Raises ``NotFoundError``
    otherwise, without saying whether it exists."""
    job = find_job(session, public_id)
    if job is None or not (is_admin or job.requested_by_id == user.id):
        raise NotFoundError(_("Permintaan cetak tidak ditemukan."))
    return job


def recent_jobs(session: Session, user: User, limit: int = 20) -> list[PrintJob]:
    stmt = (
        select(PrintJob)
        .where(PrintJob.requested_by_id == user.id)
        .order_by(PrintJob.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


# --- the worker's steps (see the SQLite note above) ---------------------------------------------


def mark_running(session: Session, public_id: str) -> None:
    session.execute(
        update(PrintJob)
        .where(PrintJob.public_id == public_id, PrintJob.status == PrintStatus.QUEUED)
        .values(status=PrintStatus.RUNNING, started_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def record_part(session: Session, job: PrintJob, seq: int, data: bytes, count: int) -> bool:
    """Store a rendered part and count it. False (nothing stored) if the job is no longer
    running, e.g. because another part failed meanwhile."""
    counted = _changed(
        session,
        update(PrintJob)
        .where(PrintJob.id == job.id, PrintJob.status == PrintStatus.RUNNING)
        .values(done=PrintJob.done + count, parts_done=PrintJob.parts_done + 1)
        .execution_options(synchronize_session=False),
    )
    if counted != 1:
        return False
    session.add(PrintJobPart(job_id=job.id, seq=seq, count=count, data=data))
    session.flush()
    return True


def claim_merge(session: Session, job: PrintJob) -> bool:
    """True for exactly one caller once every part is in: that caller assembles the result."""
    claimed = _changed(
        session,
        update(PrintJob)
        .where(
            PrintJob.id == job.id,
            PrintJob.status == PrintStatus.RUNNING,
            PrintJob.parts_done == PrintJob.parts_total,
            PrintJob.merge_claimed.is_(False),
        )
        .values(merge_claimed=True)
        .execution_options(synchronize_session=False),
    )
    return claimed == 1


def parts_of(session: Session, job: PrintJob) -> list[bytes]:
    stmt = select(PrintJobPart.data).where(PrintJobPart.job_id == job.id)
    return list(session.scalars(stmt.order_by(PrintJobPart.seq)))


def finish(session: Session, job: PrintJob, blob: StoredBlob) -> None:
    """Record the assembled result and drop the parts."""
    session.execute(
        update(PrintJob)
        .where(PrintJob.id == job.id)
        .values(
            status=PrintStatus.DONE,
            result_key=blob.key,
            result_size=blob.size,
            finished_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(PrintJobPart).where(PrintJobPart.job_id == job.id))


def fail(session: Session, public_id: str, message: str, number: str | None = None) -> bool:
    """Mark the job failed with ``message`` (and the certificate that failed, if known). The
    first failure wins; False if the job had already ended."""
    failed = _changed(
        session,
        update(PrintJob)
        .where(
            PrintJob.public_id == public_id,
            PrintJob.status.in_((PrintStatus.QUEUED, PrintStatus.RUNNING)),
        )
        .values(
            status=PrintStatus.FAILED,
            error=message[:MAX_ERROR_LENGTH],
            failed_number=number,
            finished_at=utcnow(),
        )
        .execution_options(synchronize_session=False),
    )
    if failed == 1:
        job_id = select(PrintJob.id).where(PrintJob.public_id == public_id).scalar_subquery()
        session.execute(delete(PrintJobPart).where(PrintJobPart.job_id == job_id))
    return failed == 1


def purge(session: Session, *, older_than: datetime) -> list[str]:
    """Delete finished and failed jobs created before ``older_than``. Returns the result keys
    no remaining job uses, for the caller to delete from the store after committing."""
    ended = (PrintStatus.DONE, PrintStatus.FAILED)
    old = select(PrintJob.id).where(PrintJob.created_at < older_than, PrintJob.status.in_(ended))
    keys = set(session.scalars(select(PrintJob.result_key).where(PrintJob.id.in_(old))))
    session.execute(delete(PrintJobPart).where(PrintJobPart.job_id.in_(old)))
    session.execute(delete(PrintJob).where(PrintJob.id.in_(old)))
    still_used = set(
        session.scalars(select(PrintJob.result_key).where(PrintJob.result_key.in_(keys - {None})))
    )
    return sorted(key for key in keys - still_used if key)


def _changed(session: Session, statement: Executable) -> int:
    """How many rows an UPDATE changed: the guarded updates above count on exactly one."""
    # ``Session.execute`` is typed as returning a plain ``Result``; an UPDATE gives a cursor's.
    return cast("CursorResult[Any]", session.execute(statement)).rowcount
