"""Recording and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import insert, select, update
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
class Entry:
    """One record for ``record_many``: what ``record`` takes, with the subject as type and id."""

    tag: str
    subject_type: str
    subject_id: Any
    actor_id: int | None = None
    actor_name: str = "sistem"
    data: dict[str, Any] | None = None
    unit_id: int | None = None
    agency_id: int | None = None


def record_many(session: Session, entries: Iterable[Entry], *, chunk: int = 5000) -> int:
    """Append many records in the caller's transaction (bulk loads, issue 18 §1): the same
    fields, the same keyed hash and the same head as ``record``, written ``chunk`` rows to an
    INSERT. The head row is updated first, as in ``record``, so concurrent appends wait; it is
    read once and written once at the end. Returns the number of records appended."""
    session.flush()
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq)
        .execution_options(synchronize_session=False)
    )
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:
        raise RuntimeError("the audit head row is missing; run `flask audit verify`")
    key = keys.of(session)
    seq, prev, rows, count = head.seq, head.hash, [], 0
    for entry in entries:
        seq += 1
        event = AuditEvent(
            seq=seq,
            at=utcnow(),
            actor_id=entry.actor_id,
            actor_name=entry.actor_name,
            tag=entry.tag,
            subject_type=entry.subject_type,
            subject_id=str(entry.subject_id),
            agency_id=entry.agency_id,
            unit_id=entry.unit_id,
            data=chain.canonical(entry.data or {}),
            prev_hash=prev,
        )
        prev = chain.record_hash(event.hashed_fields(), prev, key)
        rows.append({**event.hashed_fields(), "at": event.at, "prev_hash": event.prev_hash})
        rows[-1]["hash"] = prev
        if len(rows) >= chunk:
            session.execute(insert(AuditEvent), rows)
            count, rows = count + len(rows), []
    if rows:
        session.execute(insert(AuditEvent), rows)
        count += len(rows)
    if count:
        head.seq, head.hash = seq, prev
        head.seal = chain.head_seal(head.as_head(), key)
        session.flush()
    return count


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
