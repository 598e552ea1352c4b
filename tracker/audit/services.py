"""Recording and verifying the audit trail."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.audit import chain
from tracker.audit.models import AuditEvent, AuditHead
from tracker.db import utcnow


class Actor(Protocol):
    id: int
    full_name: str


class Subject(Protocol):
    __tablename__: str
    id: Any


def record(
    session: Session,
    *,
    actor: Actor | None,
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
    ).scalar_one()
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
    event.hash = chain.record_hash(event.hashed_fields(), event.prev_hash)
    head.hash = event.hash
    session.add(event)
    session.flush()
    return event


def verify(session: Session) -> chain.ChainBreak | None:
    """The first broken link of the whole trail, or None when it is intact."""
    stmt = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000)
    events = session.scalars(stmt)
    try:  # close the (server-side) cursor even when the walk stops at the first break
        found = chain.first_break((e.seq, e.hashed_fields(), e.prev_hash, e.hash) for e in events)
    finally:
        events.close()
    if found is not None:
        return found
    head = session.get(AuditHead, 1)
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
    if last is not None and head is not None and (head.seq, head.hash) != (last.seq, last.hash):
        return chain.ChainBreak(last.seq + 1, "records after this one were removed")
    return None
