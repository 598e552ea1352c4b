"""A stand-in for an agency's system: a real HTTP server (stdlib ``ThreadingHTTPServer`` in a
thread) answering under ``/api/portalrb`` in the shapes of the ministry's guide, each path
following a script of replies and faults. The end-to-end test against the app itself is elsewhere.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

PREFIX = "/api/portalrb"
TOKEN = "rahasia-instansi-uji"
TAHUN = 2026


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: a JSON ``body``, or ``raw`` bytes sent as they are."""

    status: int = 200
    body: object = None
    headers: Mapping[str, str] = field(default_factory=dict)
    raw: bytes | None = None


DROP = "drop"  # read the request, then close the connection without a word
HANG = "hang"  # read the request and never answer (the client times out)
Step = Reply | str


def error(status: int, code: str, message: str, **headers: str) -> Reply:
    """The guide's error body."""
    return Reply(status, {"error": True, "code": code, "message": message}, headers)


def unit_list(*units: dict[str, object], tahun: object = TAHUN) -> Reply:
    return Reply(200, {"tahun": tahun, "units": list(units)})


def unit(
    unit_id: str, nama: str, kategori: str | None = None, **extra: object
) -> dict[str, object]:
    entry: dict[str, object] = {"id": unit_id, "nama": nama, **extra}
    if kategori is not None:
        entry["kategori"] = kategori
    return entry


def answer(soal_id: object, jawaban: object = "A", bukti: object = None) -> dict[str, object]:
    return {
        "soal_id": soal_id,
        "jawaban_unit": jawaban,
        "jawaban_tpi": None,
        "catatan_unit": "Sudah dilaksanakan",
        "bukti_dukung_unit": bukti,
        "catatan_tpi": None,
    }


def answers(unit_id: str, nama: str, *items: object, tahun: object = TAHUN) -> Reply:
    body = {"unit_id": unit_id, "nama_unit": nama, "tahun": tahun, "answers": list(items)}
    return Reply(200, body)


def answers_path(unit_id: str) -> str:
    return f"/lke/jawaban-unit/{unit_id}"


class AgencyServer:
    """The scripts, and what was asked: each path answers its steps in turn, the last one for
    every request after; a path with no script answers the guide's 404 DATA_NOT_FOUND."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.base_url = ""
        self.requests: list[tuple[str, str]] = []  # (path under the prefix, Authorization)
        self.errors: list[BaseException] = []
        self.released = threading.Event()  # lets hanging handlers go at teardown
        self._scripts: dict[str, list[Step]] = {}
        self._lock = threading.Lock()

    def script(self, path: str, *steps: Step) -> None:
        self._scripts[path] = list(steps)

    def hits(self, path: str) -> int:
        return sum(1 for asked, _auth in self.requests if asked == path)

    def paths(self) -> list[str]:
        return [asked for asked, _auth in self.requests]

    def step_for(self, path: str, authorization: str) -> Step:
        with self._lock:
            self.requests.append((path, authorization))
            if authorization != f"Bearer {self.token}":
                return error(401, "UNAUTHORIZED", "Token tidak ada atau tidak sah.")
            steps = self._scripts.get(path)
            if not steps:
                return error(404, "DATA_NOT_FOUND", "Data tidak ditemukan.")
            return steps.pop(0) if len(steps) > 1 else steps[0]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as requests' pooled connections expect

    def do_GET(self) -> None:
        agency = self.server.agency
        path = urlsplit(self.path).path
        if not path.startswith(PREFIX + "/"):
            self._send(error(404, "NOT_FOUND", "Bukan alamat API PortalRB."))
            return
        step = agency.step_for(path[len(PREFIX) :], self.headers.get("Authorization", ""))
        if step == HANG:
            agency.released.wait(timeout=30)
            self.close_connection = True
        elif step == DROP:
            self.close_connection = True
        else:
            assert isinstance(step, Reply)
            self._send(step)

    def _send(self, reply: Reply) -> None:
        data = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read the server's record of requests instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    agency: AgencyServer

    def handle_error(self, request: object, client_address: object) -> None:
        """Keep what went wrong in a handler for the test to see (a client hanging up on a
        request it gave up on is not an error of the server)."""
        exc = sys.exception()
        if exc is not None and not isinstance(exc, ConnectionError):
            self.agency.errors.append(exc)


@contextmanager
def serving(agency: AgencyServer) -> Iterator[AgencyServer]:
    """Serve ``agency`` on a free 127.0.0.1 port for the block."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.agency = agency
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    agency.base_url = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    try:
        yield agency
    finally:
        agency.released.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def script_healthy_agency(agency: AgencyServer) -> None:
    """Two WBK units (one afirmasi) and one WBBM unit, each with guide-shaped answers."""
    agency.script(
        "/pengusulan/unit-wbk",
        unit_list(
            unit("u-1", "Polres Kota Satu", "WBK", afirmasi=False),
            unit("u-2", "Polres Dua", "WBK-AFIRMASI", afirmasi=True),
        ),
    )
    agency.script("/pengusulan/unit-wbbm", unit_list(unit("u-3", "Polda Tiga", "WBBM")))
    agency.script(
        answers_path("u-1"),
        answers(
            "u-1",
            "Polres Kota Satu",
            answer(101, "A", "https://drive.example/1"),
            answer(102, "Ya"),
            answer(103, None),
            answer(104, "12", "Notulen rapat"),
        ),
    )
    agency.script(answers_path("u-2"), answers("u-2", "Polres Dua", answer(101, "B")))
    agency.script(
        answers_path("u-3"),
        answers("u-3", "Polda Tiga", answer(101, "C", "https://drive.example/3"), answer(102, "")),
    )
