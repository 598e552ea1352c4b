"""Backups that restore (issue 18 §5): backup → wipe → restore → `audit verify` and `evidence
verify` pass, on the database the suite runs on (SQLite, or PostgreSQL with TEST_DATABASE_URL);
a damaged archive and a non-empty instance are refused and change nothing."""

from __future__ import annotations

import io
import json
import tarfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from config import Settings
from tests.evidence.evidence_samples import pdf_bytes, png_bytes
from tests.factories import Factory
from tests.servers import fresh_database
from tests.world import TODAY, build_world
from tracker import clock, create_app
from tracker.backup import manifest as rules
from tracker.core import migrations
from tracker.db import build_engine
from tracker.evidence import services as evidence
from tracker.evidence.filetypes import DEFAULT_ALLOW_LIST
from tracker.evidence.models import EvidencePurpose

AUDIT_KEY = "backup-test-audit-key-0123456789abcdef"


@dataclass
class Source:
    app: Flask
    archive: Path
    evidence_keys: list[str]
    output: str


def _app(tmp: Path, name: str, *, migrate: bool, **extra: object) -> Flask:
    url = fresh_database(tmp, name)
    if migrate:
        engine = build_engine(url)
        migrations.upgrade(engine)
        engine.dispose()
    settings = Settings(
        database_url=url,
        secret_key="backup-test",
        audit_key=AUDIT_KEY,
        env="test",
        instance_dir=tmp / name / "instance",
        evidence_dir=tmp / name / "evidence",
        jobs_immediate=True,
        **extra,  # type: ignore[arg-type]
    )
    return create_app(settings)


def _fill(app: Flask) -> list[str]:
    """A world with an enrolment and two evidence files, committed through the services."""
    session = app.extensions["sessionmaker"]()
    try:
        world = build_world(session, Factory(session))
        world.session = session
        enrolment = world.enrol()
        store = app.extensions["tracker.evidence_store"]
        keys = []
        for name, data in (("sk.pdf", pdf_bytes("asli")), ("foto.png", png_bytes())):
            row = evidence.upload(
                session,
                store,
                user=world.koordinator,
                enrolment=enrolment,
                target=evidence.Target(EvidencePurpose.ITEM, "A.I.1.i.a"),
                stream=io.BytesIO(data),
                filename=name,
                policy=evidence.UploadPolicy(10**6, DEFAULT_ALLOW_LIST),
            )
            keys.append(row.storage_key)
        session.commit()
        return keys
    finally:
        session.close()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    tmp = tmp_path_factory.mktemp("backup")
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    app = _app(tmp, "source", migrate=True)
    try:
        keys = _fill(app)
        (tmp / "backups").mkdir()
        result = app.test_cli_runner().invoke(args=["backup", "create", str(tmp / "backups")])
        assert result.exit_code == 0, result.output
        (archive,) = (tmp / "backups").iterdir()
        yield Source(app, archive, keys, result.output)
    finally:
        monkeypatch.undo()
        app.extensions["engine"].dispose()


def _cli(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output  # stdout and stderr


def test_archive_holds_dump_blobs_audit_head_and_sums(source: Source) -> None:
    with tarfile.open(source.archive, "r:gz") as archive:
        names = set(archive.getnames())
        manifest = json.loads(archive.extractfile(rules.MANIFEST_NAME).read())  # type: ignore[union-attr]
    dialect = source.app.extensions["engine"].dialect.name
    assert manifest["database"]["dialect"] == dialect
    assert rules.DUMP_MEMBERS[dialect] in names
    assert {f"blobs/evidence/{key}" for key in source.evidence_keys} <= names
    assert set(manifest["members"]) == names - {rules.MANIFEST_NAME}
    assert [f["code"] for f in manifest["lke_frameworks"]] == ["lke-2021"]
    seq, _hash = manifest["audit_head"].split(":")
    assert int(seq) > 0 and f"kepala audit {manifest['audit_head']}" in source.output
    head = _cli(source.app, "audit", "head")[1].strip()
    assert head == manifest["audit_head"]  # the head of the instance backed up, unchanged


def test_backup_wipe_restore_then_audit_and_evidence_verify_pass(
    source: Source, tmp_path: Path
) -> None:
    """The wiped instance: a new, migrated, empty database and an empty evidence folder."""
    target = _app(tmp_path, "restored", migrate=True)
    try:
        code, output = _cli(target, "backup", "restore", str(source.archive))
        assert code == 0, output
        code, output = _cli(target, "audit", "verify")
        assert code == 0 and "Utuh" in output, output
        code, output = _cli(target, "evidence", "verify")
        assert code == 0 and "Utuh: 2, hilang: 0, berubah: 0" in output, output
        assert _cli(target, "audit", "head")[1] == _cli(source.app, "audit", "head")[1]
        # Restored means usable: a second restore on top is refused.
        code, output = _cli(target, "backup", "restore", str(source.archive))
        assert code == 1 and "not empty" in output
    finally:
        target.extensions["engine"].dispose()


def test_restore_into_a_database_never_migrated(source: Source, tmp_path: Path) -> None:
    target = _app(tmp_path, "bare", migrate=False)
    try:
        assert _cli(target, "backup", "restore", str(source.archive))[0] == 0
        assert _cli(target, "evidence", "verify")[0] == 0
    finally:
        target.extensions["engine"].dispose()


def test_a_non_empty_instance_is_refused_and_left_alone(source: Source) -> None:
    before = _cli(source.app, "audit", "head")[1]
    code, output = _cli(source.app, "backup", "restore", str(source.archive))
    assert code == 1
    assert "refusing to restore into an instance that is not empty" in output
    assert "the database has rows" in output and "the blob store holds files" in output
    assert _cli(source.app, "audit", "head")[1] == before


def test_an_empty_database_with_blobs_left_over_is_refused(source: Source, tmp_path: Path) -> None:
    target = _app(tmp_path, "leftover", migrate=True)
    try:
        store = target.extensions["tracker.evidence_store"]
        store.save(
            io.BytesIO(png_bytes()), filename="x.png", max_bytes=10**6, allowed=DEFAULT_ALLOW_LIST
        )
        code, output = _cli(target, "backup", "restore", str(source.archive))
        assert code == 1 and "the blob store holds files (evidence)" in output
        assert "the database has rows" not in output
    finally:
        target.extensions["engine"].dispose()


def _rewrite(archive: Path, out: Path, change: dict[str, bytes]) -> None:
    """A copy of ``archive`` with members replaced (a blob altered after the backup)."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            data = change.get(member.name, data)
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


def test_a_damaged_archive_is_refused_before_anything_is_restored(
    source: Source, tmp_path: Path
) -> None:
    target = _app(tmp_path, "victim", migrate=True)
    altered = tmp_path / "altered.tar.gz"
    _rewrite(source.archive, altered, {f"blobs/evidence/{source.evidence_keys[0]}": b"%PDF-x"})
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(source.archive.read_bytes()[: source.archive.stat().st_size // 2])
    try:
        code, output = _cli(target, "backup", "restore", str(altered))
        assert code == 1 and "SHA-256 differs" in output and "nothing was restored" in output
        code, output = _cli(target, "backup", "restore", str(truncated))
        assert code == 1 and "is not an intact backup" in output
        # Untouched: the same instance still takes the intact archive.
        assert _cli(target, "backup", "restore", str(source.archive))[0] == 0
    finally:
        target.extensions["engine"].dispose()


def test_create_refuses_to_overwrite(source: Source) -> None:
    code, output = _cli(source.app, "backup", "create", str(source.archive))
    assert code == 1 and "already exists" in output


def test_restore_into_an_s3_store_then_a_manifest_only_backup(
    source: Source, tmp_path: Path, s3_endpoint: str
) -> None:
    """The blobs go back into a bucket; `--no-blobs` then lists the bucket's objects (key,
    SHA-256, size) without copying them, for a bucket with its own versioning or replicas."""
    bucket = f"restore-{uuid.uuid4().hex[:12]}"
    s3 = {
        "evidence_backend": "s3",
        "s3_bucket": bucket,
        "s3_endpoint_url": s3_endpoint,
        "s3_access_key": "testing",
        "s3_secret_key": "testing",
    }
    target = _app(tmp_path, "s3", migrate=True, **s3)
    store = target.extensions["tracker.evidence_store"]
    store.client.create_bucket(Bucket=bucket)
    try:
        code, output = _cli(target, "backup", "restore", str(source.archive))
        assert code == 0, output
        assert sorted(store.iter_keys()) == sorted(source.evidence_keys)
        code, output = _cli(target, "evidence", "verify")
        assert code == 0 and "Utuh: 2, hilang: 0" in output, output
        code, output = _cli(target, "backup", "create", "--no-blobs", str(tmp_path / "keys.tgz"))
        assert code == 0 and "0/2 berkas disalin" in output, output
        with tarfile.open(tmp_path / "keys.tgz", "r:gz") as archive:
            names = archive.getnames()
            manifest = json.loads(archive.extractfile(rules.MANIFEST_NAME).read())  # type: ignore[union-attr]
        assert not [name for name in names if name.startswith("blobs/")]
        listed = {(b["key"], b["sha256"], b["included"]) for b in manifest["blobs"]}
        assert listed == {(key, key.split("/")[1], False) for key in source.evidence_keys}
        assert manifest["storage_backend"] == "s3"
    finally:
        target.extensions["engine"].dispose()
