"""Evidence under faults and hostile files (issue 13, points 4, 9 and 15).

Point 4: an upload cut off after a third of its declared Content-Length was stored as complete,
made the current version, and passed ``flask evidence verify``. Under gunicorn werkzeug hands a
body that ends early on as if it were whole; the view now reads the raw input to exactly the
declared length and the store refuses a body that ends sooner. A client that sends *more* than
it declared cannot make a longer file: HTTP frames the body by Content-Length (what follows is
the next request on the connection, which gunicorn answers with 400), so the stored body is the
declared bytes, and a file cut short that way is refused because its end is missing.

Point 9: a killed upload left ``evidence/.tmp/*.part`` forever, and ``verify --orphans`` did
not report temporary files or orphans younger than an hour. It now lists both with their ages,
removes stale temporary files with ``--purge``, and never removes young orphans.

Point 15: ``<html><!--%PDF-1.4-->`` passed as PDF, and DOCX files with macros, an embedded
executable, or a zip bomb were accepted. Each is now refused, by content, in milliseconds, with
a message naming the reason.

The faults that need the real server (a socket whose body stops early, a worker killed
mid-upload) run against gunicorn on 127.0.0.1 over a fresh database (SQLite, or a new database
in the PostgreSQL cluster when TEST_DATABASE_URL points at one); the rest use the test client.
Every hostile file is built here; no binary fixture is committed.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from botocore.config import Config
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from tests.evidence.evidence_samples import (
    docm_named_docx,
    docx_bomb,
    docx_bytes,
    docx_declaring,
    docx_with_activex,
    docx_with_embedded,
    docx_with_macros,
    docx_with_ole_object,
    docx_with_renamed_macros,
    html_pdf_polyglot,
    pdf_bytes,
    png_bytes,
    sized_pdf,
)
from tests.factories import PASSWORD, Factory
from tests.helpers import csrf_token, login_as
from tests.servers import free_port, fresh_database, running, wait_until_healthy
from tests.world import World
from tracker import clock, wiring
from tracker.accreditation import cycles
from tracker.audit.models import AuditEvent
from tracker.auth.roles import Role
from tracker.certificates.services import set_signatory
from tracker.core import migrations
from tracker.db import build_engine
from tracker.demo.story import demo_calendar
from tracker.evidence import S3EvidenceStore, storage
from tracker.evidence.filetypes import DEFAULT_ALLOW_LIST, RejectedFileError, RejectReason
from tracker.evidence.models import EvidenceFile, EvidenceStatus
from tracker.extensions import EVIDENCE_STORE
from tracker.lke.services import sync_framework

ROOT = Path(__file__).resolve().parents[2]
ITEM = "A.I.1.i.a"
DOC = "team-decree-sk-tim-kerja-zi"
FAST = 1.0  # seconds, generous for a shared machine: every refusal here takes milliseconds


# --- the test client --------------------------------------------------------------------------


def stream_url(enrolment_id: int) -> str:
    return f"/enrolments/{enrolment_id}/evidence/stream?item={ITEM}&document={DOC}"


def post_stream(client, enrolment, data: bytes, name: str, **kwargs):
    token = csrf_token(client, f"/enrolments/{enrolment.id}/lke")
    return client.post(
        stream_url(enrolment.id),
        data=data,
        headers={
            "X-CSRFToken": token,
            "X-File-Name": name,
            "Content-Type": "application/octet-stream",
            "Accept": "application/json",
        },
        **kwargs,
    )


def evidence_state(session: Session, store_root: Path) -> tuple[list, int, list[str]]:
    """(every row's (version, status, sha256), audit record count, files in the store)."""
    session.expire_all()
    rows = session.execute(
        select(EvidenceFile.version, EvidenceFile.status, EvidenceFile.sha256).order_by(
            EvidenceFile.id
        )
    ).all()
    audits = session.scalar(select(func.count()).select_from(AuditEvent))
    files = (
        sorted(str(p.relative_to(store_root)) for p in store_root.rglob("*") if p.is_file())
        if store_root.exists()
        else []
    )
    return [tuple(row) for row in rows], audits or 0, files


@pytest.fixture
def current(client, world: World, settings):
    """An enrolment whose document already has a complete version 1, uploaded by its
    coordinator (logged in)."""
    enrolment = world.building()
    login_as(client, world.koordinator)
    response = post_stream(client, enrolment, pdf_bytes("versi 1"), "sk.pdf")
    assert response.status_code == 201, response.json
    return enrolment


def test_a_body_shorter_than_declared_is_refused_and_supersedes_nothing(
    app, client, world: World, settings, current
) -> None:
    before = evidence_state(world.session, settings.evidence_dir)
    data = pdf_bytes("versi 2")
    third = len(data) // 3
    # The client declared the whole file and sent a third: wsgi.input ends early.
    response = post_stream(
        client, current, data[:third], "sk revisi.pdf",
        environ_overrides={"CONTENT_LENGTH": str(len(data))},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json["error"] == (
        f"Berkas sk revisi.pdf ditolak: unggahan terputus sebelum selesai (diterima {third} B "
        f"dari {len(data)} B). Tidak ada yang disimpan; unggah ulang berkasnya."
    )
    assert evidence_state(world.session, settings.evidence_dir) == before
    (row,) = world.session.scalars(select(EvidenceFile)).all()
    assert (row.version, row.status) == (1, EvidenceStatus.ACTIVE)
    result = app.test_cli_runner().invoke(args=["evidence", "verify"])
    assert result.exit_code == 0 and "Utuh: 1, hilang: 0, berubah: 0" in result.output


def test_a_body_longer_than_declared_stores_no_cut_off_file(
    client, world: World, settings, current
) -> None:
    """Content-Length says a third; the input holds the whole file. The declared third is the
    body (the rest would be the next request), and it is refused as cut off."""
    before = evidence_state(world.session, settings.evidence_dir)
    data = sized_pdf(30_000)
    response = post_stream(
        client, current, data, "sk.pdf", environ_overrides={"CONTENT_LENGTH": "10000"}
    )
    assert response.status_code == 422
    assert response.json["error"].startswith("Berkas sk.pdf ditolak: berkasnya tidak utuh")
    assert evidence_state(world.session, settings.evidence_dir) == before


def test_bytes_past_the_declared_length_never_reach_the_file(
    client, world: World, settings, current
) -> None:
    data = pdf_bytes("versi 2")
    response = post_stream(
        client, current, data + b"GET / HTTP/1.1\r\n\r\n", "sk.pdf",
        environ_overrides={"CONTENT_LENGTH": str(len(data))},
    )  # fmt: skip
    assert response.status_code == 201
    stored = world.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id.desc())).first()
    assert stored.size == len(data)
    assert (settings.evidence_dir / stored.storage_key).read_bytes() == data


def test_an_upload_without_a_declared_length_is_refused(
    client, world: World, settings, current
) -> None:
    """Chunked: no declared size to hold the body to (browsers always send one)."""
    before = evidence_state(world.session, settings.evidence_dir)
    token = csrf_token(client, f"/enrolments/{current.id}/lke")
    response = client.post(
        stream_url(current.id),
        data=pdf_bytes("versi 2"),
        # What a server hands on for a chunked body: no length, the input ends by itself.
        environ_overrides={"wsgi.input_terminated": True},
        headers={
            "Transfer-Encoding": "chunked",
            "X-CSRFToken": token,
            "X-File-Name": "sk.pdf",
            "Content-Type": "application/octet-stream",
            "Accept": "application/json",
        },
    )
    assert response.status_code == 422
    assert response.json["error"] == (
        "Berkas sk.pdf ditolak: permintaan unggah tidak menyebut ukuran berkasnya, jadi "
        "kelengkapannya tidak dapat diperiksa. Unggah ulang dari halaman LKE."
    )
    assert evidence_state(world.session, settings.evidence_dir) == before


def test_the_cut_off_message_is_translated(english, client, world: World, current) -> None:
    with client.session_transaction() as cookie:
        cookie["lang"] = "en"
    data = pdf_bytes("versi 2")
    response = post_stream(
        client, current, data[:100], "sk.pdf",
        environ_overrides={"CONTENT_LENGTH": str(len(data))},
    )  # fmt: skip
    assert response.json["error"] == (
        f"File sk.pdf was rejected: the upload was cut off before it finished (100 B of "
        f"{len(data)} B received). Nothing was saved; upload the file again."
    )


# --- the real server --------------------------------------------------------------------------


def _seed(database_url: str) -> tuple[int, str]:
    """The tests' small world in a real database: an enrolment building its LKE and its
    coordinator. Returns (enrolment id, the coordinator's username)."""
    engine = build_engine(database_url)
    migrations.upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        wiring.bind_session(session)
        factory = Factory(session)
        row, _created = sync_framework(session)
        admin = factory.user(Role.ADMIN)
        set_signatory(session, user=admin, name="Menteri PANRB (uji)")
        # A cycle whose self-assessment is open on the live server's real day (started, not
        # ended): the window bounds the unit's answers and evidence (issue 15 §3).
        year = clock.today().year + 1
        cycle = cycles.create_cycle(
            session, user=admin, year=year, name="", framework=row,
            calendar=demo_calendar(clock.today()),
        )  # fmt: skip
        agency = factory.agency("Kepolisian Uji")
        polda = factory.unit(agency, "Polda Uji", "Polda")
        polres = factory.unit(agency, "Polres Uji", "Polres", parent=polda)
        sibling = factory.unit(agency, "Polres Tetangga", "Polres", parent=polda)
        koordinator = factory.user((Role.KOORDINATOR, polres), username="koordinator.uji")
        world = World(
            session=session, cycle=cycle, agency=agency, polda=polda, polres=polres,
            sibling=sibling, admin=admin, koordinator=koordinator, pokja=admin, penilai=admin,
            tpi=admin, pimpinan=admin, tpn=admin,
        )  # fmt: skip
        enrolment_id = world.building().id
    engine.dispose()
    return enrolment_id, "koordinator.uji"


@dataclass
class Live:
    """gunicorn serving the app on 127.0.0.1, its database, folders and log."""

    base: str
    port: int
    env: dict[str, str]
    database_url: str
    evidence: Path
    log: Path
    process: subprocess.Popen
    enrolment_id: int
    username: str

    @property
    def temp_dir(self) -> Path:
        return self.evidence / ".tmp"

    def state(self) -> tuple[list, int, list[str]]:
        engine = create_engine(self.database_url)
        try:
            with Session(engine) as session:
                return evidence_state(session, self.evidence)
        finally:
            engine.dispose()

    def flask(self, *args: str) -> str:
        """Run ``flask ARGS`` on this app's database and store; its output."""
        result = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "flask"), "--app", "tracker", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode in (0, 1), result.stderr
        return result.stdout

    def requests_logged(self, path: str) -> int:
        """How many requests to ``path`` the access log shows (written once answered)."""
        return self.log.read_text(errors="replace").count(f'"POST {path}')

    def wait_logged(self, path: str, count: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while self.requests_logged(path) < count:
            assert time.monotonic() < deadline, self.log.read_text()[-3000:]
            time.sleep(0.05)

    def workers(self) -> list[int]:
        """The pids of gunicorn's workers: the children of the master we started."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("evidence-live")
    database_url = fresh_database(tmp, "live")
    enrolment_id, username = _seed(database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "TRACKER_INSTANCE_DIR": str(tmp / "instance"),
        "EVIDENCE_DIR": str(tmp / "evidence"),
        "DATABASE_URL": database_url,
        "PUBLIC_BASE_URL": base,
        "REDIS_URL": "",
    }
    log = tmp / "gunicorn.log"
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--bind", f"127.0.0.1:{port}",
        "--workers", "1",
        "--threads", "2",
        "--timeout", "60",
        "--access-logfile", "-",
        "wsgi:app",
    ]  # fmt: skip

    def healthy(process: subprocess.Popen) -> None:
        wait_until_healthy(process, base + "/healthz", log, name="gunicorn")

    with running(command, name="gunicorn", log=log, ready=healthy, cwd=ROOT, env=env) as process:
        yield Live(
            base, port, env, database_url, tmp / "evidence", log, process, enrolment_id, username
        )


class Browser:
    """A logged-in coordinator: cookies, and the CSRF token of the LKE page."""

    def __init__(self, live: Live) -> None:
        self.live = live
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        token = self._token("/login")
        form = {"csrf_token": token, "username": live.username, "password": PASSWORD}
        with self.opener.open(live.base + "/login", urllib.parse.urlencode(form).encode()) as r:
            assert r.status == 200 and "/login" not in r.url, r.url
        self.token = self._token(f"/enrolments/{live.enrolment_id}/lke")

    def _token(self, path: str) -> str:
        with self.opener.open(self.live.base + path) as response:
            html = response.read().decode()
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def upload_head(self, declared: int, name: str = "sk.pdf") -> bytes:
        """The request line and headers of a streamed upload declaring ``declared`` bytes."""
        path = stream_url(self.live.enrolment_id)
        lines = [
            f"POST {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.live.port}",
            f"Cookie: {self.cookie}",
            f"X-CSRFToken: {self.token}",
            f"X-File-Name: {urllib.parse.quote(name)}",
            "Content-Type: application/octet-stream",
            "Accept: application/json",
            f"Content-Length: {declared}",
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def send(self, data: bytes, *, then: str) -> bytes:
        """Send ``data`` on a new connection. ``then="half-close"``: stop sending (the body
        ends early) and read everything the server answers; ``"close"``: drop the connection
        without reading."""
        with socket.create_connection(("127.0.0.1", self.live.port), timeout=30) as sock:
            sock.sendall(data)
            if then == "close":
                return b""
            sock.shutdown(socket.SHUT_WR)
            received = []
            while chunk := sock.recv(65536):
                received.append(chunk)
        return b"".join(received)


def first_response(raw: bytes) -> tuple[int, dict]:
    """Status and JSON body of the first HTTP response in ``raw``."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
    return status, json.loads(rest[:length])


@pytest.fixture(scope="module")
def coordinator(live: Live) -> Browser:
    return Browser(live)


@pytest.fixture(scope="module")
def version_one(live: Live, coordinator: Browser) -> tuple[list, int, list[str]]:
    """A complete version 1, uploaded over the real server; the state it leaves."""
    data = pdf_bytes("versi 1 lengkap")
    status, body = first_response(
        coordinator.send(coordinator.upload_head(len(data)) + data, then="half-close")
    )
    assert status == 201 and body["version"] == 1, body
    return live.state()


def test_live_a_body_that_stops_early_is_refused_and_supersedes_nothing(
    live: Live, coordinator: Browser, version_one
) -> None:
    data = sized_pdf(60_000)
    third = len(data) // 3
    status, body = first_response(
        coordinator.send(coordinator.upload_head(len(data)) + data[:third], then="half-close")
    )
    assert status == 422
    assert body["error"] == (
        "Berkas sk.pdf ditolak: unggahan terputus sebelum selesai (diterima 19.5 KB dari "
        "58.6 KB). Tidak ada yang disimpan; unggah ulang berkasnya."
    )
    assert live.state() == version_one  # no row, no audit record, no blob, no temp file
    rows, _audits, _files = version_one
    assert [(version, status) for version, status, _sha in rows] == [(1, EvidenceStatus.ACTIVE)]
    assert "Utuh: 1, hilang: 0, berubah: 0" in live.flask("evidence", "verify")


def test_live_a_client_that_vanishes_mid_body_leaves_nothing(
    live: Live, coordinator: Browser, version_one
) -> None:
    path = stream_url(live.enrolment_id).split("?")[0]
    before = live.requests_logged(path)
    data = sized_pdf(60_000)
    coordinator.send(coordinator.upload_head(len(data)) + data[: len(data) // 3], then="close")
    live.wait_logged(path, before + 1)
    assert live.state() == version_one


def test_live_a_client_that_sends_more_than_declared_stores_nothing(
    live: Live, coordinator: Browser, version_one
) -> None:
    """The declared third is the body; the rest is a malformed next request (4xx)."""
    data = sized_pdf(60_000)
    raw = coordinator.send(coordinator.upload_head(len(data) // 3) + data, then="half-close")
    status, body = first_response(raw)
    assert status == 422
    assert body["error"].startswith("Berkas sk.pdf ditolak: berkasnya tidak utuh")
    # gunicorn reads the leftover bytes as the next request and refuses it (400 or 414)
    assert re.search(rb"HTTP/1\.1 4\d\d ", raw.split(b"\r\n\r\n", 1)[1])
    assert live.state() == version_one


def test_live_a_cut_off_form_upload_stores_nothing(
    live: Live, coordinator: Browser, version_one
) -> None:
    """The multipart fallback: werkzeug's form parser drops a form whose body ends early, so
    the token and the file are both missing and nothing is stored."""
    boundary = "----batas"
    fields = {"csrf_token": coordinator.token, "item": ITEM, "document": DOC}
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    data = sized_pdf(60_000)
    body += (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="sk.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    head = (
        f"POST /enrolments/{live.enrolment_id}/evidence HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{live.port}\r\nCookie: {coordinator.cookie}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    raw = coordinator.send(head + body[: len(body) // 3], then="half-close")
    assert int(raw.split(b" ", 2)[1]) in (400, 422)
    assert live.state() == version_one


def test_live_a_killed_upload_leaves_a_temp_file_that_verify_reports_and_purges(
    live: Live, coordinator: Browser, version_one
) -> None:
    """SIGKILL of the worker mid-upload: nothing in the process can clean up, so the
    temporary file stays; `verify --orphans` lists it with its age, `--purge` removes it once
    it is stale (issue 13, point 9)."""
    data = sized_pdf(1024 * 1024)
    with socket.create_connection(("127.0.0.1", live.port), timeout=30) as sock:
        sock.sendall(coordinator.upload_head(len(data)) + data[:400_000])
        part = wait_for(lambda: _growing_part(live.temp_dir), "the upload's temporary file")
        workers = live.workers()
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
    wait_for(lambda: live.workers() and live.workers() != workers, "a new worker")
    wait_until_healthy(live.process, live.base + "/healthz", live.log, name="gunicorn")
    assert part.exists() and part.stat().st_size >= 256 * 1024

    output = live.flask("evidence", "verify", "--orphans")
    assert re.search(
        rf"^SEMENTARA {part.name} \(\d+(\.\d)? KB, umur \d+ detik\): lebih muda dari 1 jam, "
        r"mungkin unggahan yang sedang berjalan; tidak dihapus$",
        output,
        re.MULTILINE,
    ), output
    assert "Berkas sementara: 1, basi: 0" in output

    hours_ago = time.time() - 2 * 3600
    os.utime(part, (hours_ago, hours_ago))
    output = live.flask("evidence", "verify", "--orphans", "--purge")
    assert re.search(
        rf"^SEMENTARA {part.name} \(.*, umur 2 jam\): basi, sisa unggahan yang terhenti$",
        output,
        re.MULTILINE,
    ), output
    assert "Dihapus: 1 berkas sementara basi" in output
    assert not part.exists()
    assert live.state() == version_one


def _growing_part(temp_dir: Path) -> Path | None:
    """The upload's temporary file once its first chunk (256 KiB) is written."""
    parts = list(temp_dir.glob("upload-*.part")) if temp_dir.exists() else []
    return next((p for p in parts if p.stat().st_size >= 256 * 1024), None)


def wait_for(check: Callable[[], object], what: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"no {what} within {timeout}s"
        time.sleep(0.05)
    return found


# --- orphans and killed uploads on S3 (point 9) ------------------------------------------------


@pytest.fixture
def s3_store(s3_endpoint: str, tmp_path: Path) -> Iterator[S3EvidenceStore]:
    """A fresh bucket on the shared moto server (``tests/servers.py``), emptied afterwards."""
    spool = tmp_path / "spool"
    spool.mkdir()
    store = S3EvidenceStore(
        f"faults-{uuid.uuid4().hex[:16]}",
        endpoint_url=s3_endpoint,
        access_key="testing",
        secret_key="testing",
        prefix="zi-tracker/evidence",
        spool_dir=spool,
        client_config=Config(proxies={}, connect_timeout=5, read_timeout=60),
    )
    store.client.create_bucket(Bucket=store.bucket)
    yield store
    for item in store.client.list_objects_v2(Bucket=store.bucket).get("Contents", []):
        store.client.delete_object(Bucket=store.bucket, Key=item["Key"])
    store.client.delete_bucket(Bucket=store.bucket)
    store.client.close()


def test_young_orphans_on_s3_are_reported_and_kept(app, s3_store) -> None:
    """A blob whose row was never committed (the race that left two): listed as young, not
    removed; an hour later it is an orphan that --remove deletes."""
    app.extensions[EVIDENCE_STORE] = s3_store
    blob = s3_store.save(
        io.BytesIO(png_bytes()), filename="baru.png", max_bytes=10**6, allowed=DEFAULT_ALLOW_LIST
    )
    output = app.test_cli_runner().invoke(args=["evidence", "verify", "--remove"]).output
    assert re.search(
        rf"^MUDA    {blob.key} \(\d+ B, umur \d+ detik\): lebih muda dari 1 jam, mungkin milik "
        r"unggahan yang sedang berjalan; tidak dihapus$",
        output,
        re.MULTILINE,
    ), output
    assert "Berkas sementara: 0, basi: 0" in output
    assert s3_store.exists(blob.key)

    later = datetime.now(UTC) + timedelta(hours=2)
    survey = storage.survey_orphans(s3_store, set(), now=later)
    assert [b.key for b in survey.old] == [blob.key] and survey.young == []
    assert storage.remove_orphans(s3_store, [blob.key], now=later) == [blob.key]
    assert not s3_store.exists(blob.key)


KILLED_UPLOAD = """
import sys
from botocore.config import Config
from tracker.evidence import S3EvidenceStore
from tracker.evidence.filetypes import DEFAULT_ALLOW_LIST

endpoint, bucket, prefix, spool, size = sys.argv[1:6]
store = S3EvidenceStore(
    bucket, endpoint_url=endpoint, access_key="testing", secret_key="testing", prefix=prefix,
    spool_dir=spool, client_config=Config(proxies={}),
)

class Announcing:
    def __init__(self, stream):
        self.stream, self.announced = stream, False

    def read(self, n=-1):
        data = self.stream.read(n)
        if not self.announced:
            print("reading", flush=True)
            self.announced = True
        return data

store.save(
    Announcing(sys.stdin.buffer), filename="scan.pdf", max_bytes=10**8,
    allowed=DEFAULT_ALLOW_LIST, declared_size=int(size),
)
print("saved", flush=True)
"""


def test_a_killed_upload_leaves_nothing_on_s3(s3_endpoint: str, s3_store) -> None:
    """The S3 backend spools to an anonymous file and sends one PUT: a process killed
    mid-upload leaves no temporary file and no partial object."""
    size = 2 * 1024 * 1024
    command = [
        sys.executable, "-c", KILLED_UPLOAD, s3_endpoint, s3_store.bucket, s3_store.prefix,
        str(s3_store.spool_dir), str(size),
    ]  # fmt: skip
    with subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as child:
        try:
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write(sized_pdf(size)[: size // 2])
            child.stdin.flush()
            assert child.stdout.readline() == b"reading\n"
        finally:
            child.kill()  # SIGKILL: nothing in the process runs any more
            child.wait()
    assert list(Path(s3_store.spool_dir).iterdir()) == []
    assert list(s3_store.iter_temp()) == [] and list(s3_store.iter_keys()) == []
    objects = s3_store.client.list_objects_v2(Bucket=s3_store.bucket).get("Contents", [])
    assert objects == []
    survey = storage.survey_orphans(s3_store, set())
    assert (survey.old, survey.young, survey.temp) == ([], [], [])


# --- hostile files (point 15) ------------------------------------------------------------------

HOSTILE = {
    "html-pdf-polyglot": (
        "laporan.pdf",
        html_pdf_polyglot,
        RejectReason.DISGUISED,
        "Berkas laporan.pdf ditolak: ini bukan PDF asli: sebelum awal PDF ada kode halaman web "
        "(HTML atau XML).",
    ),
    "docx-with-macros": (
        "sk.docx",
        docx_with_macros,
        RejectReason.MACROS,
        "Berkas sk.docx ditolak: berisi makro (kode program di dalam dokumen Office, "
        "vbaProject.bin). Simpan ulang sebagai dokumen biasa tanpa makro (.docx, .xlsx, atau "
        ".pptx), lalu unggah lagi.",
    ),
    "docm-renamed-docx": ("sk.docx", docm_named_docx, RejectReason.MACROS, None),
    "docx-with-hidden-vba": ("sk.docx", docx_with_renamed_macros, RejectReason.MACROS, None),
    "docx-with-activex": ("sk.docx", docx_with_activex, RejectReason.EMBEDDED_OBJECT, None),
    "docx-with-ole-object": (
        "sk.docx",
        docx_with_ole_object,
        RejectReason.EMBEDDED_OBJECT,
        "Berkas sk.docx ditolak: berisi objek tersemat yang dapat menjalankan program "
        "(oleObject1.bin: kontrol ActiveX atau objek OLE). Hapus objek itu atau simpan "
        "dokumennya sebagai PDF, lalu unggah lagi.",
    ),
    "docx-with-exe": (
        "sk.docx",
        lambda: docx_with_embedded("setup.exe"),
        RejectReason.EMBEDDED_PROGRAM,
        "Berkas sk.docx ditolak: di dalamnya tersemat program atau skrip (setup.exe). Hapus "
        "berkas itu dari dokumen, lalu unggah lagi.",
    ),
    "docx-with-dll": (
        "sk.docx", lambda: docx_with_embedded("helper.dll"), RejectReason.EMBEDDED_PROGRAM, None
    ),
    "docx-with-bat": (
        "sk.docx", lambda: docx_with_embedded("run.bat"), RejectReason.EMBEDDED_PROGRAM, None
    ),
    "docx-with-js": (
        "sk.docx", lambda: docx_with_embedded("x.js"), RejectReason.EMBEDDED_PROGRAM, None
    ),
    "docx-zip-bomb": (
        "sk.docx",
        docx_bomb,
        RejectReason.ZIP_BOMB,
        "Berkas sk.docx ditolak: bagian document.xml dimampatkan secara tidak wajar (saat "
        "dibuka membengkak 1025 kali menjadi 20 MB). Itu ciri berkas perusak (zip bomb), bukan "
        "dokumen.",
    ),
    "docx-declaring-gigabytes": (
        "sk.docx",
        lambda: docx_declaring({f"word/media/p{i}.bin": 190 * 1024 * 1024 for i in range(6)}),
        RejectReason.ZIP_BOMB,
        None,
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_quickly_with_their_reason(
    client, world: World, settings, case
) -> None:
    filename, make, reason, message = HOSTILE[case]
    data = make()
    enrolment = world.building()
    login_as(client, world.koordinator)
    before = evidence_state(world.session, settings.evidence_dir)
    response = post_stream(client, enrolment, data, filename)
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error.startswith(f"Berkas {filename} ditolak: ")
    if message is not None:
        assert error == message
    assert evidence_state(world.session, settings.evidence_dir) == before
    # The store alone (spool, hash, check): refused quickly, with a machine-readable reason.
    started = time.perf_counter()
    with pytest.raises(RejectedFileError) as caught:
        storage.LocalEvidenceStore(settings.evidence_dir / "direct").save(
            io.BytesIO(data), filename=filename, max_bytes=10**8, allowed=DEFAULT_ALLOW_LIST
        )
    elapsed = time.perf_counter() - started
    assert caught.value.reason is reason
    assert elapsed < FAST, f"{case} took {elapsed:.2f}s"


def test_a_hostile_file_is_refused_in_english_too(english, client, world: World) -> None:
    enrolment = world.building()
    login_as(client, world.koordinator)
    with client.session_transaction() as cookie:
        cookie["lang"] = "en"
    response = post_stream(client, enrolment, docx_with_macros(), "sk.docx")
    assert response.json["error"] == (
        "File sk.docx was rejected: it contains macros (program code inside an Office document, "
        "vbaProject.bin). Save it again as an ordinary document without macros (.docx, .xlsx or "
        ".pptx), then upload it again."
    )


def test_an_ordinary_docx_still_passes(client, world: World) -> None:
    enrolment = world.building()
    login_as(client, world.koordinator)
    assert post_stream(client, enrolment, docx_bytes(), "sk.docx").status_code == 201


def test_live_a_slow_upload_does_not_hold_the_database_for_others(
    live: Live, coordinator: Browser, version_one
) -> None:
    """Issue 13 §2: while one client trickles an upload's body, others still sign in and save.
    On SQLite the upload's permission check ends its transaction before the body is read, so
    the write lock is not held while the bytes arrive."""
    data = pdf_bytes("versi lambat")
    with socket.create_connection(("127.0.0.1", live.port), timeout=30) as slow:
        slow.sendall(coordinator.upload_head(len(data)) + data[:100])
        time.sleep(0.5)  # the server has run the checks and now waits for the body
        started = time.perf_counter()
        Browser(live)  # signs in: a write (the attempt is counted) on another thread
        assert time.perf_counter() - started < 5
        slow.sendall(data[100:])
        slow.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := slow.recv(65536):
            received += chunk
    status, body = first_response(received)
    assert status == 201 and body["version"] == 1, body  # a second file (issue 14 §2)
