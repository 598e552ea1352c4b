"""Evidence blob storage behind small interfaces: local files or S3-compatible objects.

Both backends do the same thing on ``save``: stream the upload in chunks to a temporary file
(never the whole file in memory), hash it with SHA-256 on the way, stop the moment it exceeds
``max_bytes``, check its type by content, and only then publish it under a key derived from the
hash, so identical files are stored once. Any failure, including the client vanishing
mid-upload, leaves no temporary file and no blob behind.

The interface comes in two parts, because the app and the operator need different things:
``BlobStore`` is what requests, services and jobs use (save, read, delete after a failed
upload); ``MaintainableStore`` is what ``maintenance`` (``flask evidence verify``) uses to
walk, re-hash and sweep the whole store. Every backend is both: an ``EvidenceStore``.

Modules: ``blobs`` (keys, values, the shared upload pipeline), ``local`` and ``s3`` (the
backends), ``maintenance`` (whole-store checks). The package knows nothing about the
database: ``tracker.evidence.services`` records a ``StoredBlob`` in a row and hands the keys
its rows hold to ``maintenance``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO, Any, BinaryIO, Protocol, runtime_checkable

from config import Settings
from tracker.evidence.filetypes import TypeAllowList
from tracker.evidence.storage.blobs import (
    CHUNK_SIZE,
    KEY_PATTERN,
    BlobInfo,
    BlobNotFoundError,
    StorageUnwritableError,
    StoredBlob,
    TempFile,
    VerifyStatus,
    check_key,
    key_for,
)
from tracker.evidence.storage.local import LocalEvidenceStore
from tracker.evidence.storage.maintenance import (
    DEFAULT_ORPHAN_MIN_AGE,
    DEFAULT_TEMP_MIN_AGE,
    OrphanSurvey,
    VerifyReport,
    find_orphans,
    remove_orphans,
    survey_orphans,
    verify_all,
)
from tracker.evidence.storage.s3 import S3EvidenceStore

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_ORPHAN_MIN_AGE",
    "DEFAULT_TEMP_MIN_AGE",
    "KEY_PATTERN",
    "BlobInfo",
    "BlobNotFoundError",
    "BlobStore",
    "EvidenceStore",
    "LocalEvidenceStore",
    "MaintainableStore",
    "OrphanSurvey",
    "S3EvidenceStore",
    "StorageUnwritableError",
    "StoredBlob",
    "TempFile",
    "VerifyReport",
    "VerifyStatus",
    "build_store",
    "build_store_from_settings",
    "check_key",
    "find_orphans",
    "key_for",
    "remove_orphans",
    "survey_orphans",
    "verify_all",
]


@runtime_checkable
class BlobStore(Protocol):
    """What the app needs from a blob store: store an upload, read it, remove one that no row
    uses. Keys always come from ``save``."""

    def save(
        self,
        stream: IO[bytes],
        *,
        filename: str,
        max_bytes: int,
        allowed: TypeAllowList,
        declared_size: int | None = None,
    ) -> StoredBlob:
        """Stream, hash, check and store an upload. ``declared_size`` is the size the client
        declared (a request's Content-Length): exactly that many bytes are read, and a body that
        ends sooner is refused. Raises ``RejectedFileError`` for a refused file, and re-raises
        whatever the stream or the storage raised; never leaves a partial file behind."""
        ...

    def open(self, key: str) -> BinaryIO:
        """A streaming reader of the blob (close it). Raises ``BlobNotFoundError``."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the blob; a missing blob is not an error. Call only when no row refers to it."""
        ...


@runtime_checkable
class MaintainableStore(Protocol):
    """What whole-store maintenance needs: list, re-hash, date and sweep blobs."""

    def size(self, key: str) -> int:
        """Raises ``BlobNotFoundError``."""
        ...

    def modified(self, key: str) -> datetime:
        """Last write (or dedupe hit) time, aware UTC. Raises ``BlobNotFoundError``."""
        ...

    def delete(self, key: str) -> None:
        """As ``BlobStore.delete``: an orphan sweep removes what no row refers to."""
        ...

    def iter_blobs(self) -> Iterator[BlobInfo]: ...

    def iter_keys(self) -> Iterator[str]: ...

    def verify(self, key: str, sha256: str) -> VerifyStatus:
        """Re-hash the stored content by streaming it and compare with ``sha256``."""
        ...

    def iter_temp(self) -> Iterator[TempFile]:
        """Every temporary file of an upload, finished or not, oldest first."""
        ...

    def purge_stale_temp(self, older_than: timedelta, *, dry_run: bool = False) -> list[str]:
        """Remove (or only list) temporary files not written to for ``older_than``: left by a
        killed process. Returns their names."""
        ...


@runtime_checkable
class EvidenceStore(BlobStore, MaintainableStore, Protocol):
    """A backend: both interfaces (``LocalEvidenceStore``, ``S3EvidenceStore``)."""


def build_store(kind: str, **settings: Any) -> EvidenceStore:
    """``build_store("local", root=...)`` or ``build_store("s3", bucket=..., endpoint_url=...,
    region=..., access_key=..., secret_key=..., prefix=...)``. Raises ``ValueError`` for an
    unknown kind, ``TypeError`` for unknown settings."""
    if kind == "local":
        return LocalEvidenceStore(**settings)
    if kind == "s3":
        return S3EvidenceStore(**settings)
    raise ValueError(f"unknown evidence storage backend: {kind!r} (use 'local' or 's3')")


def build_store_from_settings(settings: Settings, *, area: str | None = None) -> EvidenceStore:
    """The store ``settings`` describe: the evidence folder, or the S3 bucket.

    ``area`` keeps other blobs (certificate print results) apart from evidence: a sub-folder of
    the evidence folder, or that prefix in the bucket instead of ``settings.s3_prefix``. The
    evidence store only lists its own keys (``ab/...``), so its orphan sweep never sees them.
    Raises ``ValueError`` for an unknown backend.
    """
    if settings.evidence_backend == "s3":
        return build_store(
            "s3",
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            prefix=area if area is not None else settings.s3_prefix,
        )
    root = settings.evidence_dir / area if area is not None else settings.evidence_dir
    return build_store(settings.evidence_backend, root=root)
