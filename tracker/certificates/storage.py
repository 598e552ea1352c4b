"""Where finished print jobs are kept: the evidence blob store, under its own folder or prefix.

Reusing the evidence blob store gives content addressing, atomic writes and S3 support, so every
app server can serve a result any worker produced. Results live apart from evidence
(``print-jobs/`` under the evidence folder, or the ``print-jobs/`` prefix in the bucket), so the
evidence orphan sweep, which only looks at its own keys, never sees them.
"""

from __future__ import annotations

import io

from config import Settings
from tracker.certificates.models import PrintFormat
from tracker.evidence.filetypes import PDF_TYPE, FileType, TypeAllowList
from tracker.evidence.storage import BlobStore, StoredBlob, build_store_from_settings

PREFIX = "print-jobs"
MAX_RESULT_BYTES = 1024 * 1024 * 1024
ZIP_TYPE = FileType("ZIP", "application/zip")
RESULT_TYPES = TypeAllowList({"pdf": PDF_TYPE, "zip": ZIP_TYPE})
CONTENT_TYPES = {PrintFormat.PDF: PDF_TYPE.content_type, PrintFormat.ZIP: ZIP_TYPE.content_type}


def build_result_store(settings: Settings) -> BlobStore:
    """The store for print results that ``settings`` describe (local folder or S3 bucket)."""
    return build_store_from_settings(settings, area=PREFIX)


def save_result(store: BlobStore, data: bytes, fmt: PrintFormat) -> StoredBlob:
    """Store a finished PDF or ZIP; its type is checked by content like any upload."""
    return store.save(
        io.BytesIO(data),
        filename=f"piagam.{fmt.value}",
        max_bytes=MAX_RESULT_BYTES,
        allowed=RESULT_TYPES,
    )
