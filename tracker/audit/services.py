"""Recording and verifying the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.audit import chain, keys
from tracker.audit.models import AuditEvent, AuditHead
from tracker.db import utcnow


class Author(Protocol):
    id: int
    full_name: str


class Subject(Protocol):
    __tablename__: str
    id: Any


def record(
    session: Session,
    *,
    actor: Author | None,
    tag: str,
    subject: Subject,
    data: dict[str, Any] | None = None,
    unit_id: int | None = None,
    agency_id: int | None = None,
) -> AuditEvent:
    """Append one record in the caller's transaction. Tags read ``domain:subject:action``.

    The head row is updated before it is read: on PostgreSQL that row lock, and on SQLite the
    write lock it takes, make concurrent appends wait for each other instead of forking the chain.
    """
    if subject.id is None:
        session.flush()
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .execution_options(synchronize_session=False)
    )
    # The migration seeds the head row; populate_existing re-reads it after the update.
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:
        # Someone deleted it: refuse every change rather than start a second chain beside it.
        raise RuntimeError("the audit head row is missing; run `flask audit verify`")
    event = AuditEvent(
        seq=head.seq,
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.full_name if actor is not None else "sistem",
        tag=tag,
        subject_type=subject.__tablename__,
        subject_id=str(subject.id),
        agency_id=agency_id,
        unit_id=unit_id,
        data=chain.canonical(data or {}),
        prev_hash=head.hash,
    )
    key = keys.of(session)
    event.hash = chain.record_hash(event.hashed_fields(), event.prev_hash, key)
    head.hash = event.hash
    head.seal = chain.head_seal(head.as_head(), key)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Verdict:
    """What verification found: the first problem (None when intact) and the last record."""

    broken: chain.ChainBreak | None
    end: chain.Head


def check(session: Session, *, expected: chain.Head | None = None) -> Verdict:
    """Re-hash the whole trail with the session's key, then compare the head row with it, and
    with ``expected`` (a head exported earlier by ``flask audit head``) when given."""
    key = keys.of(session)
    stmt = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000)
    events = session.scalars(stmt)
    try:  # close the (server-side) cursor even when the walk stops at the first break
        walked = chain.walk(
            ((e.seq, e.hashed_fields(), e.prev_hash, e.hash) for e in events),
            key,
            watch=expected.seq if expected is not None else 0,
        )
    finally:
        events.close()
    if walked.broken is not None:
        return Verdict(walked.broken, walked.end)
    # populate_existing: the row is read as stored now, not as this session last saw it.
    head = session.scalars(
        select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)
    ).first()
    broken = chain.check_head(
        walked.end,
        head.as_head() if head is not None else None,
        head.seal if head is not None else None,
        key,
    )
    if broken is None and expected is not None:
        broken = chain.check_export(walked, expected)
    return Verdict(broken, walked.end)


def verify(session: Session, *, expected: chain.Head | None = None) -> chain.ChainBreak | None:
    """The first problem of the whole trail, or None when it is intact."""
    return check(session, expected=expected).broken
