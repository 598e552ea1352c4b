"""Evidence blobs as files on a local (or mounted) disk."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, BinaryIO

from tracker.evidence.filetypes import TypeAllowList
from tracker.evidence.naming import display_name
from tracker.evidence.storage.blobs import (
    KEY_PATTERN,
    UNWRITABLE,
    BlobInfo,
    BlobNotFoundError,
    StorageUnwritableError,
    StoredBlob,
    TempFile,
    VerifyStatus,
    check_key,
    check_upload,
    hash_chunks,
    key_for,
    read_chunks,
    spool_upload,
)

TEMP_DIR_NAME = ".tmp"
log = logging.getLogger(__name__)


class LocalEvidenceStore:
    """Blobs as files ``root/ab/abcdef...``; temporary files in ``root/.tmp`` (same file system,
    so publishing is an atomic ``os.replace``). Safe for concurrent saves of the same content:
    each writes its own temporary file and the last rename wins with identical bytes."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.temp_dir = self.root / TEMP_DIR_NAME

    def __repr__(self) -> str:
        return f"LocalEvidenceStore({str(self.root)!r})"

    def save(
        self,
        stream: IO[bytes],
        *,
        filename: str,
        max_bytes: int,
        allowed: TypeAllowList,
        declared_size: int | None = None,
    ) -> StoredBlob:
        """See ``BlobStore.save``. Raises ``RejectedFileError``, ``ValueError`` (bad
        ``max_bytes``), and re-raises the stream's or the disk's errors after cleaning up."""
        allowed.check_name(filename)  # refuse a wrong extension before reading a byte
        try:
            return self._save(stream, filename, max_bytes, allowed, declared_size)
        except OSError as err:
            if err.errno not in UNWRITABLE:
                raise
            # For the admin: the user is told only that storage is full or not writable.
            log.error("evidence store %s cannot write (%s): %s", self.root, filename, err)
            raise StorageUnwritableError(display_name(filename)) from err

    def _save(
        self,
        stream: IO[bytes],
        filename: str,
        max_bytes: int,
        allowed: TypeAllowList,
        declared_size: int | None,
    ) -> StoredBlob:
        """``save`` without the translation of the disk's errors; removes its temporary file
        whatever fails, the disk included, so a full disk is left no fuller."""
        self.temp_dir.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=self.temp_dir, prefix="upload-", suffix=".part")
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "w+b") as file:
                sha256, size = spool_upload(
                    stream,
                    file,
                    filename=filename,
                    max_bytes=max_bytes,
                    declared_size=declared_size,
                )
                content_type = check_upload(file, filename=filename, size=size, allowed=allowed)
                os.fsync(file.fileno())  # the bytes are on disk before the name says "complete"
            created = self._publish(temp, sha256, size)
        except BaseException:  # also KeyboardInterrupt/SystemExit (a worker timeout)
            temp.unlink(missing_ok=True)
            raise
        return StoredBlob(key_for(sha256), sha256, size, content_type, created)

    def _publish(self, temp: Path, sha256: str, size: int) -> bool:
        """Move ``temp`` to its content address; False if an intact copy was already there."""
        target = self._path(key_for(sha256))
        target.parent.mkdir(parents=True, exist_ok=True)
        if _refresh_if_intact(target, sha256, size):
            temp.unlink()
            return False
        os.replace(temp, target)
        _fsync_directory(target.parent)  # make the rename itself survive a power cut
        return True

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def open(self, key: str) -> BinaryIO:
        """Raises ``BlobNotFoundError``, ``ValueError`` (malformed key)."""
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise BlobNotFoundError(key) from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        return self._stat(key).st_size

    def modified(self, key: str) -> datetime:
        return datetime.fromtimestamp(self._stat(key).st_mtime, UTC)

    def _stat(self, key: str) -> os.stat_result:
        try:
            return self._path(key).stat()
        except FileNotFoundError:
            raise BlobNotFoundError(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def iter_blobs(self) -> Iterator[BlobInfo]:
        """Every blob, sorted by key; anything else under root (``.tmp``, ``.gitkeep``,
        ``README.md``, stray files) is not a key and is skipped."""
        if not self.root.is_dir():
            return
        shards = (p for p in self.root.iterdir() if re.fullmatch(r"[0-9a-f]{2}", p.name))
        for shard in sorted(shards):
            for path in sorted(shard.iterdir()) if shard.is_dir() else ():
                key = f"{shard.name}/{path.name}"
                if KEY_PATTERN.fullmatch(key) and (info := _blob_info(key, path)):
                    yield info

    def iter_keys(self) -> Iterator[str]:
        return (blob.key for blob in self.iter_blobs())

    def verify(self, key: str, sha256: str) -> VerifyStatus:
        """Raises ``ValueError`` (malformed key) and ``OSError`` other than a missing file."""
        try:
            with self._path(key).open("rb") as file:
                actual = hash_chunks(read_chunks(file))
        except FileNotFoundError:
            return VerifyStatus.MISSING
        return VerifyStatus.OK if actual == sha256.lower() else VerifyStatus.ALTERED

    def iter_temp(self) -> Iterator[TempFile]:
        """The files in ``root/.tmp``, oldest first: uploads in progress, or left by a process
        killed mid-upload (SIGKILL, a power cut: nothing in the process could remove them)."""
        if not self.temp_dir.is_dir():
            return iter(())
        found = []
        for path in self.temp_dir.iterdir():
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # finished meanwhile
            if path.is_file():
                found.append(TempFile(path.name, stat.st_size, _utc(stat.st_mtime)))
        return iter(sorted(found, key=lambda temp: (temp.modified, temp.name)))

    def purge_stale_temp(self, older_than: timedelta, *, dry_run: bool = False) -> list[str]:
        """Temporary files not written to for ``older_than`` (a live upload keeps writing, so
        its file stays young); removed unless ``dry_run``. Returns their names.

        Removing the file of an upload that is somehow still alive does no harm beyond that
        upload: it keeps writing to the open, now nameless file and then fails to publish it,
        so the upload is refused and nothing partial is ever published."""
        if not self.temp_dir.is_dir():
            return []
        cutoff = (datetime.now(UTC) - older_than).timestamp()
        stale = [p for p in sorted(self.temp_dir.iterdir()) if _mtime_or_now(p) < cutoff]
        for path in stale if not dry_run else ():
            path.unlink(missing_ok=True)
        return [path.name for path in stale]


def _refresh_if_intact(target: Path, sha256: str, size: int) -> bool:
    """True if ``target`` already holds exactly this content; then its mtime is bumped so that
    an orphan sweep's grace period (``find_orphans``) protects it for the upload reusing it.

    The existing copy is re-hashed, not trusted by size: local disks rot silently, and a new row
    must not point at damaged bytes. A damaged copy is then replaced by the fresh upload.
    """
    try:
        if target.stat().st_size != size:
            return False
        with target.open("rb") as file:
            if hash_chunks(read_chunks(file)) != sha256:
                return False
        os.utime(target)
    except FileNotFoundError:
        return False  # deleted meanwhile (an orphan sweep): publish ours
    return True


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _blob_info(key: str, path: Path) -> BlobInfo | None:
    """None for a directory, or a file deleted since the directory was listed."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    if not path.is_file():
        return None
    return BlobInfo(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _mtime_or_now(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return datetime.now(UTC).timestamp()  # finished meanwhile: not stale
