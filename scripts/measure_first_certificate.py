"""How long the first certificate PDF takes after the server starts, and the ones after it.

    .venv/bin/python scripts/measure_first_certificate.py [--pdfs 6] [--pause 3]

Seeds the demo into a throw-away instance folder, starts ``scripts/serve.sh`` on a free port
(exactly what ``make run`` serves), signs in as the demo administrator, waits ``--pause``
seconds (a person needs that long to reach a certificate), then downloads one certificate's PDF
``--pdfs`` times, each over a new connection so that every app worker is reached. Prints each
time; the server is stopped at the end. Touches neither ``instance/`` nor ``evidence/``.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
FLASK = [str(ROOT / ".venv/bin/flask"), "--app", "tracker"]
ADMIN, PASSWORD = "admin", "zona-integritas"  # the demo's published account (tracker.demo.seed)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(env: dict[str, str]) -> None:
    for command in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run([*FLASK, *command], env=env, cwd=ROOT, check=True, capture_output=True)


def wait_until_up(base: str, server: subprocess.Popen[bytes], limit: float = 60) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if server.poll() is not None:
            raise SystemExit("the server stopped while starting")
        try:
            if requests.get(f"{base}/healthz", timeout=30).ok:
                return time.perf_counter() - started
        except requests.ConnectionError:  # not listening yet
            time.sleep(0.1)
    raise SystemExit("the server did not answer /healthz in time")


def sign_in(base: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    answer = browser.post(
        f"{base}/login",
        data={"csrf_token": token[1], "username": ADMIN, "password": PASSWORD},
        timeout=30,
        allow_redirects=False,
    )
    assert answer.status_code in (302, 303), f"sign-in failed: {answer.status_code}"
    return browser


def some_certificate(instance: Path) -> str:
    with sqlite3.connect(instance / "tracker.sqlite3") as db:
        row = db.execute("SELECT number FROM certificates ORDER BY id LIMIT 1").fetchone()
    assert row, "the demo issued no certificate"
    return str(row[0])


def timed_pdf(browser: requests.Session, url: str) -> float:
    started = time.perf_counter()
    answer = browser.get(url, timeout=120, headers={"Connection": "close"})
    elapsed = time.perf_counter() - started
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF"), answer.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=int, default=6)
    parser.add_argument("--pause", type=float, default=3.0)
    parser.add_argument("--log", type=Path, help="write the server's output here")
    parser.add_argument(
        "--cold", action="store_true", help="without gunicorn.conf.py (no renderer warm-up)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zi-first-cert-") as tmp:
        instance = Path(tmp) / "instance"
        port = free_port()
        env = {
            **os.environ,
            "TRACKER_INSTANCE_DIR": str(instance),
            "EVIDENCE_DIR": str(Path(tmp) / "evidence"),
            "PORT": str(port),
        }
        env.pop("DATABASE_URL", None)
        env.pop("PUBLIC_BASE_URL", None)
        if args.cold:  # an empty config file instead of ./gunicorn.conf.py and its hooks
            empty = Path(tmp) / "empty.conf.py"
            empty.write_text("")
            env["GUNICORN_CMD_ARGS"] = f"--config {empty}"
        prepare(env)
        log = args.log.open("wb") if args.log else subprocess.DEVNULL
        server = subprocess.Popen(
            [str(ROOT / "scripts/serve.sh")],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one below
        )
        try:
            base = f"http://127.0.0.1:{port}"
            up = wait_until_up(base, server)
            browser = sign_in(base)
            time.sleep(args.pause)
            url = f"{base}/certificates/{some_certificate(instance)}.pdf"
            times = [timed_pdf(browser, url) for _ in range(args.pdfs)]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    print(
        f"{'cold' if args.cold else 'warmed'}: server up after {up:.2f} s; pause {args.pause:.1f} s"
    )
    print("PDF times (s): " + ", ".join(f"{t:.2f}" for t in times))
    print(
        f"first {times[0]:.2f} s, worst {max(times):.2f} s, median of the rest "
        f"{statistics.median(times[1:]):.2f} s"
    )


if __name__ == "__main__":
    main()
