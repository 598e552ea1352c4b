"""Storing a document that came with a form, and removing it again if the change fails.

A blob is written (content addressed, atomically) before the row that refers to it is
committed. If the request then fails, the transaction rolls back and the blob would stay behind
with no row: ``cleanup_on_failure`` removes every blob the request created that no committed
row uses. This is the protocol every view that stores evidence follows, the evidence views and
the pages of other packages that take a document with a form (the declaration's Pakta
Integritas, the proposal prerequisites).

No Flask here: the caller passes the store (``tracker.extensions.evidence_store()``) and the
policy (``UploadPolicy.from_settings(settings())``), and commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

from tracker.auth.models import User
from tracker.errors import ValidationError
from tracker.evidence import services
from tracker.evidence.filetypes import UploadPolicy
from tracker.evidence.models import EvidenceFile
from tracker.evidence.services import Target
from tracker.evidence.storage import BlobStore
from tracker.i18n import _

if TYPE_CHECKING:
    from tracker.accreditation.models import Enrolment  # accreditation depends on evidence


class Upload(Protocol):
    """A file sent with a form (werkzeug's ``FileStorage`` is one)."""

    @property
    def filename(self) -> str | None: ...

    @property
    def stream(self) -> IO[bytes]: ...


@contextmanager
def cleanup_on_failure(
    session: Session, store: BlobStore, keys: list[str | None]
) -> Iterator[None]:
    """Run a change that stores blobs; ``keys`` collects the storage key of each one stored.

    If the block raises (before or at the commit), roll back and remove those blobs that no
    committed row uses (identical content may already belong to another row), then re-raise:
    a failed upload leaves no file behind.
    """
    try:
        yield
    except BaseException:  # also a client that vanished mid-upload, or a worker timeout
        session.rollback()
        for key in keys:
            services.discard_unreferenced(session, store, key)
        raise


def attach(
    session: Session,
    *,
    store: BlobStore,
    policy: UploadPolicy,
    user: User,
    enrolment: Enrolment,
    target: Target,
    upload: Upload | None,
    link: str | None,
    title: str,
    required: bool,
) -> EvidenceFile | None:
    """Record the document of a form: the uploaded file if there is one, else the link.

    Returns None when neither was given and the document is optional. Raises
    ``ValidationError`` when a required document is missing, and what ``services.upload`` and
    ``services.add_link`` raise. Call it inside ``cleanup_on_failure`` and append the returned
    row's ``storage_key``; the caller commits. A service that takes the document as a callback
    gets this with ``store`` and ``policy`` bound (``functools.partial``).
    """
    if upload is not None and upload.filename:
        return services.upload(
            session,
            store,
            user=user,
            enrolment=enrolment,
            target=target,
            stream=upload.stream,
            filename=upload.filename,
            policy=policy,
        )
    if link:
        return services.add_link(
            session, user=user, enrolment=enrolment, target=target, url=link, title=title
        )
    if required:
        raise ValidationError(_("Lampirkan %(what)s: berkas atau tautan.", what=title))
    return None
