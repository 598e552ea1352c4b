"""Evidence blobs as objects in an S3-compatible bucket (AWS, MinIO, Ceph, Garage...)."""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import IO, Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from tracker.evidence.filetypes import TypeAllowList
from tracker.evidence.storage.blobs import (
    KEY_PATTERN,
    BlobInfo,
    BlobNotFoundError,
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

# Largest single PUT that S3 accepts; we never use multipart (its checksum is not the file's).
S3_MAX_SINGLE_PUT = 5 * 1024**3


class S3EvidenceStore:
    """Blobs as objects ``<prefix>ab/abcdef...`` in an S3-compatible bucket. Uploads are spooled
    to an anonymous local temporary file while hashing (bounded memory; the kernel reclaims it
    even if the process dies), then sent in one PUT carrying ``x-amz-checksum-sha256`` so that
    the server rejects bytes damaged on the way."""

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
        self,
        stream: IO[bytes],
        *,
        filename: str,
        max_bytes: int,
        allowed: TypeAllowList,
        declared_size: int | None = None,
    ) -> StoredBlob:
        """See ``BlobStore.save``. Raises ``RejectedFileError``, ``ValueError`` (bad
        ``max_bytes``), botocore errors, and re-raises the stream's errors; the spool file is
        gone in every case."""
        if isinstance(max_bytes, int) and max_bytes > S3_MAX_SINGLE_PUT:
            raise ValueError("max_bytes above 5 GiB needs multipart uploads, which we avoid")
        allowed.check_name(filename)
        with tempfile.TemporaryFile(dir=self.spool_dir) as file:
            sha256, size = spool_upload(
                stream, file, filename=filename, max_bytes=max_bytes, declared_size=declared_size
            )
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
            actual = hash_chunks(read_chunks(body))  # StreamingBody reads like a file
        return VerifyStatus.OK if actual == sha256.lower() else VerifyStatus.ALTERED

    def iter_temp(self) -> Iterator[TempFile]:
        """None to list: the spool file is anonymous (``TemporaryFile``: no name on Linux, and
        the kernel frees it when the process dies, even by SIGKILL), and a single PUT leaves no
        partial object (no multipart uploads to abort)."""
        return iter(())

    def purge_stale_temp(self, older_than: timedelta, *, dry_run: bool = False) -> list[str]:
        """Nothing to do: see ``iter_temp``."""
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
