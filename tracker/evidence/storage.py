"""Evidence blob storage behind one small interface: local files or S3-compatible objects.

Both backends do the same thing on ``save``: stream the upload in chunks to a temporary file
(never the whole file in memory), hash it with SHA-256 on the way, stop the moment it exceeds
``max_bytes``, check its type by content, and only then publish it under a key derived from the
hash (``ab/abcdef...``; never from user input), so identical files are stored once. Any failure,
including the client vanishing mid-upload, leaves no temporary file and no blob behind.

The module knows nothing about the database: ``tracker.evidence.services`` records ``StoredBlob``
in a row, and ``verify_all`` / ``find_orphans`` / ``remove_orphans`` compare the store with the
keys it passes in.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, Protocol, runtime_checkable

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from config import Settings
from tracker.errors import NotFoundError
from tracker.evidence.filetypes import (
    TypeAllowList,
    rejected_empty,
    rejected_too_large,
    sniff,
)
from tracker.i18n import _

CHUNK_SIZE = 256 * 1024
KEY_PATTERN = re.compile(r"(?P<shard>[0-9a-f]{2})/(?P<sha>(?P=shard)[0-9a-f]{62})")
TEMP_DIR_NAME = ".tmp"
# An unreferenced blob younger than this may belong to an upload whose row is not committed yet.
DEFAULT_ORPHAN_MIN_AGE = timedelta(hours=1)
# Largest single PUT that S3 accepts; we never use multipart (its checksum is not the file's).
S3_MAX_SINGLE_PUT = 5 * 1024**3


# --- values ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """Result of ``save``. ``created`` is False when identical content was already stored."""

    key: str
    sha256: str
    size: int
    content_type: str
    created: bool


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """One stored blob as listed by ``iter_blobs``; ``modified`` is timezone-aware UTC."""

    key: str
    size: int
    modified: datetime


class VerifyStatus(StrEnum):
    OK = "ok"
    MISSING = "missing"
    ALTERED = "altered"


@dataclass(slots=True)
class VerifyReport:
    """Outcome of ``verify_all``: keys missing from the store, keys whose content changed."""

    ok_count: int = 0
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.missing and not self.altered


class BlobNotFoundError(NotFoundError):
    """The store has no blob under ``key`` (deleted, never written, or storage lost it)."""

    def __init__(self, key: str) -> None:
        super().__init__(_("Berkas bukti tidak ditemukan di penyimpanan."), key=key)
        self.key = key


def key_for(sha256: str) -> str:
    """The storage key of content with hex digest ``sha256``. Raises ``ValueError`` if malformed."""
    return check_key(f"{sha256[:2]}/{sha256}")


def check_key(key: str) -> str:
    """Return ``key`` if it has the form ``ab/ab<62 hex>``; raises ``ValueError`` otherwise.

    Keys come from our database, but a malformed one must never become a path or object name.
    """
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise ValueError(f"not an evidence storage key: {key!r}")
    return key


# --- the interface -----------------------------------------------------------------------------


@runtime_checkable
class EvidenceStore(Protocol):
    """What the service layer needs from a blob store. Keys always come from ``save``."""

    def save(
        self, stream: BinaryIO, *, filename: str, max_bytes: int, allowed: TypeAllowList
    ) -> StoredBlob:
        """Stream, hash, check and store an upload. Raises ``RejectedFileError`` for a refused
        file, and re-raises whatever the stream or the storage raised; never leaves a partial
        file behind."""
        ...

    def open(self, key: str) -> BinaryIO:
        """A streaming reader of the blob (close it). Raises ``BlobNotFoundError``."""
        ...

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int:
        """Raises ``BlobNotFoundError``."""
        ...

    def modified(self, key: str) -> datetime:
        """Last write (or dedupe hit) time, aware UTC. Raises ``BlobNotFoundError``."""
        ...

    def delete(self, key: str) -> None:
        """Remove the blob; a missing blob is not an error. Call only when no row refers to it."""
        ...

    def iter_blobs(self) -> Iterator[BlobInfo]: ...

    def iter_keys(self) -> Iterator[str]: ...

    def verify(self, key: str, sha256: str) -> VerifyStatus:
        """Re-hash the stored content by streaming it and compare with ``sha256``."""
        ...

    def purge_stale_temp(self, older_than: timedelta, *, dry_run: bool = False) -> list[str]:
        """Remove (or only list) temporary files left by a crashed process."""
        ...


# --- shared upload pipeline --------------------------------------------------------------------


def spool_upload(
    stream: BinaryIO, sink: BinaryIO, *, filename: str, max_bytes: int
) -> tuple[str, int]:
    """Copy ``stream`` to ``sink`` in ``CHUNK_SIZE`` pieces; return (sha256 hex, size).

    Reads at most ``max_bytes + 1`` bytes: raises ``RejectedFileError`` (too large) as soon as
    that one byte too many arrives. Re-raises anything the stream or sink raises.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"max_bytes must be a positive integer, not {max_bytes!r}")
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(min(CHUNK_SIZE, max_bytes + 1 - size)):
        size += len(chunk)
        if size > max_bytes:
            raise rejected_too_large(filename, max_bytes)
        digest.update(chunk)
        sink.write(chunk)
    return digest.hexdigest(), size


def check_upload(file: BinaryIO, *, filename: str, size: int, allowed: TypeAllowList) -> str:
    """Return the Content-Type of a spooled upload. Raises ``RejectedFileError`` when it is empty
    or its content does not match its extension."""
    if size == 0:
        raise rejected_empty(filename)
    file.flush()
    return allowed.check_content(filename, sniff(file))


def hash_chunks(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _read_chunks(file: BinaryIO) -> Iterator[bytes]:
    while chunk := file.read(CHUNK_SIZE):
        yield chunk


# --- local files -------------------------------------------------------------------------------


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
        self, stream: BinaryIO, *, filename: str, max_bytes: int, allowed: TypeAllowList
    ) -> StoredBlob:
        """See ``EvidenceStore.save``. Raises ``RejectedFileError``, ``ValueError`` (bad
        ``max_bytes``), and re-raises the stream's or the disk's errors after cleaning up."""
        allowed.check_name(filename)  # refuse a wrong extension before reading a byte
        self.temp_dir.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=self.temp_dir, prefix="upload-", suffix=".part")
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "w+b") as file:
                sha256, size = spool_upload(stream, file, filename=filename, max_bytes=max_bytes)
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
                actual = hash_chunks(_read_chunks(file))
        except FileNotFoundError:
            return VerifyStatus.MISSING
        return VerifyStatus.OK if actual == sha256.lower() else VerifyStatus.ALTERED

    def purge_stale_temp(self, older_than: timedelta, *, dry_run: bool = False) -> list[str]:
        """Temporary files not written to for ``older_than`` (a live upload keeps writing, so
        its file stays young); removed unless ``dry_run``. Returns their names."""
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
            if hash_chunks(_read_chunks(file)) != sha256:
                return False
        os.utime(target)
    except FileNotFoundError:
        return False  # deleted meanwhile (an orphan sweep): publish ours
    return True


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


# --- S3-compatible object storage --------------------------------------------------------------


class S3EvidenceStore:
    """Blobs as objects ``<prefix>ab/abcdef...`` in an S3-compatible bucket (AWS, MinIO, Ceph,
    Garage...). Uploads are spooled to an anonymous local temporary file while hashing (bounded
    memory; the kernel reclaims it even if the process dies), then sent in one PUT carrying
    ``x-amz-checksum-sha256`` so that the server rejects bytes damaged on the way."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        prefix: str = "",
        spool_dir: str | os.PathLike[str] | None = None,
        client_config: Config | None = None,
    ) -> None:
        """Empty or ``None`` endpoint/credentials mean AWS defaults: boto3's usual credential
        chain (environment, instance role) and the regional AWS endpoint."""
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.spool_dir = spool_dir
        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or "us-east-1",
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            config=_client_config(endpoint_url or None, client_config),
        )

    def __repr__(self) -> str:
        return f"S3EvidenceStore(bucket={self.bucket!r}, prefix={self.prefix!r})"

    def save(
        self, stream: BinaryIO, *, filename: str, max_bytes: int, allowed: TypeAllowList
    ) -> StoredBlob:
        """See ``EvidenceStore.save``. Raises ``RejectedFileError``, ``ValueError`` (bad
        ``max_bytes``), botocore errors, and re-raises the stream's errors; the spool file is
        gone in every case."""
        if isinstance(max_bytes, int) and max_bytes > S3_MAX_SINGLE_PUT:
            raise ValueError("max_bytes above 5 GiB needs multipart uploads, which we avoid")
        allowed.check_name(filename)
        with tempfile.TemporaryFile(dir=self.spool_dir) as file:
            sha256, size = spool_upload(stream, file, filename=filename, max_bytes=max_bytes)
            content_type = check_upload(file, filename=filename, size=size, allowed=allowed)
            created = self._publish(file, sha256, size, content_type)
        return StoredBlob(key_for(sha256), sha256, size, content_type, created)

    def _publish(self, file: BinaryIO, sha256: str, size: int, content_type: str) -> bool:
        name = self._object_name(key_for(sha256))
        checksum = base64.b64encode(bytes.fromhex(sha256)).decode("ascii")
        if self._has_intact_copy(name, size, checksum):
            self._touch(name, sha256, content_type)
            return False
        file.seek(0)
        self.client.put_object(
            Bucket=self.bucket,
            Key=name,
            Body=file,
            ContentLength=size,
            ContentType=content_type,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=checksum,
            Metadata={"sha256": sha256},
        )
        return True

    def _has_intact_copy(self, name: str, size: int, checksum: str) -> bool:
        """An object of that size whose stored SHA-256 checksum is ours (HEAD, no download)."""
        head = self._head(name, ChecksumMode="ENABLED")
        return (
            head is not None
            and head["ContentLength"] == size
            and head.get("ChecksumSHA256") == checksum
        )

    def _touch(self, name: str, sha256: str, content_type: str) -> None:
        """Refresh LastModified (server-side self-copy, no transfer through us) so that an
        orphan sweep's grace period protects a blob an upload is reusing right now."""
        self.client.copy_object(
            Bucket=self.bucket,
            Key=name,
            CopySource={"Bucket": self.bucket, "Key": name},
            MetadataDirective="REPLACE",
            Metadata={"sha256": sha256},
            ContentType=content_type,
            ChecksumAlgorithm="SHA256",
        )

    def _object_name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _head(self, name: str, **extra: Any) -> dict[str, Any] | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=name, **extra)
        except ClientError as err:
            if _is_not_found(err):
                return None
            raise

    def _head_or_raise(self, key: str) -> dict[str, Any]:
        head = self._head(self._object_name(key))
        if head is None:
            raise BlobNotFoundError(key)
        return head

    def open(self, key: str) -> BinaryIO:
        """The object's streaming body. Raises ``BlobNotFoundError``, ``ValueError``, botocore
        errors."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._object_name(key))
        except ClientError as err:
            if _is_not_found(err):
                raise BlobNotFoundError(key) from None
            raise
        return response["Body"]

    def exists(self, key: str) -> bool:
        return self._head(self._object_name(key)) is not None

    def size(self, key: str) -> int:
        return int(self._head_or_raise(key)["ContentLength"])

    def modified(self, key: str) -> datetime:
        return self._head_or_raise(key)["LastModified"].astimezone(UTC)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._object_name(key))

    def iter_blobs(self) -> Iterator[BlobInfo]:
        """Every blob under the prefix, in key order; other objects are skipped."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", ()):
                key = item["Key"][len(self.prefix) :]
                if KEY_PATTERN.fullmatch(key):
                    yield BlobInfo(key, int(item["Size"]), item["LastModified"].astimezone(UTC))

    def iter_keys(self) -> Iterator[str]:
        return (blob.key for blob in self.iter_blobs())

    def verify(self, key: str, sha256: str) -> VerifyStatus:
        """Downloads and re-hashes the object by streaming. Raises botocore errors other than
        a missing object."""
        try:
            body = self.open(key)
        except BlobNotFoundError:
            return VerifyStatus.MISSING
        with body:
            actual = hash_chunks(body.iter_chunks(CHUNK_SIZE))
        return VerifyStatus.OK if actual == sha256.lower() else VerifyStatus.ALTERED

    def purge_stale_temp(self, older_than: timedelta, *, dry_run: bool = False) -> list[str]:
        """Nothing to do: spool files are anonymous and single PUTs leave no partial object."""
        return []


def _client_config(endpoint_url: str | None, extra: Config | None) -> Config:
    # Path-style addressing is what MinIO and most self-hosted S3 servers expect; AWS itself
    # (no endpoint_url) picks the right style automatically.
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        retries={"mode": "standard", "max_attempts": 5},
    )
    return config.merge(extra) if extra else config


def _is_not_found(err: ClientError) -> bool:
    code = str(err.response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}


# --- factory and whole-store checks ------------------------------------------------------------


def build_store(kind: str, **settings: Any) -> EvidenceStore:
    """``build_store("local", root=...)`` or ``build_store("s3", bucket=..., endpoint_url=...,
    region=..., access_key=..., secret_key=..., prefix=...)``. Raises ``ValueError`` for an
    unknown kind, ``TypeError`` for unknown settings."""
    if kind == "local":
        return LocalEvidenceStore(**settings)
    if kind == "s3":
        return S3EvidenceStore(**settings)
    raise ValueError(f"unknown evidence storage backend: {kind!r} (use 'local' or 's3')")


def build_store_from_settings(settings: Settings) -> EvidenceStore:
    """The evidence store ``settings`` describe: the evidence folder, or the S3 bucket."""
    if settings.evidence_backend == "s3":
        return build_store(
            "s3",
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            prefix=settings.s3_prefix,
        )
    return build_store(settings.evidence_backend, root=settings.evidence_dir)


def verify_all(store: EvidenceStore, expected: Mapping[str, str]) -> VerifyReport:
    """Re-hash every blob in ``expected`` (key -> sha256, from the database). Raises what
    ``store.verify`` raises for errors other than missing/altered content."""
    report = VerifyReport()
    for key, sha256 in sorted(expected.items()):
        status = store.verify(key, sha256)
        if status is VerifyStatus.OK:
            report.ok_count += 1
        else:
            (report.missing if status is VerifyStatus.MISSING else report.altered).append(key)
    return report


def find_orphans(
    store: EvidenceStore,
    referenced_keys: Set[str],
    *,
    min_age: timedelta = DEFAULT_ORPHAN_MIN_AGE,
    now: datetime | None = None,
) -> list[str]:
    """Keys of blobs no row refers to and not written (or reused) within ``min_age``.

    The grace period keeps a blob whose upload has written the file but not yet committed its
    row out of the list. Raises what ``store.iter_blobs`` raises.
    """
    cutoff = (now or datetime.now(UTC)) - min_age
    return [
        blob.key
        for blob in store.iter_blobs()
        if blob.key not in referenced_keys and blob.modified <= cutoff
    ]


def remove_orphans(
    store: EvidenceStore,
    keys: Iterable[str],
    *,
    min_age: timedelta = DEFAULT_ORPHAN_MIN_AGE,
    now: datetime | None = None,
) -> list[str]:
    """Delete the ``keys`` (from ``find_orphans``) that are still older than ``min_age``,
    re-checked just before each delete in case an upload reused one meanwhile. Returns the
    keys removed. Raises what the store raises."""
    cutoff = (now or datetime.now(UTC)) - min_age
    removed = []
    for key in keys:
        try:
            if store.modified(key) > cutoff:
                continue
        except BlobNotFoundError:
            continue
        store.delete(key)
        removed.append(key)
    return removed
