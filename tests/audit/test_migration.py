"""The upgrade that keys the audit chain re-anchors the records written before it (plain
SHA-256) under ``AUDIT_KEY``, and refuses to when the old chain is already broken."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from tracker.audit import chain, keys, services
from tracker.audit.models import AuditEvent
from tracker.core.migrations import alembic_config
from tracker.db import build_engine

REVISION = "80372820f57a"  # audit chain keyed and anchored
SECRET = "kunci-audit-migrasi-" + "7" * 32


@pytest.fixture
def before(tmp_path: Path, monkeypatch) -> Iterator[Engine]:
    """A database at the revision before the keyed chain, on its own SQLite file; the
    environment carries the key as in production."""
    monkeypatch.setenv("AUDIT_KEY", SECRET)
    monkeypatch.setenv("TRACKER_INSTANCE_DIR", str(tmp_path / "instance"))
    engine = build_engine(f"sqlite:///{tmp_path / 'lama.sqlite3'}")
    cfg = alembic_config(engine)
    previous = ScriptDirectory.from_config(cfg).get_revision(REVISION).down_revision
    assert isinstance(previous, str)
    command.upgrade(cfg, previous)
    yield engine
    engine.dispose()


def _plain(fields: dict, prev: str) -> str:
    payload = json.dumps(
        {"prev": prev, **fields}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _legacy_trail(engine: Engine, count: int = 3) -> list[str]:
    """Records as the code before the keyed chain wrote them; their plain hashes."""
    hashes, prev = [], chain.GENESIS
    with Session(engine) as db:
        for seq in range(1, count + 1):
            event = AuditEvent(
                seq=seq,
                at=datetime(2026, 1, seq, 8, 30, tzinfo=UTC),
                actor_id=None,
                actor_name="sistem",
                tag="agencies:agency:create",
                subject_type="agencies",
                subject_id=str(seq),
                agency_id=None,
                unit_id=None,
                data={"name": f"Instansi {seq}", "nilai": "1.50"},
                prev_hash=prev,
            )
            event.hash = _plain(event.hashed_fields(), prev)
            db.add(event)
            hashes.append(event.hash)
            prev = event.hash
        db.execute(text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": count, "h": prev})
        db.commit()
    return hashes


def _keyed_session(engine: Engine) -> Session:
    db = Session(engine)
    keys.bind(db.info, SECRET)
    return db


def test_the_upgrade_re_anchors_an_intact_trail_under_the_key(before: Engine) -> None:
    plain = _legacy_trail(before)
    command.upgrade(alembic_config(before), REVISION)
    with _keyed_session(before) as db:
        verdict = services.check(db)
        assert verdict.broken is None and verdict.end.seq == 3
        stored = db.scalars(select(AuditEvent.hash).order_by(AuditEvent.seq)).all()
        assert not set(stored) & set(plain)  # every hash recomputed under the key
        seal = db.execute(text("SELECT seal FROM audit_head")).scalar_one()
        assert seal == chain.head_seal(verdict.end, SECRET.encode())
    with Session(before) as db:  # the old, unkeyed reading no longer matches
        assert services.verify(db) is not None


def test_the_downgrade_restores_the_plain_chain(before: Engine) -> None:
    plain = _legacy_trail(before)
    cfg = alembic_config(before)
    command.upgrade(cfg, REVISION)
    command.downgrade(cfg, "-1")
    with Session(before) as db:
        assert db.scalars(select(AuditEvent.hash).order_by(AuditEvent.seq)).all() == plain
        assert db.execute(text("SELECT hash FROM audit_head")).scalar_one() == plain[-1]


def test_a_broken_trail_is_not_re_anchored(before: Engine) -> None:
    _legacy_trail(before)
    with before.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor_name = 'orang lain' WHERE seq = 2"))
    with pytest.raises(RuntimeError, match=r"record #2 does not match its hash"):
        command.upgrade(alembic_config(before), REVISION)
    with before.connect() as conn:  # the whole upgrade was rolled back
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() != (
            REVISION
        )


def test_a_trail_cut_short_is_not_re_anchored(before: Engine) -> None:
    _legacy_trail(before)
    with before.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 3"))
    with pytest.raises(RuntimeError, match=r"the head: it says 3 records"):
        command.upgrade(alembic_config(before), REVISION)


def test_an_empty_trail_needs_no_key(before: Engine, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_ENV", "production")  # would refuse to start without AUDIT_KEY
    monkeypatch.delenv("AUDIT_KEY")
    command.upgrade(alembic_config(before), REVISION)
    with Session(before) as db:
        assert db.execute(text("SELECT seq, seal FROM audit_head")).one() == (0, None)
