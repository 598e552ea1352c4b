"""Issue 13 §6: tampering with the audit trail by someone who can write the database.

Each attack is made on the real database (SQLite, and PostgreSQL under
``scripts/with-postgres.sh``) with plain SQL, the way an intruder with the database password
would, and ``flask audit verify`` must exit non-zero naming what is wrong. The four the outside
test reported all passed as "intact" before the chain was keyed and anchored:

1. deleting every record;
2. deleting the last record and rewinding the head to the one before;
3. deleting the head row;
4. editing a record and recomputing every later hash (and the head) with plain SHA-256.

The session here carries a secret audit key (as every session of the app does, from
``AUDIT_KEY``), and the CLI runs in the test's transaction. The last test runs the real
``flask`` command in a subprocess, with the key from the environment, on a database of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from config import Settings
from tracker import create_app
from tracker.agencies import services as agencies
from tracker.agencies.models import AgencyKind
from tracker.audit import keys
from tracker.audit.chain import GENESIS
from tracker.audit.models import AuditEvent, AuditHead
from tracker.core import migrations
from tracker.db import build_engine

SECRET = "rahasia-audit-uji-" + "9" * 32
RECORDS = 4


@pytest.fixture
def trail(session, factory) -> list[AuditEvent]:
    """Four records signed with the secret key, as the app would sign them."""
    keys.bind(session.info, SECRET)
    for _ in range(RECORDS):
        factory.agency()
    session.flush()
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def tamper(session, sql: str, params: dict | None = None) -> None:
    """Run ``sql`` as an intruder would, and commit it (the test's commits end a savepoint:
    the CLI's session, the same one, rolls back whatever is left uncommitted when it closes)."""
    session.execute(text(sql), params or {})
    session.commit()


def verify(app, *args: str):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def exported_head(app) -> str:
    result = app.test_cli_runner().invoke(args=["audit", "head"])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def assert_broken(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("RUSAK: catatan #"), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def test_an_untouched_trail_is_intact_and_its_head_can_be_exported(app, trail) -> None:
    head = exported_head(app)
    assert head == f"{RECORDS}:{trail[-1].hash}"
    result = verify(app, "--expect-head", head)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Utuh: {RECORDS} catatan audit")
    assert "Kepala yang diekspor ada dan tidak berubah." in result.stdout


def test_a_grown_trail_still_holds_the_exported_head(app, trail, factory) -> None:
    head = exported_head(app)
    factory.agency()
    assert verify(app, "--expect-head", head).exit_code == 0


def test_a_malformed_exported_head_is_a_usage_error(app, trail) -> None:
    result = verify(app, "--expect-head", "4:bukan-hash")
    assert result.exit_code == 2
    assert "NOMOR:HASH" in result.output


def test_deleting_every_record_is_reported(app, session, trail) -> None:
    head = exported_head(app)
    tamper(session, "DELETE FROM audit_events")
    assert_broken(verify(app), f"kepala rantai mencatat {RECORDS} catatan", "berakhir di #0")
    # Resetting the head as well leaves what looks like a trail that never had a record;
    # only the exported head knows better.
    tamper(session, "UPDATE audit_head SET seq = 0, hash = :g, seal = NULL", {"g": GENESIS})
    assert verify(app).exit_code == 0
    assert_broken(
        verify(app, "--expect-head", head),
        f"kepala yang diekspor adalah #{RECORDS}",
        "catatan dihapus sejak ekspor",
    )


def test_deleting_the_last_record_and_rewinding_the_head_is_reported(app, session, trail) -> None:
    head = exported_head(app)
    last, before = trail[-1], trail[-2]
    tamper(session, "DELETE FROM audit_events WHERE seq = :s", {"s": last.seq})
    tamper(
        session, "UPDATE audit_head SET seq = :s, hash = :h", {"s": before.seq, "h": before.hash}
    )
    assert_broken(verify(app), "segel kepala rantai tidak cocok", "diputar mundur")
    assert_broken(verify(app, "--expect-head", head), "segel kepala rantai tidak cocok")


def test_replaying_an_old_head_row_is_caught_only_by_the_exported_head(
    app, session, trail, factory
) -> None:
    """An intruder who copied the head row (seal included) earlier can put it back without the
    key after deleting what came since: the head exported with the backup catches that."""
    old = session.execute(text("SELECT seq, hash, seal FROM audit_head")).one()
    factory.agency()  # record #5, then the intruder removes it and puts the old head back
    head = exported_head(app)
    tamper(session, "DELETE FROM audit_events WHERE seq = :s", {"s": RECORDS + 1})
    tamper(
        session,
        "UPDATE audit_head SET seq = :s, hash = :h, seal = :m",
        {"s": old.seq, "h": old.hash, "m": old.seal},
    )
    assert verify(app).exit_code == 0  # consistent, and sealed with the real key
    assert_broken(
        verify(app, "--expect-head", head),
        f"kepala yang diekspor adalah #{RECORDS + 1}",
        f"berakhir di #{RECORDS}",
    )


def test_deleting_the_head_row_is_reported(app, session, trail) -> None:
    tamper(session, "DELETE FROM audit_head")
    assert_broken(verify(app), "baris kepala rantai (audit_head) hilang")


def test_rewriting_with_plain_sha256_is_reported(app, session, trail) -> None:
    """Edit record 2, then recompute its hash and every later one, and the head, with plain
    SHA-256: what the old chain could not tell from the truth."""
    tamper(session, "UPDATE audit_events SET actor_name = 'orang lain' WHERE seq = 2")
    session.expire_all()
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    prev = events[0].hash
    for event in events[1:]:
        fields = event.hashed_fields()
        payload = json.dumps(
            {"prev": prev, **fields}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        tamper(
            session,
            "UPDATE audit_events SET prev_hash = :p, hash = :h WHERE seq = :s",
            {"p": prev, "h": digest, "s": event.seq},
        )
        prev = digest
    tamper(session, "UPDATE audit_head SET hash = :h", {"h": prev})
    session.expire_all()
    assert_broken(verify(app), "catatan #2:", "isi tidak cocok dengan hash berkuncinya")


def test_records_appended_outside_the_app_are_reported(app, session, trail) -> None:
    tamper(session, "UPDATE audit_head SET seq = 2")
    assert_broken(verify(app), "kepala rantai di #2", f"sampai #{RECORDS}")


# --- the real command, the key from the environment -------------------------------------------


def test_the_command_verifies_with_the_key_from_the_environment(tmp_path: Path) -> None:
    """``flask audit verify`` as an operator runs it: the app signs with AUDIT_KEY, and a
    different key (one an intruder would have to guess) makes the same records fail."""
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    engine = build_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    settings = Settings(
        database_url=url,
        secret_key="x",
        audit_key=SECRET,
        instance_dir=tmp_path / "instance",
        evidence_dir=tmp_path / "evidence",
    )
    app = create_app(settings)
    with app.app_context():
        session = app.extensions["sessionmaker"]()
        for n in range(3):
            agencies.create_agency(
                session,
                user=None,
                name=f"Instansi {n}",
                short_name=f"I{n}",
                kind=AgencyKind.LEMBAGA,
                code=f"i{n}",
            )
        session.commit()
        head = session.get(AuditHead, 1)
        exported = f"{head.seq}:{head.hash}"
        session.close()
    app.extensions["engine"].dispose()

    def flask(*args: str, key: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "AUDIT_KEY": key,
            "TRACKER_INSTANCE_DIR": str(tmp_path / "instance"),
        }
        env.pop("TEST_DATABASE_URL", None)
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "tracker", "audit", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    printed = flask("head", key=SECRET)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip() == exported
    good = flask("verify", "--expect-head", exported, key=SECRET)
    assert good.returncode == 0 and good.stdout.startswith("Utuh: 3 catatan audit"), good.stderr
    wrong = flask("verify", key="kunci-tebakan-" + "1" * 32)
    assert wrong.returncode == 1
    assert "RUSAK: catatan #1:" in wrong.stderr and "hash berkuncinya" in wrong.stderr
