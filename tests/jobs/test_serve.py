"""scripts/serve.sh supervises the web server and the job worker separately (issue 13 §7): killing
the worker used to stop gunicorn too. Now the worker comes back while /healthz keeps answering,
and a stop signal to the script still stops both."""

from __future__ import annotations

import os
import signal
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.jobs.conftest import REPO_ROOT, make_live
from tests.servers import free_port, running, wait_until_healthy


def worker_of(script: psutil.Process) -> psutil.Process | None:
    """The job worker (``flask ... jobs worker``) the script runs now, if any."""
    for child in script.children():
        try:
            command = child.cmdline()
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            continue  # the killed worker, not yet reaped by the script
        if "jobs" in command and "worker" in command:
            return child
    return None


def healthy(base: str) -> bool:
    with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310 - local
        return response.status == 200


def test_a_killed_worker_comes_back_and_the_web_server_stays(tmp_path: Path) -> None:
    live = make_live(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**live.env(), "PORT": str(port)}
    log = tmp_path / "serve.log"

    def ready(process) -> None:
        wait_until_healthy(process, base + "/healthz", log, name="scripts/serve.sh")

    command = [str(REPO_ROOT / "scripts" / "serve.sh")]
    with running(command, name="serve.sh", log=log, ready=ready, group=True, env=env) as process:
        script = psutil.Process(process.pid)
        first = worker_of(script)
        assert first is not None, log.read_text()
        web = [child for child in script.children() if child.pid != first.pid]
        first.send_signal(signal.SIGKILL)
        deadline = time.monotonic() + 20
        while (again := worker_of(script)) is None or again.pid == first.pid:
            assert healthy(base), "the web server stopped with the worker"
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        assert healthy(base) and all(child.is_running() for child in web)
        assert "job worker exited" in log.read_text()
        # A stop signal to the script alone (a service manager's) stops both, gracefully.
        everything = [*script.children(recursive=True)]
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=60) == 0, log.read_text()[-3000:]
        _gone, alive = psutil.wait_procs(everything, timeout=10)
        if alive:
            pytest.fail(f"left running after serve.sh stopped: {alive}\n{log.read_text()[-3000:]}")
