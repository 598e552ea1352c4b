"""End-to-end fixtures: the real app served on 127.0.0.1 (gunicorn and the job worker, as
`make run` starts them) over a fresh database, driven by Debian's Chromium through Playwright.

The database is a new SQLite file, or a new database in the throwaway PostgreSQL cluster when
TEST_DATABASE_URL points at one, so the journey runs on both backends like the rest of the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import free_port, fresh_database, running, wait_until_healthy

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@dataclass(frozen=True)
class LiveApp:
    """The served app: its address, and the environment its `flask` commands need."""

    base: str
    env: dict[str, str]

    def flask(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `flask --app tracker ARGS` against the served app's database."""
        return subprocess.run(
            [str(ROOT / ".venv" / "bin" / "flask"), "--app", "tracker", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )


@pytest.fixture(scope="session")
def live_server(live_app: LiveApp) -> str:
    return live_app.base


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    tmp = tmp_path_factory.mktemp("e2e")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "TRACKER_INSTANCE_DIR": str(tmp / "instance"),
        "EVIDENCE_DIR": str(tmp / "evidence"),
        "DATABASE_URL": fresh_database(tmp, "e2e"),
        "PUBLIC_BASE_URL": base,
        "PORT": str(port),
        "REDIS_URL": "",
    }
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "tracker"]
    for command in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
    log = tmp / "server.log"

    def healthy(process) -> None:
        wait_until_healthy(process, base + "/healthz", log, name="the app (scripts/serve.sh)")

    # serve.sh runs gunicorn and the job worker: stopped together, as a process group.
    with running(
        [str(ROOT / "scripts" / "serve.sh")],
        name="the app",
        log=log,
        ready=healthy,
        group=True,
        stop_timeout=20,
        cwd=ROOT,
        env=env,
    ):
        yield LiveApp(base, env)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium, not a Playwright download (which cannot be fetched here)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
