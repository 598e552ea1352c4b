"""Real servers for the tests (moto S3, redis-server, the app itself): started once, stopped after.

``running`` is the one way a test starts a server process: output to a log file, wait until it
answers (a TCP port, or a check of its own), and stop it however the test ends (SIGTERM, then
SIGKILL). The session-scoped fixtures below are registered for the whole suite in
``tests/conftest.py``; a server starts only when a test asks for it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from deploy.production_shape import redis_command

START_TIMEOUT = 30.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database(tmp: Path, prefix: str) -> str:
    """A database of its own for a test that runs real server processes: a new SQLite file in
    ``tmp``, or a new database in the PostgreSQL cluster of TEST_DATABASE_URL."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        return f"sqlite:///{tmp / f'{prefix}.sqlite3'}"
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def wait_until_listening(
    process: subprocess.Popen, port: int, log: Path, *, name: str, timeout: float = START_TIMEOUT
) -> None:
    """Wait for ``process`` to accept connections on ``port``; fail with its log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited with {process.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"{name} did not listen on 127.0.0.1:{port} within {timeout}s")


def wait_until_healthy(
    process: subprocess.Popen, url: str, log: Path, *, name: str, timeout: float = 60.0
) -> None:
    """Wait for ``url`` to answer 200 (a port can accept before the app behind it is ready)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{name} not healthy at {url} within {timeout}s:\n{log.read_text()[-4000:]}")


def stop(process: subprocess.Popen, *, group: bool = False, timeout: float = 10.0) -> None:
    """SIGTERM (to its whole process group when ``group``), SIGKILL if it is still there after
    ``timeout`` seconds; always reaped."""

    def send(sig: int) -> None:
        try:
            if group:
                os.killpg(process.pid, sig)
            elif process.poll() is None:
                process.send_signal(sig)
        except ProcessLookupError:
            pass  # already gone

    send(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait()


@contextmanager
def running(
    command: Sequence[str],
    *,
    name: str,
    log: Path,
    port: int | None = None,
    ready: Callable[[subprocess.Popen], None] | None = None,
    group: bool = False,
    stop_timeout: float = 10.0,
    **popen: object,
) -> Iterator[subprocess.Popen]:
    """Run ``command`` for the duration of the block, once it is ready.

    Ready means listening on ``port``, or whatever ``ready(process)`` waits for. With ``group``
    the process leads a new process group and is stopped with all its children (a script that
    starts several servers).
    """
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(command),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=group,
            **popen,
        )
    try:
        if ready is not None:
            ready(process)
        else:
            assert port is not None, "running() needs a port or a ready check"
            wait_until_listening(process, port, log, name=name)
        yield process
    finally:
        stop(process, group=group, timeout=stop_timeout)


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of moto's S3 server on 127.0.0.1, one per session.

    A subprocess rather than ``ThreadedMotoServer`` so that (a) the objects it keeps do not
    count in this process's ``tracemalloc`` peak, which the evidence streaming tests measure,
    and (b) moto's own warnings cannot trip ``filterwarnings = error``.
    """
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "server.log"
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with running(command, name="moto server", log=log, port=port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway redis-server on a free 127.0.0.1 port, one per session."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (`make test` installs Debian's redis-server)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    command = redis_command(binary, port, folder)
    with running(command, name="redis-server", log=folder / "redis.log", port=port):
        yield f"redis://127.0.0.1:{port}/0"
