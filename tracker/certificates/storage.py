"""Where finished print jobs are kept: the evidence blob store, under its own folder or prefix.

Reusing ``EvidenceStore`` gives content addressing, atomic writes and S3 support, so every app
server can serve a result any worker produced. Results live apart from evidence (``print-jobs/``
under the evidence folder, or the ``print-jobs/`` prefix in the bucket), so the evidence orphan
sweep, which only looks at its own keys, never sees them.
"""

from __future__ import annotations

import io

from config import Settings
from tracker.certificates.models import PrintFormat
from tracker.evidence.filetypes import PDF_TYPE, FileType, TypeAllowList
from tracker.evidence.storage import EvidenceStore, StoredBlob, build_store

PREFIX = "print-jobs"
MAX_RESULT_BYTES = 1024 * 1024 * 1024
ZIP_TYPE = FileType("ZIP", "application/zip")
RESULT_TYPES = TypeAllowList({"pdf": PDF_TYPE, "zip": ZIP_TYPE})
CONTENT_TYPES = {PrintFormat.PDF: PDF_TYPE.content_type, PrintFormat.ZIP: ZIP_TYPE.content_type}


def build_result_store(settings: Settings) -> EvidenceStore:
    """The store for print results that ``settings`` describe (local folder or S3 bucket)."""
    if settings.evidence_backend == "s3":
        return build_store(
            "s3",
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            prefix=PREFIX,
        )
    return build_store("local", root=settings.evidence_dir / PREFIX)


def save_result(store: EvidenceStore, data: bytes, fmt: PrintFormat) -> StoredBlob:
    """Store a finished PDF or ZIP; its type is checked by content like any upload."""
    return store.save(
        io.BytesIO(data),
        filename=f"piagam.{fmt.value}",
        max_bytes=MAX_RESULT_BYTES,
        allowed=RESULT_TYPES,
    )
