"""Uploads when one file fails or the evidence disk cannot be written (issue 13 §16).

A full or read-only evidence disk gave a generic 500. It now answers 503 with "penyimpanan
bukti penuh / tidak dapat ditulis, hubungi admin" naming the file, leaves no row, no blob and
no temporary file behind, and logs an error line for the admin with the store's path and the
disk's own error.

The disk is real where it can be: as root the evidence folder is a 128 KiB tmpfs (unmounted
after the test), made full by an upload larger than it, or remounted read-only. Where mounting
is not allowed (not root, no CAP_SYS_ADMIN) the test falls back to the store's write boundary:
the temporary file's write raises OSError(ENOSPC), or creating it raises OSError(EROFS), which
is what the kernel answers on those disks.

A multi-file upload judges each file on its own: the coordinator's files are separate
documents, so the good ones are stored and each refused file is named with its reason; a
disk that cannot take a file stops the upload there (the next files would fail the same way),
keeps what was stored and names the files not stored.
"""

from __future__ import annotations

import errno
import io
import logging
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.evidence.evidence_samples import exe_bytes, pdf_bytes, sized_pdf
from tests.helpers import csrf_token, login_as, post_form
from tests.world import World
from tracker.evidence.models import EvidenceFile
from tracker.evidence.storage import local

ITEM = "A.I.1.i.a"
DOC = "team-decree-sk-tim-kerja-zi"
FULL = "penyimpanan bukti penuh atau tidak dapat ditulis. Hubungi admin"
# Small enough that the file too large for it stays under the test client's 500 KiB in-memory
# spool (a larger multipart body goes to a temporary file the client never closes).
DISK_BYTES = 128 * 1024


@dataclass
class Disk:
    """The evidence folder as a small disk: ``fill_over`` makes an upload over that size hit
    a full disk; ``read_only`` makes every write refused."""

    root: Path
    mounted: bool
    monkeypatch: pytest.MonkeyPatch

    def read_only(self) -> None:
        if self.mounted:
            _run("mount", "-o", "remount,ro", str(self.root))
            return

        def refused(*_args, **_kwargs):
            raise OSError(errno.EROFS, "Read-only file system")

        self.monkeypatch.setattr(local.tempfile, "mkstemp", refused)

    def full_after(self, limit: int) -> None:
        """Only the fallback needs this: a tmpfs is full by itself past its size."""
        if self.mounted:
            return
        original = local.spool_upload

        def spool(stream, file, **kwargs):
            class Capped:
                written = 0

                def write(self, chunk: bytes) -> int:
                    if Capped.written + len(chunk) > limit:
                        raise OSError(errno.ENOSPC, "No space left on device")
                    Capped.written += len(chunk)
                    return file.write(chunk)

                def __getattr__(self, name: str):
                    return getattr(file, name)

            return original(stream, Capped(), **kwargs)

        self.monkeypatch.setattr(local, "spool_upload", spool)

    def leftovers(self) -> list[Path]:
        return [p for p in self.root.rglob("*") if p.is_file()]


def _run(*command: str) -> bool:
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


@pytest.fixture
def disk(settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Disk]:
    root = settings.evidence_dir
    root.mkdir(parents=True, exist_ok=True)
    mounted = _run("mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(root))
    try:
        yield Disk(root, mounted, monkeypatch)
    finally:
        if mounted:
            assert _run("umount", str(root)), f"could not unmount {root}"


def _stream(client, enrolment, data: bytes, name: str):
    return client.post(
        f"/enrolments/{enrolment.id}/evidence/stream?item={ITEM}&document={DOC}",
        data=data,
        headers={
            "X-CSRFToken": csrf_token(client, f"/enrolments/{enrolment.id}/lke"),
            "X-File-Name": name,
            "Content-Type": "application/octet-stream",
            "Accept": "application/json",
        },
    )


def _rows(world: World) -> list[EvidenceFile]:
    world.session.expire_all()
    return list(world.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))


def _logged(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.levelno == logging.ERROR
        and name in r.getMessage()
        and "cannot write" in r.getMessage()
    ]


def test_a_full_disk_answers_503_naming_the_file_and_leaves_nothing(
    client, world: World, disk: Disk, caplog: pytest.LogCaptureFixture
) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    disk.full_after(DISK_BYTES)
    response = _stream(client, e, sized_pdf(2 * DISK_BYTES), "laporan-besar.pdf")
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert "laporan-besar.pdf" in response.json["error"] and FULL in response.json["error"]
    assert _rows(world) == []
    assert disk.leftovers() == []  # the temporary file went too: the disk is not left full
    (line,) = _logged(caplog, "laporan-besar.pdf")
    assert str(disk.root) in line.getMessage()
    assert "No space left on device" in line.getMessage()
    # Once space is back, the same upload goes through.
    small = _stream(client, e, pdf_bytes("kecil"), "laporan-kecil.pdf")
    assert small.status_code == 201, small.get_data(as_text=True)[:500]


def test_a_read_only_disk_answers_503_and_leaves_nothing(
    client, world: World, disk: Disk, caplog: pytest.LogCaptureFixture
) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    disk.read_only()
    response = _stream(client, e, pdf_bytes("sk"), "sk.pdf")
    assert response.status_code == 503
    assert FULL in response.json["error"] and "sk.pdf" in response.json["error"]
    assert _rows(world) == [] and disk.leftovers() == []
    (line,) = _logged(caplog, "sk.pdf")
    assert "Read-only file system" in line.getMessage()


def test_a_read_only_disk_answers_an_html_form_with_a_503_page(
    client, world: World, disk: Disk
) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    disk.read_only()
    response = post_form(
        client,
        f"/enrolments/{e.id}/evidence",
        {"item": ITEM, "document": DOC, "files": [(io.BytesIO(pdf_bytes()), "sk.pdf")]},
        page=f"/enrolments/{e.id}/lke",
        content_type="multipart/form-data",
    )
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert FULL in page and "sk.pdf" in page
    assert "Traceback" not in page and _rows(world) == []


def test_a_disk_filling_up_mid_form_keeps_the_files_stored_and_names_the_others(
    client, world: World, disk: Disk, caplog: pytest.LogCaptureFixture
) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    disk.full_after(DISK_BYTES)
    files = [
        (io.BytesIO(pdf_bytes("pertama")), "pertama.pdf"),
        (io.BytesIO(sized_pdf(2 * DISK_BYTES)), "terlalu-besar-untuk-disk.pdf"),
        (io.BytesIO(pdf_bytes("ketiga")), "ketiga.pdf"),
    ]
    response = post_form(
        client,
        f"/enrolments/{e.id}/evidence",
        {"item": ITEM, "document": DOC, "files": files},
        page=f"/enrolments/{e.id}/lke",
        content_type="multipart/form-data",
    )
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "terlalu-besar-untuk-disk.pdf" in page and FULL in page
    assert "ketiga.pdf" in page  # named as not stored
    assert "1 berkas diunggah." in page
    assert [r.original_name for r in _rows(world)] == ["pertama.pdf"]
    assert [p for p in disk.leftovers() if ".tmp" in p.parts] == []
    assert _logged(caplog, "terlalu-besar-untuk-disk.pdf")


def test_one_refused_file_does_not_stop_the_ones_after_it(client, world: World) -> None:
    e = world.building()
    login_as(client, world.koordinator)
    files = [
        (io.BytesIO(pdf_bytes("satu")), "satu.pdf"),
        (io.BytesIO(exe_bytes()), "program.pdf"),
        (io.BytesIO(b""), "kosong.pdf"),
        (io.BytesIO(pdf_bytes("dua")), "dua.pdf"),
    ]
    response = post_form(
        client,
        f"/enrolments/{e.id}/evidence",
        {"item": ITEM, "document": DOC, "files": files},
        page=f"/enrolments/{e.id}/lke",
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Berkas program.pdf ditolak" in page and "Berkas kosong.pdf ditolak" in page
    assert "2 berkas diunggah." in page
    assert [r.original_name for r in _rows(world)] == ["satu.pdf", "dua.pdf"]


def test_the_small_disk_is_a_real_tmpfs_when_mounted(disk: Disk) -> None:
    """The faults above ran on the disk the fixture says: a real tmpfs, or the fallback."""
    mounts = Path("/proc/mounts").read_text() if Path("/proc/mounts").exists() else ""
    assert disk.mounted == (f" {disk.root} tmpfs " in mounts)
