"""Evidence rows over a real store: versions, withdrawal, freezing, checks, failures, verify."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.evidence.evidence_samples import elf_bytes, pdf_bytes, png_bytes
from tests.world import World
from tracker.accreditation.workflow import Action
from tracker.errors import ConflictError, NotAllowedError, ValidationError
from tracker.evidence import services
from tracker.evidence.filetypes import DEFAULT_ALLOW_LIST, RejectedFileError
from tracker.evidence.models import (
    CheckVerdict,
    DocumentCheck,
    EvidenceFile,
    EvidencePurpose,
    EvidenceStatus,
)
from tracker.evidence.services import Target, UploadPolicy

POLICY = UploadPolicy(5 * 1024 * 1024, DEFAULT_ALLOW_LIST)
DOC = Target(EvidencePurpose.ITEM, "A.I.1.i.a", "team-decree-sk-tim-kerja-zi")


def _upload(
    world: World,
    store,
    enrolment,
    data: bytes,
    name: str = "sk.pdf",
    target: Target = DOC,
    user=None,
    replaces: EvidenceFile | None = None,
) -> EvidenceFile:
    row = services.upload(
        world.session,
        store,
        user=user or world.koordinator,
        enrolment=enrolment,
        target=target,
        stream=io.BytesIO(data),
        filename=name,
        policy=POLICY,
        replaces=replaces,
    )
    world.session.commit()
    return row


def test_a_replacement_adds_a_version_and_keeps_the_old_one(world: World, store) -> None:
    e = world.building()
    first = _upload(world, store, e, pdf_bytes("versi 1"))
    second = _upload(world, store, e, pdf_bytes("versi 2"), "sk-revisi.pdf", replaces=first)
    assert (first.version, second.version) == (1, 2)
    assert first.status is EvidenceStatus.SUPERSEDED and second.status is EvidenceStatus.ACTIVE
    assert store.exists(first.storage_key) and store.exists(second.storage_key)
    assert len(first.public_id) == 32 and first.public_id != second.public_id


def test_identical_files_are_stored_once(world: World, store) -> None:
    e = world.building()
    a = _upload(
        world, store, e, pdf_bytes("sama"), target=Target(EvidencePurpose.ITEM, "A.I.1.i.a")
    )
    b = _upload(
        world, store, e, pdf_bytes("sama"), target=Target(EvidencePurpose.ITEM, "A.I.1.i.b")
    )
    assert a.storage_key == b.storage_key and a.id != b.id


def test_withdrawal_brings_back_the_previous_version(world: World, store) -> None:
    e = world.building()
    first = _upload(world, store, e, pdf_bytes("1"))
    second = _upload(world, store, e, pdf_bytes("2"), replaces=first)
    with pytest.raises(NotAllowedError):
        services.withdraw(world.session, user=world.pokja, file=second)
    world.session.rollback()
    assert (first.status, second.status) == (EvidenceStatus.SUPERSEDED, EvidenceStatus.ACTIVE)
    services.withdraw(world.session, user=world.koordinator, file=second)
    world.session.commit()
    assert second.status is EvidenceStatus.WITHDRAWN and first.status is EvidenceStatus.ACTIVE


def test_files_freeze_at_the_hand_off(world: World, store) -> None:
    e = world.building()
    row = _upload(world, store, e, pdf_bytes("bukti"))
    world.fill(e)
    world.act(world.koordinator, e, Action.SUBMIT_PRELIMINARY)
    assert row.frozen
    with pytest.raises(ValidationError, match="dibekukan"):
        services.withdraw(world.session, user=world.koordinator, file=row)
    world.session.rollback()
    assert row.status is EvidenceStatus.ACTIVE and store.exists(row.storage_key)
    from tracker.accreditation.models import Snapshot

    snap = world.session.scalars(select(Snapshot)).one()
    assert {"id": row.public_id, "sha256": row.sha256}.items() <= snap.payload["evidence"][
        0
    ].items()


def test_a_spoofed_file_is_refused_and_leaves_nothing(world: World, store) -> None:
    e = world.building()
    with pytest.raises(RejectedFileError, match=r"program\.pdf"):
        _upload(world, store, e, elf_bytes(), "program.pdf")
    world.session.rollback()
    assert world.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
    assert list(store.iter_keys()) == []


def test_failure_before_commit_removes_the_new_blob(world: World, store) -> None:
    e = world.building()
    row = services.upload(
        world.session,
        store,
        user=world.koordinator,
        enrolment=e,
        target=DOC,
        stream=io.BytesIO(png_bytes()),
        filename="foto.png",
        policy=POLICY,
    )
    key = row.storage_key
    world.session.rollback()  # e.g. the commit failed
    services.discard_unreferenced(world.session, store, key)
    assert not store.exists(key)


def test_a_shared_blob_survives_a_failed_duplicate(world: World, store) -> None:
    e = world.building()
    kept = _upload(world, store, e, pdf_bytes("dipakai"))
    services.upload(
        world.session,
        store,
        user=world.koordinator,
        enrolment=e,
        target=Target(EvidencePurpose.ITEM, "A.I.2.i.a"),
        stream=io.BytesIO(pdf_bytes("dipakai")),
        filename="salin.pdf",
        policy=POLICY,
    )
    world.session.rollback()
    services.discard_unreferenced(world.session, store, kept.storage_key)
    assert store.exists(kept.storage_key)


def test_links_must_be_http(world: World) -> None:
    e = world.building()
    with pytest.raises(ValidationError, match="http"):
        services.add_link(
            world.session,
            user=world.koordinator,
            enrolment=e,
            target=DOC,
            url="javascript:alert(1)",
            title="x",
        )
    world.session.rollback()
    assert world.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
    row = services.add_link(
        world.session,
        user=world.koordinator,
        enrolment=e,
        target=DOC,
        url="https://polres.example.go.id/zi",
        title="Halaman ZI",
    )
    assert row.is_link and row.storage_key is None


def test_document_checks_detect_simultaneous_verdicts(world: World, store) -> None:
    e = world.building()
    _upload(world, store, e, pdf_bytes("x"))
    args = {
        "user": world.penilai,
        "enrolment": e,
        "tier": "preliminary",
        "item_code": DOC.item_code,
        "document_key": DOC.document_key,
    }
    with pytest.raises(ValidationError, match="Komentar wajib"):
        services.check_document(
            world.session, verdict=CheckVerdict.INVALID, comment="", expected_seq=0, **args
        )
    world.session.rollback()
    assert world.session.scalars(select(DocumentCheck)).all() == []
    services.check_document(
        world.session, verdict=CheckVerdict.OK, comment="", expected_seq=0, **args
    )
    world.session.commit()
    with pytest.raises(ConflictError):
        services.check_document(
            world.session, verdict=CheckVerdict.MISSING, comment="tidak ada", expected_seq=0, **args
        )
    world.session.rollback()
    checks = world.session.scalars(select(DocumentCheck)).all()
    assert [(c.verdict, c.seq, c.checked_by_id) for c in checks] == [
        (CheckVerdict.OK, 1, world.penilai.id)
    ]


def test_verify_reports_altered_and_missing_files_and_orphans(world: World, local_store) -> None:
    e = world.building()
    good = _upload(world, local_store, e, pdf_bytes("baik"))
    bad = _upload(
        world, local_store, e, pdf_bytes("diubah"), target=Target(EvidencePurpose.ITEM, "A.I.1.i.b")
    )
    gone = _upload(
        world, local_store, e, pdf_bytes("hilang"), target=Target(EvidencePurpose.ITEM, "A.I.1.i.c")
    )
    path = local_store.root / bad.storage_key
    path.chmod(0o600)
    path.write_bytes(pdf_bytes("dipalsukan"))
    local_store.delete(gone.storage_key)
    orphan = local_store.save(
        io.BytesIO(png_bytes()), filename="yatim.png", max_bytes=10**6, allowed=DEFAULT_ALLOW_LIST
    )
    report = services.verify_store(world.session, local_store)
    assert report.ok_count == 1 and report.altered == [bad.storage_key]
    assert report.missing == [gone.storage_key]
    assert good.storage_key not in report.altered
    import os

    old = 0
    os.utime(local_store.root / orphan.key, (old, old))
    assert services.orphans(world.session, local_store) == [orphan.key]
