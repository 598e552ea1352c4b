"""Behaviour specific to ``LocalEvidenceStore``: its temp area, disk failures, stray files."""

from __future__ import annotations

import errno
import io
import os
import time
from datetime import timedelta

import pytest
from evidence_samples import GeneratedStream, leftovers, pdf_bytes

from tracker.evidence import DEFAULT_ALLOW_LIST, LocalEvidenceStore, VerifyStatus, build_store
from tracker.evidence.storage import local as storage_module
from tracker.evidence.storage.blobs import StorageUnwritableError

MB = 1024 * 1024


def save(store, data=None, filename="laporan.pdf"):
    data = pdf_bytes() if data is None else data
    return store.save(io.BytesIO(data), filename=filename, max_bytes=MB, allowed=DEFAULT_ALLOW_LIST)


def test_layout_is_root_shard_hash(local_store):
    blob = save(local_store)
    path = local_store.root / blob.sha256[:2] / blob.sha256
    assert path.read_bytes() == pdf_bytes()
    assert local_store.temp_dir == local_store.root / ".tmp"
    assert list(local_store.temp_dir.iterdir()) == []


def test_the_upload_is_written_to_the_temp_area_first(local_store):
    seen = []

    class Watching(GeneratedStream):
        def read(self, n=-1):
            if self.position:
                seen.extend(p.name for p in local_store.temp_dir.iterdir())
                seen.extend(str(p) for p in local_store.root.glob("??/*"))
            return super().read(n)

    local_store.save(Watching(MB), filename="a.pdf", max_bytes=MB, allowed=DEFAULT_ALLOW_LIST)
    assert seen and all(name.startswith("upload-") and name.endswith(".part") for name in seen)


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_disk_error_while_publishing_leaves_nothing(local_store, monkeypatch, failing):
    def broken(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(storage_module.os, failing, broken)
    with pytest.raises(OSError, match="Input/output error"):
        save(local_store)
    monkeypatch.undo()
    assert leftovers(local_store) == []


def test_a_full_disk_while_spooling_leaves_nothing(local_store, monkeypatch):
    real_fdopen = os.fdopen

    class FullDisk(io.FileIO):
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd, mode="r", *args, **kwargs):
        real_fdopen(fd).close()  # keep the descriptor bookkeeping honest
        return FullDisk(temp_path[0], "r+b")

    temp_path = []
    real_mkstemp = storage_module.tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        fd, name = real_mkstemp(*args, **kwargs)
        temp_path.append(name)
        return fd, name

    monkeypatch.setattr(storage_module.tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(storage_module.os, "fdopen", fdopen)
    # The store names the fault for the person uploading (issue 13 §16), and keeps nothing.
    with pytest.raises(StorageUnwritableError, match="penyimpanan bukti penuh"):
        save(local_store)
    monkeypatch.undo()
    assert leftovers(local_store) == []


def test_stray_files_are_not_keys(local_store):
    blob = save(local_store)
    root = local_store.root
    (root / ".gitkeep").touch()
    (root / "README.md").write_text("evidence lives here")
    (root / blob.sha256[:2] / "notes.txt").write_text("x")
    (root / "zz").mkdir()
    (root / "ab").write_text("a file where a shard would be")
    (root / ".tmp" / "upload-x.part").write_bytes(b"partial")
    (root / "cd").mkdir()
    (root / "cd" / ("ab" * 32)).write_bytes(b"wrong shard")
    assert list(local_store.iter_keys()) == [blob.key]


def test_an_absent_root_is_an_empty_store(tmp_path):
    store = LocalEvidenceStore(tmp_path / "not-yet")
    assert list(store.iter_blobs()) == []
    assert store.purge_stale_temp(timedelta(0)) == []
    assert store.verify("ab/" + "ab" * 32, "ab" * 32) is VerifyStatus.MISSING


def test_a_dedupe_hit_refreshes_the_mtime(local_store):
    blob = save(local_store)
    path = local_store.root / blob.key
    two_hours_ago = time.time() - 7200
    os.utime(path, (two_hours_ago, two_hours_ago))
    assert not save(local_store).created
    assert path.stat().st_mtime > two_hours_ago + 3600


def test_purge_stale_temp_removes_only_old_leftovers(local_store):
    local_store.temp_dir.mkdir(parents=True)
    old = local_store.temp_dir / "upload-crashed.part"
    old.write_bytes(b"half an upload from a killed worker")
    long_ago = time.time() - 2 * 86400
    os.utime(old, (long_ago, long_ago))
    young = local_store.temp_dir / "upload-live.part"
    young.write_bytes(b"still arriving")

    assert local_store.purge_stale_temp(timedelta(days=1), dry_run=True) == [old.name]
    assert old.exists()
    assert local_store.purge_stale_temp(timedelta(days=1)) == [old.name]
    assert not old.exists() and young.exists()


def test_build_store_local(tmp_path):
    store = build_store("local", root=tmp_path / "ev")
    assert isinstance(store, LocalEvidenceStore) and store.root == tmp_path / "ev"
    assert str(tmp_path / "ev") in repr(store)  # the folder it writes to, for the logs
    with pytest.raises(ValueError, match="unknown evidence storage backend"):
        build_store("ftp", root=tmp_path)
    with pytest.raises(TypeError):
        build_store("local", root=tmp_path, bucket="x")
