"""Evidence files (bukti dukung): names, type checks by content, and blob storage.

What this module exports is pure (no Flask, no SQLAlchemy); ``models``, ``services``, ``views``
and ``cli`` are the package's database and web layers, built on it. See
``storage`` for the ``EvidenceStore`` interface and its local and S3 backends, ``filetypes``
for the allow-list and ``RejectedFileError``, ``naming`` for display and download names.
"""

from tracker.evidence.filetypes import (
    DEFAULT_ALLOW_LIST,
    DEFAULT_ALLOWED,
    DEFAULT_MAX_BYTES,
    KNOWN_TYPES,
    FileType,
    RejectedFileError,
    RejectReason,
    TypeAllowList,
    human_size,
    sniff,
)
from tracker.evidence.naming import display_name, extension, storage_safe_name
from tracker.evidence.storage import (
    DEFAULT_ORPHAN_MIN_AGE,
    BlobInfo,
    BlobNotFoundError,
    EvidenceStore,
    LocalEvidenceStore,
    S3EvidenceStore,
    StoredBlob,
    VerifyReport,
    VerifyStatus,
    build_store,
    check_key,
    find_orphans,
    key_for,
    remove_orphans,
    verify_all,
)

__all__ = [
    "DEFAULT_ALLOWED",
    "DEFAULT_ALLOW_LIST",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_ORPHAN_MIN_AGE",
    "KNOWN_TYPES",
    "BlobInfo",
    "BlobNotFoundError",
    "EvidenceStore",
    "FileType",
    "LocalEvidenceStore",
    "RejectReason",
    "RejectedFileError",
    "S3EvidenceStore",
    "StoredBlob",
    "TypeAllowList",
    "VerifyReport",
    "VerifyStatus",
    "build_store",
    "check_key",
    "display_name",
    "extension",
    "find_orphans",
    "human_size",
    "key_for",
    "remove_orphans",
    "sniff",
    "storage_safe_name",
    "verify_all",
]
