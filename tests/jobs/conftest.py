"""Fixtures for the background-job tests: a "live" installation (its own committed SQLite
database, the app, and the real worker process) that a queue can be driven through end to end;
the real redis-server is the shared ``redis_url`` fixture of ``tests/servers.py``.

The test database of ``tests/conftest.py`` lives in one rolled-back transaction that no other
process can see, so the live installation has its own file database, whichever database the
rest of the suite runs on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from config import Settings
from tracker import create_app
from tracker.accreditation.models import Designation, Predicate
from tracker.agencies import services as agencies
from tracker.agencies.models import AgencyKind
from tracker.auth import services as auth
from tracker.auth.models import User
from tracker.certificates import services as certificates
from tracker.certificates.models import Certificate
from tracker.core import migrations
from tracker.db import build_engine

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Live:
    """A complete installation in ``root``: database file, instance folder, evidence folder."""

    root: Path
    settings: Settings
    app: Flask
    user: User | None = None
    worker_log: Path | None = None  # set when a worker is started, for failure messages
    worker: subprocess.Popen | None = None

    def worker_output(self) -> str:
        return self.worker_log.read_text()[-4000:] if self.worker_log else "(no worker started)"

    def session(self) -> Session:
        return self.app.extensions["sessionmaker"]()

    def env(self) -> dict[str, str]:
        """The environment a worker process of this installation runs with."""
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "TEST_DATABASE_URL")}
        env.update(
            DATABASE_URL=self.settings.database_url,
            SECRET_KEY=self.settings.secret_key,
            TRACKER_INSTANCE_DIR=str(self.settings.instance_dir),
            EVIDENCE_DIR=str(self.settings.evidence_dir),
            PUBLIC_BASE_URL=self.settings.public_base_url,
            JOB_STALE_SECONDS=str(self.settings.job_stale_seconds),
        )
        if self.settings.redis_url:
            env["REDIS_URL"] = self.settings.redis_url
        return env


def make_live(root: Path, redis_url: str = "", job_stale_seconds: int = 120) -> Live:
    database_url = f"sqlite:///{root / 'live.sqlite3'}"
    engine = build_engine(database_url)
    migrations.upgrade(engine)
    engine.dispose()
    settings = Settings(
        database_url=database_url,
        secret_key="live-test-secret",
        env="test",
        instance_dir=root / "instance",
        evidence_dir=root / "evidence",
        redis_url=redis_url,
        job_stale_seconds=job_stale_seconds,
        public_base_url="https://zi.example.go.id",
    )
    return Live(root, settings, create_app(settings))


def seed_certificates(live: Live, count: int) -> list[str]:
    """An agency, a pimpinan, a signatory and ``count`` issued certificates (committed)."""
    with live.app.app_context():
        session = live.session()
        agency = agencies.create_agency(
            session,
            user=None,
            name="Kepolisian Hidup",
            short_name="Polhid",
            kind=AgencyKind.LEMBAGA,
            code="polhid",
        )
        unit = agencies.create_unit(
            session,
            user=None,
            agency=agency,
            name="Polres Hidup",
            kind="Polres",
            code="polres-hidup",
        )
        live.user = auth.create_user(
            session,
            by=None,
            username="pimpinan.hidup",
            full_name="Pimpinan Hidup",
            password="kata-sandi-uji-123",
        )
        certificates.set_signatory(session, user=None, name="Dr. Penanda Hidup")
        issued = [_issue(session, unit, 2000 + i) for i in range(count)]
        session.commit()
        numbers = [c.number for c in issued]
        session.close()
    return numbers


def _issue(session: Session, unit, year: int) -> Certificate:
    designation = Designation(
        unit_id=unit.id,
        agency_id=unit.agency_id,
        predicate=Predicate.WBK,
        year=year,
        decree_number=f"{year} Tahun {year}",
        decree_date=date(year, 12, 10),
        snapshot_sha256=f"{year:064x}",
    )
    session.add(designation)
    session.flush()
    return certificates.issue_for_designation(session, designation=designation, user=None)


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[Live], subprocess.Popen]]:
    """Start ``flask --app tracker jobs worker`` for a live installation; stopped afterwards
    the way a service manager stops it (SIGTERM, graceful)."""
    started: list[tuple[subprocess.Popen, Path]] = []

    def start(live: Live, workers: int = 2) -> subprocess.Popen:
        log = tmp_path / f"worker-{len(started)}.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "flask",
                    "--app",
                    "tracker",
                    "jobs",
                    "worker",
                    "--workers",
                    str(workers),
                ],
                cwd=REPO_ROOT,
                env=live.env(),
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        started.append((process, log))
        live.worker_log, live.worker = log, process
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                pytest.fail(f"the worker did not stop on SIGTERM:\n{log.read_text()[-3000:]}")
