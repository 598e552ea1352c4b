"""Slow clients (issue 13, point 3): nine anonymous connections sending one header line every
5 s took gunicorn down, because its threads read requests themselves.

The production shape puts nginx in front (deploy/nginx/zi-tracker.conf, rendered by
deploy/nginx/render.py) of gunicorn as configured in deploy/gunicorn.conf.py. Here both run for
real on 127.0.0.1: first the attack is shown against gunicorn alone (one worker, two threads),
then thirty slow clients (headers a line at a time, or bodies a byte at a time) go through
nginx while the health check and the login page answer at once; nginx then cuts them off by
itself. A body over the app's upload limit is refused by nginx before gunicorn sees it.

nginx comes from Debian (`make system-test-deps`); it runs unprivileged-style with its own
prefix, pid file, logs and temporary folders under the test's tmp_path.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import request

from config import MB, Settings
from deploy.nginx.render import render
from tests.servers import free_port, running, wait_until_healthy
from tracker import create_app
from tracker.core import migrations
from tracker.db import build_engine

ROOT = Path(__file__).resolve().parents[2]
SLOW_CLIENTS = 30
LINE_EVERY = 2.0  # seconds between two header lines (or body bytes) of a slow client
QUICK = 1.5  # seconds a page may take while the slow clients hang on
MAX_UPLOAD_MB = 2


@dataclass
class Served:
    gunicorn: str  # base URLs
    nginx: str
    gunicorn_port: int
    nginx_port: int
    gunicorn_log: Path


def nginx_binary() -> str:
    binary = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).exists()), None
    )
    if binary is None:
        pytest.fail("nginx is not installed: run `make system-test-deps` (Debian package nginx)")
    return binary


def nginx_conf(tmp: Path, site: Path) -> str:
    """A main configuration around the rendered site: everything nginx writes stays in ``tmp``."""
    temp = {name: tmp / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir()
    # As root nginx's workers would switch to "nobody", who cannot enter tmp_path.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} info;
events {{ worker_connections 1024; }}
http {{
    access_log {tmp / "access.log"};
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {site};
}}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    binary = nginx_binary()
    tmp = tmp_path_factory.mktemp("slow-clients")
    database_url = f"sqlite:///{tmp / 'app.sqlite3'}"
    engine = build_engine(database_url)
    migrations.upgrade(engine)
    engine.dispose()
    app_port, proxy_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "TEST_DATABASE_URL")},
        "DATABASE_URL": database_url,
        "TRACKER_INSTANCE_DIR": str(tmp / "instance"),
        "EVIDENCE_DIR": str(tmp / "evidence"),
        "MAX_UPLOAD_MB": str(MAX_UPLOAD_MB),
        "TRUSTED_PROXIES": "1",
        "GUNICORN_BIND": f"127.0.0.1:{app_port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
    }
    gunicorn = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "-c",
        "deploy/gunicorn.conf.py",
        "wsgi:app",
    ]
    site = tmp / "zi-tracker.conf"
    site.write_text(
        render(
            listen=f"127.0.0.1:{proxy_port}",
            upstream=f"127.0.0.1:{app_port}",
            server_name="localhost",
            max_upload_bytes=MAX_UPLOAD_MB * MB,
        )
    )
    conf = tmp / "nginx.conf"
    conf.write_text(nginx_conf(tmp, site))
    nginx = [binary, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"]
    app_log = tmp / "gunicorn.log"

    def healthy(process: subprocess.Popen) -> None:
        wait_until_healthy(
            process, f"http://127.0.0.1:{app_port}/healthz", app_log, name="gunicorn"
        )

    with (
        running(gunicorn, name="gunicorn", log=app_log, ready=healthy, cwd=ROOT, env=env),
        running(nginx, name="nginx", log=tmp / "nginx.out", port=proxy_port, cwd=tmp),
    ):
        yield Served(
            f"http://127.0.0.1:{app_port}",
            f"http://127.0.0.1:{proxy_port}",
            app_port,
            proxy_port,
            app_log,
        )


class SlowClients:
    """Connections that have begun a request and take their time: even ones send their headers
    a line at a time, odd ones a complete header and then the body a byte at a time."""

    def __init__(self, port: int, tag: str, count: int = SLOW_CLIENTS) -> None:
        # The tag names the test in the body's request line, so a test reading gunicorn's log
        # sees only its own clients: another test's aborted bodies may be logged while it runs.
        self.body_path = f"/login?slow={tag}"
        self.sockets = [
            socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)
        ]
        self.dropped: set[int] = set()
        body_start = (
            f"POST {self.body_path} HTTP/1.1\r\nHost: localhost\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nu"
        ).encode()
        for number, sock in enumerate(self.sockets):
            sock.sendall(body_start if number % 2 else self.HEADER_START)

    HEADER_START = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n"

    def trickle(self) -> None:
        """One more header line (or body byte) from each client still connected."""
        for number, sock in enumerate(self.sockets):
            if number not in self.dropped:
                try:
                    sock.sendall(b"s" if number % 2 else b"X-Slow: 1\r\n")
                except OSError:
                    self.dropped.add(number)

    def still_sending_headers(self) -> int:
        return sum(1 for n in range(0, len(self.sockets), 2) if n not in self.dropped)

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


def answer_time(url: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=QUICK * 2) as response:  # noqa: S310 - local URL
        assert response.status == 200
        response.read()
    return time.monotonic() - started


def test_slow_clients_take_gunicorn_alone_down(served: Served) -> None:
    """The attack is real: gunicorn's two threads are each held by a slow client."""
    clients = SlowClients(served.gunicorn_port, "gunicorn-alone")
    try:
        time.sleep(0.5)
        clients.trickle()
        with pytest.raises(OSError):  # URLError and socket timeouts alike
            answer_time(served.gunicorn + "/healthz")
    finally:
        clients.close()
    deadline = time.monotonic() + 30
    while True:  # the threads come free once the clients hang up
        try:
            answer_time(served.gunicorn + "/healthz")
            break
        except OSError:
            assert time.monotonic() < deadline, "gunicorn did not recover after the attack"


def test_behind_nginx_pages_answer_while_slow_clients_hang_on(served: Served) -> None:
    logged_before = len(served.gunicorn_log.read_text())
    clients = SlowClients(served.nginx_port, "behind-nginx")
    try:
        started, slowest = time.monotonic(), 0.0
        while time.monotonic() - started < 8:  # within nginx's 10 s allowance for a header
            tick = time.monotonic()
            for path in ("/healthz", "/login"):
                slowest = max(slowest, answer_time(served.nginx + path))
            clients.trickle()
            assert not clients.dropped, "nginx dropped a slow client before its timeout"
            time.sleep(max(0.0, LINE_EVERY - (time.monotonic() - tick)))
        assert slowest < QUICK, f"a page took {slowest:.2f}s through nginx"
        # Then nginx ends the slow headers itself (client_header_timeout); the slow bodies it
        # keeps reading, at no cost to gunicorn, which never sees them.
        deadline = time.monotonic() + 20
        while clients.still_sending_headers() and time.monotonic() < deadline:
            time.sleep(LINE_EVERY)
            clients.trickle()
        assert clients.still_sending_headers() == 0, "nginx kept slow headers past its timeout"
    finally:
        clients.close()
    assert answer_time(served.nginx + "/healthz") < QUICK
    logged = served.gunicorn_log.read_text()[logged_before:]
    assert f"POST {clients.body_path} " not in logged, "a slow body reached gunicorn"


def test_nginx_refuses_a_body_over_the_upload_limit(served: Served) -> None:
    too_big = (MAX_UPLOAD_MB + 2) * MB
    with socket.create_connection(("127.0.0.1", served.nginx_port), timeout=5) as sock:
        sock.sendall(
            b"POST /login HTTP/1.1\r\nHost: localhost\r\n"
            + f"Content-Length: {too_big}\r\n\r\n".encode()
        )
        assert sock.recv(200).startswith(b"HTTP/1.1 413")


def test_forwarded_headers_count_only_behind_a_trusted_proxy(tmp_path: Path) -> None:
    """The client's address comes from X-Forwarded-For only when TRUSTED_PROXIES says a proxy
    sets it; otherwise anyone could claim any address (and escape the login throttle)."""
    seen = {}
    for proxies in (0, 1):
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'peer.sqlite3'}",
            secret_key="x",
            instance_dir=tmp_path,
            trusted_proxies=proxies,
        )
        app = create_app(settings)
        app.add_url_rule("/peer", "peer", lambda: f"{request.remote_addr} {request.scheme}")
        response = app.test_client().get(
            "/peer",
            headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
        seen[proxies] = response.get_data(as_text=True)
        app.extensions["engine"].dispose()
    assert seen == {0: "127.0.0.1 http", 1: "203.0.113.9 https"}
