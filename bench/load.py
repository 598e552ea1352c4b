"""Load smoke: coordinators and reviewers against gunicorn (2 workers) on 127.0.0.1.

Starts a fresh instance (migrations, demo data), serves it with gunicorn, runs locust headless
for 60 s (15 s with --quick) and reports requests/s, p50/p95 per request kind and the errors
(reported, never failing the run: issue 18 §2).
"""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

TITLE = "Load smoke: coordinators and reviewers, gunicorn with 2 workers"
ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
USERS = 24


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare(tmp: Path, port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "TRACKER_INSTANCE_DIR": str(tmp / "instance"),
        "EVIDENCE_DIR": str(tmp / "evidence"),
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    for command in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run(
            [str(BIN / "flask"), "--app", "tracker", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    return env


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    out = log.open("wb")
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}")


def _locust(port: int, seconds: int, prefix: Path) -> None:
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "-u",
            str(USERS),
            "-r",
            "8",
            "-t",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        check=False,
        capture_output=True,
    )


def _read(prefix: Path) -> dict:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    total = next(r for r in rows if r["Name"] == "Aggregated")
    per_kind = {
        f"{r['Type']} {r['Name']}": {
            "requests": int(r["Request Count"]),
            "failures": int(r["Failure Count"]),
            "p50_ms": float(r["50%"]),
            "p95_ms": float(r["95%"]),
        }
        for r in rows
        if r["Name"] != "Aggregated"
    }
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "by_request": per_kind,
    }


def _failures(prefix: Path) -> list[str]:
    with open(f"{prefix}_failures.csv", encoding="utf-8") as handle:
        return [
            f"{r['Method']} {r['Name']}: {r['Error']} x{r['Occurrences']}"
            for r in csv.DictReader(handle)
        ]


def run(quick: bool = False) -> dict:
    seconds = 15 if quick else 60
    with tempfile.TemporaryDirectory(prefix="zi-load-") as name:
        tmp, port = Path(name), _free_port()
        env = _prepare(tmp, port)
        server = _serve(env, port, tmp / "gunicorn.log")
        try:
            _locust(port, seconds, tmp / "locust")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        result = {
            "seconds": seconds,
            "users": USERS,
            "workers": 2,
            **_read(tmp / "locust"),
            "failure_kinds": _failures(tmp / "locust"),
        }
    # Issue 18 §2: a figure is reported, never a reason to fail `make bench` (the failed
    # requests and their kinds are in the report).
    return result


def report(result: dict) -> str:
    lines = [
        f"{result['users']} users for {result['seconds']} s against gunicorn with "
        f"{result['workers']} workers: {result['requests']} requests, "
        f"{result['rps']:.1f} requests/s, p50 {result['p50_ms']:.0f} ms, "
        f"p95 {result['p95_ms']:.0f} ms, errors {result['failures']}"
    ]
    lines += [f"  failed: {line}" for line in result.get("failure_kinds", [])]
    for name, row in sorted(result["by_request"].items()):
        lines.append(
            f"  {name:55} {row['requests']:6d}  p50 {row['p50_ms']:6.0f} ms  "
            f"p95 {row['p95_ms']:6.0f} ms  errors {row['failures']}"
        )
    return "\n".join(lines)
