"""Evidence files (bukti dukung): names, type checks by content, and blob storage.

What this module exports needs neither Flask nor the database. The layers built on it:
``models`` and ``services`` (rows around the blob store), ``uploads`` (store a form's document
and remove its blob again if the change fails: what other packages' views use), ``cli``, and
``web`` (the blueprint and its forms; no other package imports it). See ``storage`` for the
``BlobStore`` / ``MaintainableStore`` interfaces and the local and S3 backends, ``filetypes``
for the allow-list, the upload policy and ``RejectedFileError``, ``naming`` for display and
download names.
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
    UploadPolicy,
    human_size,
    sniff,
)
from tracker.evidence.naming import display_name, extension, storage_safe_name
from tracker.evidence.storage import (
    DEFAULT_ORPHAN_MIN_AGE,
    BlobInfo,
    BlobNotFoundError,
    BlobStore,
    EvidenceStore,
    LocalEvidenceStore,
    MaintainableStore,
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
    "BlobStore",
    "EvidenceStore",
    "FileType",
    "LocalEvidenceStore",
    "MaintainableStore",
    "RejectReason",
    "RejectedFileError",
    "S3EvidenceStore",
    "StoredBlob",
    "TypeAllowList",
    "UploadPolicy",
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
