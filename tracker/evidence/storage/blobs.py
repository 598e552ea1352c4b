"""Keys, values and the upload pipeline that both backends share.

A blob's key is derived from the SHA-256 of its content (``ab/abcdef...``; never from user
input), so identical files are stored once and a key read from the database can be checked
before it becomes a path or an object name.
"""

from __future__ import annotations

import errno
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import IO, BinaryIO

from tracker.errors import NotFoundError, ServiceUnavailableError
from tracker.evidence.filetypes import (
    TypeAllowList,
    rejected_empty,
    rejected_incomplete,
    rejected_too_large,
)
from tracker.i18n import _

CHUNK_SIZE = 256 * 1024
KEY_PATTERN = re.compile(r"(?P<shard>[0-9a-f]{2})/(?P<sha>(?P=shard)[0-9a-f]{62})")


class StorageUnwritableError(ServiceUnavailableError):
    """The store could not write: its disk is full or read-only (issue 13 §16). The upload
    left nothing behind; ``str()`` names the file and tells the user to call the admin."""

    def __init__(self, filename: str) -> None:
        super().__init__(
            _(
                "Berkas %(name)s tidak disimpan: penyimpanan bukti penuh atau tidak dapat "
                "ditulis. Hubungi admin.",
                name=filename,
            ),
            name=filename,
        )
        self.name = filename


# The disk's "cannot write" errors, as opposed to a client that went away mid-upload: no space
# or quota left, a read-only file system, a directory the server may not write into.
UNWRITABLE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


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


@dataclass(frozen=True, slots=True)
class TempFile:
    """A temporary file of an upload as listed by ``iter_temp``: its name in the store's
    temporary area, size, and last write (aware UTC). A live upload keeps writing to it."""

    name: str
    size: int
    modified: datetime


class VerifyStatus(StrEnum):
    OK = "ok"
    MISSING = "missing"
    ALTERED = "altered"


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


def spool_upload(
    stream: IO[bytes],
    sink: BinaryIO,
    *,
    filename: str,
    max_bytes: int,
    declared_size: int | None = None,
) -> tuple[str, int]:
    """Copy ``stream`` to ``sink`` in ``CHUNK_SIZE`` pieces; return (sha256 hex, size).

    Reads at most ``max_bytes + 1`` bytes: raises ``RejectedFileError`` (too large) as soon as
    that one byte too many arrives. With ``declared_size`` (a request's Content-Length) the
    stream may be the raw WSGI input: it is read up to that size and never past it (PEP 3333:
    what follows belongs to the next request on the connection), and a stream that ends sooner
    raises ``RejectedFileError`` (incomplete): a client that vanished mid-upload, which gunicorn
    reports as a plain end of the body. Re-raises anything the stream or sink raises.
    """
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"max_bytes must be a positive integer, not {max_bytes!r}")
    if declared_size is not None and declared_size > max_bytes:
        raise rejected_too_large(filename, max_bytes)  # before reading a byte of it
    limit = max_bytes + 1 if declared_size is None else declared_size
    digest, size = hashlib.sha256(), 0
    while size < limit and (chunk := stream.read(min(CHUNK_SIZE, limit - size))):
        size += len(chunk)
        if size > max_bytes:
            raise rejected_too_large(filename, max_bytes)
        digest.update(chunk)
        sink.write(chunk)
    if declared_size is not None and size < declared_size:
        raise rejected_incomplete(filename, size, declared_size)
    return digest.hexdigest(), size


def check_upload(file: BinaryIO, *, filename: str, size: int, allowed: TypeAllowList) -> str:
    """Return the Content-Type of a spooled upload. Raises ``RejectedFileError`` when it is
    empty, its content does not match its extension, or its content is cut off or unsafe
    (``TypeAllowList.check_file``)."""
    if size == 0:
        raise rejected_empty(filename)
    file.flush()
    return allowed.check_file(filename, file)


def hash_chunks(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def read_chunks(file: BinaryIO) -> Iterator[bytes]:
    while chunk := file.read(CHUNK_SIZE):
        yield chunk
