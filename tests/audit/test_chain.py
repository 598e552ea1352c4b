"""The audit trail is append-only and hash-chained; tampering is detected."""

from __future__ import annotations

import itertools

from sqlalchemy import select, text, update

from tracker.audit import services
from tracker.audit.models import AuditEvent
from tracker.auth.roles import Role


def test_every_change_is_chained(session, factory) -> None:
    factory.user(Role.ADMIN)
    factory.agency()
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert len(events) >= 3  # the user, the grant, the agency: links to check
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert services.verify(session) is None


def test_altered_record_is_reported(session, factory) -> None:
    factory.user(Role.ADMIN)
    factory.agency()
    second = session.scalars(select(AuditEvent).where(AuditEvent.seq == 2)).one()
    session.execute(
        update(AuditEvent).where(AuditEvent.id == second.id).values(actor_name="orang lain")
    )
    session.expire_all()
    broken = services.verify(session)
    assert broken is not None and broken.seq == 2 and "altered" in broken.reason


def test_removed_record_is_reported(session, factory) -> None:
    for _ in range(3):
        factory.agency()
    session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    broken = services.verify(session)
    assert broken is not None and broken.seq == 2


def test_removed_tail_is_reported(session, factory) -> None:
    for _ in range(3):
        factory.agency()
    last = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    session.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": last})
    broken = services.verify(session)
    assert broken is not None and "removed" in broken.reason
