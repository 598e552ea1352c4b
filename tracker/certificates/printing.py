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

Heartbeat (issue 13 §7): a worker killed mid-part (SIGKILL, out of memory) cannot say so, and its
job would wait at "4 of 9" for ever. So while a part runs its worker writes ``heartbeat_at``
every few seconds (``beat``), and ``sweep`` treats a running job whose heartbeat is older than
the threshold as abandoned: the first time it is reset and queued again (``attempt`` + 1), after
that it is marked failed, and an administrator may ``retry`` it. Every step is guarded by the
attempt it belongs to, so a part of an abandoned attempt that wakes up later changes nothing.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Executable, delete, func, select, update
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
AUTOMATIC_RETRIES = 1  # a job abandoned by its worker is queued again once, then failed
ACTIVE = (PrintStatus.QUEUED, PrintStatus.RUNNING)


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


def mark_running(session: Session, public_id: str, attempt: int = 0) -> None:
    """A part of ``attempt`` starts: the job runs (if it still belongs to that attempt)."""
    now = utcnow()
    session.execute(
        update(PrintJob)
        .where(
            PrintJob.public_id == public_id,
            PrintJob.attempt == attempt,
            PrintJob.status.in_(ACTIVE),
        )
        .values(
            status=PrintStatus.RUNNING,
            started_at=func.coalesce(PrintJob.started_at, now),
            heartbeat_at=now,
        )
        .execution_options(synchronize_session=False)
    )


def beat(session: Session, public_id: str, attempt: int) -> bool:
    """Record that a worker is still at ``attempt`` of the job. False if the job has moved on."""
    return (
        _changed(
            session,
            update(PrintJob)
            .where(
                PrintJob.public_id == public_id,
                PrintJob.attempt == attempt,
                PrintJob.status == PrintStatus.RUNNING,
            )
            .values(heartbeat_at=utcnow())
            .execution_options(synchronize_session=False),
        )
        == 1
    )


def record_part(session: Session, job: PrintJob, seq: int, data: bytes, count: int) -> bool:
    """Store a rendered part and count it. False (nothing stored) if the job is no longer
    running, e.g. because another part failed meanwhile."""
    counted = _changed(
        session,
        update(PrintJob)
        .where(
            PrintJob.id == job.id,
            PrintJob.attempt == job.attempt,
            PrintJob.status == PrintStatus.RUNNING,
        )
        .values(
            done=PrintJob.done + count, parts_done=PrintJob.parts_done + 1, heartbeat_at=utcnow()
        )
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
            PrintJob.attempt == job.attempt,
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
        .where(PrintJob.id == job.id, PrintJob.attempt == job.attempt)
        .values(
            status=PrintStatus.DONE,
            result_key=blob.key,
            result_size=blob.size,
            finished_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(PrintJobPart).where(PrintJobPart.job_id == job.id))


def fail(
    session: Session,
    public_id: str,
    message: str,
    number: str | None = None,
    *,
    attempt: int | None = None,
) -> bool:
    """Mark the job failed with ``message`` (and the certificate that failed, if known). The
    first failure wins; False if the job had already ended (or, given ``attempt``, has moved on
    to another attempt)."""
    same_attempt = PrintJob.attempt == attempt if attempt is not None else PrintJob.id.isnot(None)
    failed = _changed(
        session,
        update(PrintJob)
        .where(PrintJob.public_id == public_id, same_attempt, PrintJob.status.in_(ACTIVE))
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


# --- jobs whose worker stopped -------------------------------------------------------------------


def _last_sign_of_life() -> ColumnElement[datetime]:
    # Rows from before the heartbeat existed have only started_at (or, queued, created_at).
    return func.coalesce(PrintJob.heartbeat_at, PrintJob.started_at, PrintJob.created_at)


def is_stale(job: PrintJob, *, stale_before: datetime) -> bool:
    """Whether ``job`` runs but its workers stopped writing their heartbeat before then."""
    last = job.heartbeat_at or job.started_at or job.created_at
    return job.status is PrintStatus.RUNNING and last < stale_before


def sweep(
    session: Session, *, stale_before: datetime, public_id: str | None = None
) -> list[PrintJob]:
    """Deal with running jobs whose heartbeat stopped before ``stale_before`` (only the job
    ``public_id`` if given): retry each once, fail it after that. Returns the jobs reset to
    queued, for the caller to queue after committing."""
    stmt = select(PrintJob).where(
        PrintJob.status == PrintStatus.RUNNING, _last_sign_of_life() < stale_before
    )
    if public_id is not None:
        stmt = stmt.where(PrintJob.public_id == public_id[:32])
    retried = []
    for job in session.scalars(stmt.execution_options(populate_existing=True)).all():
        still_stale = (_last_sign_of_life() < stale_before, PrintJob.attempt == job.attempt)
        if job.attempt < AUTOMATIC_RETRIES:
            if _restart(session, job, PrintStatus.RUNNING, *still_stale):
                _record_retry(session, job, user=None, reason="heartbeat")
                retried.append(job)
        else:
            _fail_stale(session, job, still_stale)
    return retried


def retry(session: Session, job: PrintJob, *, user: User) -> PrintJob:
    """Queue a failed job again from the start (an administrator's action; the caller checks
    the role). Raises ``ValidationError`` if the job has not failed."""
    if job.status is not PrintStatus.FAILED or not _restart(
        session, job, PrintStatus.FAILED, PrintJob.attempt == job.attempt
    ):
        raise ValidationError(_("Hanya permintaan cetak yang gagal dapat diulang."))
    _record_retry(session, job, user=user, reason="requested")
    return job


def _restart(
    session: Session, job: PrintJob, status: PrintStatus, *conditions: ColumnElement[bool]
) -> bool:
    """Reset ``job`` (still in ``status`` and meeting ``conditions``) to a queued new attempt."""
    reset = _changed(
        session,
        update(PrintJob)
        .where(PrintJob.id == job.id, PrintJob.status == status, *conditions)
        .values(
            status=PrintStatus.QUEUED,
            attempt=PrintJob.attempt + 1,
            done=0,
            parts_done=0,
            merge_claimed=False,
            error=None,
            failed_number=None,
            started_at=None,
            heartbeat_at=None,
            finished_at=None,
        )
        .execution_options(synchronize_session=False),
    )
    if reset != 1:
        return False
    session.execute(delete(PrintJobPart).where(PrintJobPart.job_id == job.id))
    session.refresh(job)
    return True


def _fail_stale(
    session: Session, job: PrintJob, conditions: tuple[ColumnElement[bool], ...]
) -> None:
    last = job.heartbeat_at or job.started_at or job.created_at
    message = f"worker stopped responding (no heartbeat since {last:%Y-%m-%d %H:%M:%S} UTC)"
    failed = _changed(
        session,
        update(PrintJob)
        .where(PrintJob.id == job.id, PrintJob.status == PrintStatus.RUNNING, *conditions)
        .values(status=PrintStatus.FAILED, error=message, finished_at=utcnow())
        .execution_options(synchronize_session=False),
    )
    if failed == 1:
        session.execute(delete(PrintJobPart).where(PrintJobPart.job_id == job.id))


def _record_retry(session: Session, job: PrintJob, *, user: User | None, reason: str) -> None:
    audit.record(
        session,
        actor=user,
        tag="certificates:print:retry",
        subject=job,
        data={"job": job.public_id, "attempt": job.attempt, "reason": reason},
    )


def purge(session: Session, *, older_than: datetime, stale_before: datetime) -> list[str]:
    """Delete jobs created before ``older_than`` that are over: done, failed, or abandoned
    (queued or running with no sign of life since ``stale_before``). Returns the result keys
    no remaining job uses, for the caller to delete from the store after committing."""
    ended = PrintJob.status.in_((PrintStatus.DONE, PrintStatus.FAILED))
    abandoned = PrintJob.status.in_(ACTIVE) & (_last_sign_of_life() < stale_before)
    old = select(PrintJob.id).where(PrintJob.created_at < older_than, ended | abandoned)
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
