"""The audit trail is append-only and hash-chained under a key; tampering is detected."""

from __future__ import annotations

import hashlib
import itertools
import json

import pytest
from sqlalchemy import select, text, update

from tracker.audit import chain, keys, services
from tracker.audit.chain import GENESIS, START, Head, Problem
from tracker.audit.models import AuditEvent, AuditHead
from tracker.auth.roles import Role

KEY = b"k" * 32


def test_every_change_is_chained_under_the_key(session, factory) -> None:
    factory.user(Role.ADMIN)
    factory.agency()
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert len(events) >= 3  # the user, the grant, the agency: links to check
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    key = keys.of(session)
    for event in events:
        assert event.hash == chain.record_hash(event.hashed_fields(), event.prev_hash, key)
        assert event.hash != _plain(event)  # not a hash anyone could recompute
    head = session.get(AuditHead, 1)
    assert (head.seq, head.hash) == (events[-1].seq, events[-1].hash)
    assert head.seal == chain.head_seal(Head(head.seq, head.hash), key)
    assert services.verify(session) is None


def _plain(event: AuditEvent) -> str:
    payload = json.dumps(
        {"prev": event.prev_hash, **event.hashed_fields()},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def test_a_session_signs_with_the_key_bound_to_it(session, factory) -> None:
    keys.bind(session.info, "kunci-audit-yang-panjang-sekali-32+")
    factory.agency()
    assert services.verify(session) is None
    keys.bind(session.info, "kunci-lain-yang-juga-panjang-sekali-32+")
    broken = services.verify(session)
    assert broken is not None and broken.problem is Problem.ALTERED and broken.seq == 1


def test_altered_record_is_reported(session, factory) -> None:
    factory.user(Role.ADMIN)
    factory.agency()
    second = session.scalars(select(AuditEvent).where(AuditEvent.seq == 2)).one()
    session.execute(
        update(AuditEvent).where(AuditEvent.id == second.id).values(actor_name="orang lain")
    )
    session.expire_all()
    broken = services.verify(session)
    assert broken is not None and broken.seq == 2 and broken.problem is Problem.ALTERED
    assert broken.reason == "isi tidak cocok dengan hash berkuncinya (catatan diubah)"


def test_removed_record_is_reported(session, factory) -> None:
    for _ in range(3):
        factory.agency()
    session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    broken = services.verify(session)
    assert broken is not None and broken.seq == 2 and broken.problem is Problem.MISSING
    assert broken.reason == "catatan #2 hilang (berikutnya yang ada: #3)"


def test_removed_tail_is_reported(session, factory) -> None:
    for _ in range(3):
        factory.agency()
    last = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    session.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": last})
    broken = services.verify(session)
    assert broken is not None and broken.problem is Problem.HEAD_AHEAD and broken.seq == last
    assert broken.details == {"head": last, "last": last - 1}


def test_no_change_is_recorded_without_the_head_row(session, factory) -> None:
    factory.agency()
    session.execute(text("DELETE FROM audit_head"))
    with pytest.raises(RuntimeError, match="audit head row is missing"):
        factory.agency()


# --- the pure rules ------------------------------------------------------------------------------


def _records(n: int) -> list[tuple[int, dict, str, str]]:
    out, prev = [], GENESIS
    for seq in range(1, n + 1):
        fields = {"seq": seq, "tag": "t", "data": {"n": seq}}
        digest = chain.record_hash(fields, prev, KEY)
        out.append((seq, fields, prev, digest))
        prev = digest
    return out


def test_walk_reaches_the_end_and_the_watched_record() -> None:
    records = _records(3)
    walked = chain.walk(records, KEY, watch=2)
    assert walked == chain.Walk(None, Head(3, records[2][3]), records[1][3])
    assert chain.walk([], KEY) == chain.Walk(None, START, GENESIS)


def test_walk_stops_at_the_first_break() -> None:
    records = _records(3)
    assert chain.walk(records, b"another key" * 3).broken == chain.ChainBreak(1, Problem.ALTERED)
    relinked = [records[0], (2, records[1][1], GENESIS, records[1][3]), records[2]]
    assert chain.walk(relinked, KEY).broken == chain.ChainBreak(2, Problem.LINK)
    gap = chain.walk([records[0], records[2]], KEY)
    assert gap.broken == chain.ChainBreak(2, Problem.MISSING, {"found": 3})
    assert gap.end == Head(1, records[0][3])


def test_the_head_must_match_the_end_and_carry_its_seal() -> None:
    end = Head(3, "a" * 64)
    seal = chain.head_seal(end, KEY)
    assert chain.check_head(end, end, seal, KEY) is None
    assert chain.check_head(START, START, None, KEY) is None  # never had a record
    problems = {
        "missing": chain.check_head(end, None, None, KEY),
        "ahead": chain.check_head(Head(2, "b" * 64), end, seal, KEY),
        "behind": chain.check_head(end, Head(2, "b" * 64), seal, KEY),
        "hash": chain.check_head(end, Head(3, "c" * 64), seal, KEY),
        "unsealed": chain.check_head(end, end, None, KEY),
        "forged": chain.check_head(end, end, "d" * 64, KEY),
        "other key": chain.check_head(end, end, chain.head_seal(end, b"x" * 32), KEY),
    }
    assert {name: b.problem if b else None for name, b in problems.items()} == {
        "missing": Problem.NO_HEAD,
        "ahead": Problem.HEAD_AHEAD,
        "behind": Problem.HEAD_BEHIND,
        "hash": Problem.HEAD_HASH,
        "unsealed": Problem.HEAD_SEAL,
        "forged": Problem.HEAD_SEAL,
        "other key": Problem.HEAD_SEAL,
    }


def test_an_exported_head_must_still_be_in_the_trail() -> None:
    records = _records(3)
    walked = chain.walk(records, KEY, watch=2)
    assert chain.check_export(walked, Head(2, records[1][3])) is None
    changed = chain.check_export(walked, Head(2, "e" * 64))
    assert changed == chain.ChainBreak(2, Problem.CHANGED_SINCE_EXPORT, {"expected": 2, "last": 3})
    shorter = chain.check_export(chain.walk(records, KEY, watch=5), Head(5, "f" * 64))
    assert shorter == chain.ChainBreak(4, Problem.SHORTER_THAN_EXPORT, {"expected": 5, "last": 3})
    assert chain.check_export(chain.walk([], KEY), START) is None


@pytest.mark.parametrize(
    "text", ["", "12", "12:abc", f"-1:{'a' * 64}", f"1:{'A' * 64}", f"1:{'a' * 63}", "x:y"]
)
def test_a_malformed_head_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Head.parse(text)


def test_a_head_reads_back_as_printed() -> None:
    head = Head(42, "0123456789abcdef" * 4)
    assert Head.parse(f" {head}\n") == head
    assert str(head) == "42:" + "0123456789abcdef" * 4
