"""Evidence rows around the blob store: upload, link, version, withdraw, freeze, check, verify.

Blobs are content-addressed and written (atomically) before the row is committed, so a crash
in between leaves at most an orphan blob (and, for a process killed mid-upload, a temporary
file), which ``survey_orphans`` lists and ``flask evidence verify`` removes when old enough;
an upload that fails before the commit removes its blob again (``discard_unreferenced``) unless
another row already uses the same content.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import IO, TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.db import utcnow
from tracker.errors import ConflictError, NotAllowedError, NotFoundError, ValidationError
from tracker.evidence import storage
from tracker.evidence.filetypes import UploadPolicy
from tracker.evidence.models import (
    CheckVerdict,
    DocumentCheck,
    EvidenceFile,
    EvidencePurpose,
    EvidenceStatus,
)
from tracker.evidence.naming import display_name
from tracker.i18n import _

if TYPE_CHECKING:
    from tracker.accreditation.models import Enrolment  # accreditation depends on evidence


@dataclass(frozen=True)
class Target:
    """Where a file belongs: an LKE item and one of its expected documents, or another purpose."""

    purpose: EvidencePurpose
    item_code: str | None = None
    document_key: str | None = None


# Purposes whose expected document holds several files: a new upload adds a file, and only an
# explicit replacement (``replaces``) makes a new version of one (issue 14 §2). For the others
# the document is one current file (the Pakta Integritas, a survey's report): a new upload is
# the next version of the current one, as before.
SEVERAL_FILES = frozenset({EvidencePurpose.ITEM, EvidencePurpose.PREREQUISITE})


def upload(
    session: Session,
    store: storage.BlobStore,
    *,
    user: User,
    enrolment: Enrolment,
    target: Target,
    stream: IO[bytes],
    filename: str,
    policy: UploadPolicy,
    description: str = "",
    declared_size: int | None = None,
    replaces: EvidenceFile | None = None,
    stored_keys: list[str | None] | None = None,
) -> EvidenceFile:
    """Store one file and record it: a new file of the document, or the next version of
    ``replaces``. Raises RejectedFileError (size, type, a body shorter than ``declared_size``),
    ValidationError, ConflictError (``replaces`` was replaced or withdrawn meanwhile).

    The blob is stored and checked before any row is touched, so a refused file records
    nothing and supersedes nothing. The caller commits; if anything fails before that it must
    call ``discard_unreferenced`` with the returned row's ``storage_key``
    (``tracker.evidence.uploads.cleanup_on_failure``); ``stored_keys`` gets the key as soon as
    the blob is stored, so a failure inside this call (a lost race) is cleaned up too. Two
    replacements of one file racing each other meet at the unique (series, version)
    constraint: the later flush or commit raises IntegrityError (``replaced_meanwhile`` words
    it for the person).
    """
    blob = store.save(
        stream,
        filename=filename,
        max_bytes=policy.max_bytes,
        allowed=policy.allowed,
        declared_size=declared_size,
    )
    if stored_keys is not None:
        stored_keys.append(blob.key)
    row = _new_row(
        session,
        user=user,
        enrolment=enrolment,
        target=target,
        original_name=display_name(filename),
        description=description,
        replaces=replaces,
    )
    row.storage_key, row.sha256, row.size, row.content_type = (
        blob.key,
        blob.sha256,
        blob.size,
        blob.content_type,
    )
    session.flush()
    _audit(
        session,
        user,
        "evidence:file:upload",
        row,
        enrolment,
        {
            "name": row.original_name,
            "sha256": blob.sha256,
            "size": blob.size,
            "item": target.item_code,
            "document": target.document_key,
            "version": row.version,
            "replaces": replaces.public_id if replaces is not None else None,
        },
    )
    return row


def store_unattached(
    session: Session,
    store: storage.BlobStore,
    *,
    user: User,
    purpose: EvidencePurpose,
    stream: IO[bytes],
    filename: str,
    policy: UploadPolicy,
    unit_id: int | None,
    agency_id: int | None,
) -> EvidenceFile:
    """Store a file that belongs to no enrolment: the scanned certificate of a designation
    made before the tracker (D15). The caller links the row to what it documents and, like
    ``upload``'s, discards the blob if the change fails (``uploads.cleanup_on_failure``)."""
    blob = store.save(stream, filename=filename, max_bytes=policy.max_bytes, allowed=policy.allowed)
    public_id = secrets.token_hex(16)
    row = EvidenceFile(
        public_id=public_id,
        series=public_id,
        enrolment_id=None,
        purpose=purpose,
        original_name=display_name(filename),
        uploaded_by_id=user.id,
        storage_key=blob.key,
        sha256=blob.sha256,
        size=blob.size,
        content_type=blob.content_type,
        frozen=True,  # nothing to withdraw it from: it is replaced, never taken back
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="evidence:file:upload",
        subject=row,
        unit_id=unit_id,
        agency_id=agency_id,
        data={"name": row.original_name, "sha256": blob.sha256, "size": blob.size},
    )
    return row


def add_link(
    session: Session,
    *,
    user: User,
    enrolment: Enrolment,
    target: Target,
    url: str,
    title: str,
    replaces: EvidenceFile | None = None,
) -> EvidenceFile:
    """Record a link (e.g. a published page) instead of a file: a new one, or the next version
    of ``replaces``. Raises ValidationError, ConflictError (as ``upload``)."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 1000:
        raise ValidationError(_("Tautan harus berupa alamat http:// atau https:// yang lengkap."))
    row = _new_row(
        session,
        user=user,
        enrolment=enrolment,
        target=target,
        original_name=display_name(title or parts.netloc),
        description="",
        replaces=replaces,
    )
    row.link_url = url
    session.flush()
    _audit(
        session,
        user,
        "evidence:link:add",
        row,
        enrolment,
        {
            "url": url,
            "item": target.item_code,
            "document": target.document_key,
            "version": row.version,
            "replaces": replaces.public_id if replaces is not None else None,
        },
    )
    return row


def _new_row(
    session: Session,
    *,
    user: User,
    enrolment: Enrolment,
    target: Target,
    original_name: str,
    description: str,
    replaces: EvidenceFile | None,
) -> EvidenceFile:
    """A new file of the document, or the next version of the file it replaces (explicitly,
    or for a one-file document, its current file)."""
    if replaces is None and target.document_key and target.purpose not in SEVERAL_FILES:
        replaces = _active_document(session, enrolment.id, target)
    elif replaces is not None:
        session.refresh(replaces)  # read in this transaction: it may have changed meanwhile
        ensure_replaceable(replaces, enrolment, target)
    public_id = secrets.token_hex(16)
    row = EvidenceFile(
        public_id=public_id,
        series=replaces.series if replaces is not None else public_id,
        enrolment_id=enrolment.id,
        purpose=target.purpose,
        item_code=target.item_code,
        document_key=target.document_key,
        original_name=original_name,
        description=description.strip()[:2000],
        uploaded_by_id=user.id,
        version=_next_version(session, replaces.series) if replaces is not None else 1,
    )
    if replaces is not None:
        replaces.status = EvidenceStatus.SUPERSEDED  # stays frozen if it was
    session.add(row)
    return row


def ensure_replaceable(file: EvidenceFile, enrolment: Enrolment, target: Target) -> None:
    """``file`` may get a new version for ``target``. Raises ValidationError (another
    enrolment's, item's or document's file), ConflictError (no longer the current version:
    someone replaced or withdrew it since the page was opened)."""
    if (
        file.enrolment_id != enrolment.id
        or file.purpose is not target.purpose
        or file.item_code != target.item_code
        or file.document_key != target.document_key
    ):
        raise ValidationError(_("Berkas yang akan diganti bukan bukti dokumen ini."))
    if file.status is not EvidenceStatus.ACTIVE:
        raise ConflictError(replaced_meanwhile(file.original_name))


def replaced_meanwhile(name: str) -> str:
    """What the person whose replacement lost is told: nothing of theirs was kept."""
    return _(
        "Berkas %(name)s baru saja diganti atau ditarik oleh pengguna lain. Muat ulang "
        "halaman untuk melihat versi terbarunya; berkas Anda belum disimpan.",
        name=name,
    )


def _next_version(session: Session, series: str) -> int:
    # Counted over every version, withdrawn ones too: their numbers stay taken.
    latest = session.scalar(
        select(func.max(EvidenceFile.version)).where(EvidenceFile.series == series)
    )
    return (latest or 0) + 1


def _active_document(session: Session, enrolment_id: int, target: Target) -> EvidenceFile | None:
    """The current file of a one-file document (the newest, should there be several)."""
    return session.scalars(
        select(EvidenceFile)
        .where(
            EvidenceFile.enrolment_id == enrolment_id,
            EvidenceFile.purpose == target.purpose,
            EvidenceFile.item_code == target.item_code,
            EvidenceFile.document_key == target.document_key,
            EvidenceFile.status == EvidenceStatus.ACTIVE,
        )
        .order_by(EvidenceFile.id.desc())
    ).first()


def discard_unreferenced(session: Session, store: storage.BlobStore, key: str | None) -> None:
    """After a failed upload: remove the blob unless a committed row still uses it."""
    if key is None:
        return
    used = session.scalar(
        select(func.count()).select_from(EvidenceFile).where(EvidenceFile.storage_key == key)
    )
    if not used:
        store.delete(key)


def withdraw(session: Session, *, user: User, file: EvidenceFile) -> None:
    """The uploader takes a version back before the hand-off; the previous version of the
    same file (its series) comes back, the document's other files are untouched.

    Raises NotAllowedError (someone else's file), ValidationError (frozen or not active).
    """
    if file.uploaded_by_id != user.id:
        raise NotAllowedError(_("Hanya pengunggah yang dapat menarik berkas ini."))
    if file.frozen:
        raise ValidationError(
            _("Berkas sudah dibekukan saat serah terima dan tidak dapat ditarik.")
        )
    if file.status is not EvidenceStatus.ACTIVE:
        raise ValidationError(_("Hanya versi yang berlaku yang dapat ditarik."))
    file.status, file.withdrawn_at = EvidenceStatus.WITHDRAWN, utcnow()
    previous = session.scalars(
        select(EvidenceFile)
        .where(
            EvidenceFile.series == file.series,
            EvidenceFile.version < file.version,
            EvidenceFile.status == EvidenceStatus.SUPERSEDED,
        )
        .order_by(EvidenceFile.version.desc())
    ).first()
    if previous is not None:
        previous.status = EvidenceStatus.ACTIVE
    session.flush()
    _audit(
        session,
        user,
        "evidence:file:withdraw",
        file,
        file.enrolment,
        {"name": file.original_name, "version": file.version, "item": file.item_code},
    )


def freeze(session: Session, enrolment: Enrolment) -> list[dict[str, object]]:
    """Freeze every active file of the enrolment at a hand-off; return the snapshot list."""
    files = active_files(session, enrolment.id)
    for row in files:
        row.frozen = True
    session.flush()
    return [
        {
            "id": f.public_id,
            "purpose": f.purpose.value,
            "item": f.item_code,
            "document": f.document_key,
            "series": f.series,  # the file this is a version of (its first version's id)
            "version": f.version,
            "name": f.original_name,
            "sha256": f.sha256,
            "size": f.size,
            "url": f.link_url,
        }
        for f in files
    ]


def active_files(
    session: Session, enrolment_id: int, purposes: Iterable[EvidencePurpose] | None = None
) -> Sequence[EvidenceFile]:
    """Every current file of the enrolment (all files of each document count), with their
    earlier versions (``EvidenceFile.older_versions``), in one query: every version is read
    and each series handed to its files (the LKE page read them in a second query)."""
    if purposes is None:
        rows = session.scalars(_files(False), {"enrolment_id": enrolment_id}).all()
    else:
        params = {"enrolment_id": enrolment_id, "purposes": list(purposes)}
        rows = session.scalars(_files(True), params).all()
    series: dict[str, list[EvidenceFile]] = defaultdict(list)
    for f in rows:
        series[f.series].append(f)  # newest first, as ``EvidenceFile.versions`` orders them
    current = []
    for f in rows:
        set_committed_value(f, "versions", series[f.series])
        if f.status is EvidenceStatus.ACTIVE:
            current.append(f)
    # A replaced file keeps its place in the list: in the order the files were first added.
    return sorted(current, key=lambda f: (f.item_code or "", series[f.series][-1].id))


@cache
def _files(of_purposes: bool) -> Select[EvidenceFile]:
    """``active_files``' statement (``of_purposes``: bound ``purposes`` only), built once."""
    # The uploaders' names, not their role grants (which a User loads by default).
    stmt = (
        select(EvidenceFile)
        .options(joinedload(EvidenceFile.uploaded_by).lazyload(User.grants))
        .where(EvidenceFile.enrolment_id == bindparam("enrolment_id"))
        .order_by(EvidenceFile.series, EvidenceFile.version.desc())
    )
    if of_purposes:
        stmt = stmt.where(EvidenceFile.purpose.in_(bindparam("purposes", expanding=True)))
    return stmt


def item_evidence(session: Session, enrolment_id: int) -> dict[str, frozenset[str | None]]:
    """Which LKE items of the enrolment carry evidence (a file or a link) and for which expected
    documents (None: not tied to one): {item code: document keys}, one query for all items."""
    rows = session.execute(
        select(EvidenceFile.item_code, EvidenceFile.document_key)
        .where(
            EvidenceFile.enrolment_id == enrolment_id,
            EvidenceFile.purpose == EvidencePurpose.ITEM,
            EvidenceFile.status == EvidenceStatus.ACTIVE,
            EvidenceFile.item_code.is_not(None),
        )
        .distinct()
    ).all()
    present: dict[str, set[str | None]] = {}
    for item_code, document_key in rows:
        if item_code is not None:  # excluded by the query; narrows the column's type
            present.setdefault(item_code, set()).add(document_key)
    return {code: frozenset(keys) for code, keys in present.items()}


def files_of_item(session: Session, enrolment_id: int, item_code: str) -> Sequence[EvidenceFile]:
    """Every version of every file of an item, newest first (withdrawn ones included)."""
    return session.scalars(
        select(EvidenceFile)
        .where(EvidenceFile.enrolment_id == enrolment_id, EvidenceFile.item_code == item_code)
        .order_by(EvidenceFile.document_key, EvidenceFile.series, EvidenceFile.version.desc())
    ).all()


def by_public_id(session: Session, public_id: str) -> EvidenceFile:
    row = session.scalars(select(EvidenceFile).where(EvidenceFile.public_id == public_id)).first()
    if row is None:
        raise NotFoundError(_("Berkas bukti tidak ditemukan."))
    return row


def record_download(session: Session, *, user: User, file: EvidenceFile, as_reviewer: bool) -> None:
    """Reviewers' downloads are audited (what they judged is on record)."""
    if as_reviewer:
        _audit(
            session,
            user,
            "evidence:file:download",
            file,
            file.enrolment,
            {"name": file.original_name, "sha256": file.sha256, "version": file.version},
        )


def check_document(
    session: Session,
    *,
    user: User,
    enrolment: Enrolment,
    tier: str,
    item_code: str,
    document_key: str,
    verdict: CheckVerdict,
    comment: str,
    expected_seq: int,
) -> DocumentCheck:
    """A reviewer marks an expected document ok / missing / not valid.

    ``expected_seq`` is the check number the reviewer saw; if someone else decided meanwhile
    the call raises ConflictError instead of overwriting. A non-ok verdict needs a comment.
    """
    if verdict is not CheckVerdict.OK and not comment.strip():
        raise ValidationError(_("Komentar wajib diisi bila dokumen kurang atau tidak valid."))
    latest = latest_check_seq(session, enrolment.id, tier, item_code, document_key)
    if latest != expected_seq:
        raise ConflictError(
            _(
                "Dokumen ini baru saja dinilai oleh pengguna lain. Muat ulang "
                "halaman untuk melihat penilaiannya."
            )
        )
    check = DocumentCheck(
        enrolment_id=enrolment.id,
        tier=tier,
        item_code=item_code,
        document_key=document_key,
        seq=latest + 1,
        verdict=verdict,
        comment=comment.strip(),
        checked_by_id=user.id,
    )
    session.add(check)
    session.flush()
    _audit(
        session,
        user,
        "evidence:document:check",
        check,
        enrolment,
        {
            "item": item_code,
            "document": document_key,
            "verdict": verdict.value,
            "comment": check.comment,
            "tier": tier,
        },
    )
    return check


def latest_check_seq(
    session: Session, enrolment_id: int, tier: str, item_code: str, document_key: str
) -> int:
    return (
        session.scalar(
            select(func.max(DocumentCheck.seq)).where(
                DocumentCheck.enrolment_id == enrolment_id,
                DocumentCheck.tier == tier,
                DocumentCheck.item_code == item_code,
                DocumentCheck.document_key == document_key,
            )
        )
        or 0
    )


def latest_checks(
    session: Session, enrolment_id: int, tier: str
) -> dict[tuple[str, str], DocumentCheck]:
    """The current verdict per (item, document) for a tier, in one query."""
    rows = session.scalars(
        select(DocumentCheck).where(
            DocumentCheck.enrolment_id == enrolment_id, DocumentCheck.tier == tier
        )
    )
    return newest_checks(rows, tier)


def newest_checks(rows: Iterable[DocumentCheck], tier: str) -> dict[tuple[str, str], DocumentCheck]:
    """The current verdict per (item, document) of ``tier`` among ``rows``: the highest
    ``seq`` of each."""
    latest: dict[tuple[str, str], DocumentCheck] = {}
    for row in rows:
        key = (row.item_code, row.document_key)
        if row.tier == tier and (key not in latest or row.seq > latest[key].seq):
            latest[key] = row
    return latest


def verify_store(session: Session, store: storage.MaintainableStore) -> storage.VerifyReport:
    """Re-hash every stored file that a row references."""
    rows = session.execute(
        select(EvidenceFile.storage_key, EvidenceFile.sha256)
        .where(EvidenceFile.storage_key.is_not(None))
        .distinct()
    ).all()
    # A stored file always has both; the test narrows the column types for the checker.
    expected = {key: sha256 for key, sha256 in rows if key is not None and sha256 is not None}
    return storage.verify_all(store, expected)


def orphans(session: Session, store: storage.MaintainableStore) -> list[str]:
    """Keys of blobs no row refers to, old enough to remove (``storage.find_orphans``)."""
    return storage.find_orphans(store, _referenced_keys(session))


def survey_orphans(
    session: Session, store: storage.MaintainableStore, *, now: datetime | None = None
) -> storage.OrphanSurvey:
    """Old and young orphans and the temporary files of uploads (``storage.survey_orphans``)."""
    return storage.survey_orphans(store, _referenced_keys(session), now=now)


def _referenced_keys(session: Session) -> set[str]:
    keys = session.scalars(
        select(EvidenceFile.storage_key).where(EvidenceFile.storage_key.is_not(None))
    )
    return {key for key in keys if key is not None}


def _audit(
    session: Session,
    user: User,
    tag: str,
    subject: EvidenceFile | DocumentCheck,
    enrolment: Enrolment | None,
    data: dict[str, object],
) -> None:
    audit.record(
        session,
        actor=user,
        tag=tag,
        subject=subject,
        data=data,
        unit_id=enrolment.unit_id if enrolment is not None else None,
        agency_id=enrolment.agency_id if enrolment is not None else None,
    )
