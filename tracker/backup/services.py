"""Backups that restore: one archive with a consistent database dump, the blobs, the stored LKE
framework versions and the audit trail's head, every member under a SHA-256 sum.

Consistency. SQLite is copied with its online backup API (a snapshot, whatever writers do
meanwhile); PostgreSQL with ``pg_dump`` on a snapshot exported from a repeatable-read
transaction, and the manifest's facts (audit head, framework versions, migration revision) are
read from that same snapshot (SQLite: from the copy). Blobs are copied after the dump: they are
content-addressed and never rewritten, and only blobs no row refers to are ever deleted, so every
blob the dump refers to is still there (a blob uploaded meanwhile is at worst an orphan).

A restore verifies every member before it touches anything, refuses an instance that holds any
data, loads the database (SQLite: the backup API; PostgreSQL: ``pg_restore --no-owner``), puts
the blobs back, and checks the restored audit trail against the head in the manifest.

No Flask here: ``tracker.backup.cli`` passes in the engine, the audit key and the stores.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from tracker.audit import keys as audit_keys
from tracker.audit import services as audit
from tracker.audit.chain import Head
from tracker.backup import manifest as rules
from tracker.certificates.search import is_index_table
from tracker.errors import DomainError
from tracker.evidence.storage import LocalEvidenceStore, S3EvidenceStore
from tracker.evidence.storage.blobs import CHUNK_SIZE
from tracker.lke.models import LkeFramework

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


class BackupError(DomainError):
    """A backup or restore that cannot go ahead; the message says why."""


@dataclass(frozen=True)
class Instance:
    """What a backup is taken from, or restored into."""

    engine: Engine
    audit_key: str
    stores: Mapping[str, LocalEvidenceStore | S3EvidenceStore]  # area -> store
    storage_backend: str
    pg_bin_dir: str = ""


@dataclass
class Outcome:
    manifest: rules.Manifest
    warnings: list[str] = field(default_factory=list)


# --- create --------------------------------------------------------------------------------


def create(instance: Instance, dest: Path, *, include_blobs: bool = True) -> Outcome:
    """Write the archive ``dest`` (refused if it exists). Raises BackupError."""
    if dest.exists():
        raise BackupError(f"{dest} already exists; give a new file name or a folder")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".backup-") as tmp:
        work = Path(tmp)
        dialect = instance.engine.dialect.name
        dump = work / rules.DUMP_MEMBERS[dialect]
        facts = _dump_database(instance, dump)
        partial = work / "archive.tar.gz"
        outcome = Outcome(_manifest_without_blobs(instance, facts))
        members = {dump.name: _sha256_file(dump)}
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=dump.name)
            dump.unlink()
            blobs = _archive_blobs(instance, archive, work, include_blobs, outcome.warnings)
            members |= {b.member: b.sha256 for b in blobs if b.included}
            manifest = replace(outcome.manifest, blobs=tuple(blobs), members=members)
            _add_bytes(archive, rules.MANIFEST_NAME, manifest.to_json().encode())
        os.replace(partial, dest)
    outcome.manifest = manifest
    return outcome


@dataclass(frozen=True)
class _Facts:
    audit_head: str
    alembic_revision: str
    frameworks: tuple[dict[str, object], ...]


def _dump_database(instance: Instance, dump: Path) -> _Facts:
    if instance.engine.dialect.name == "sqlite":
        _sqlite_copy(_sqlite_path(instance.engine), str(dump))
        copy = create_engine(f"sqlite:///{dump}")
        try:
            with copy.connect() as conn:
                return _read_facts(conn, instance.audit_key)
        finally:
            copy.dispose()
    with instance.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            facts = _read_facts(conn, instance.audit_key)
            _pg_run(
                instance,
                "pg_dump",
                ["--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
            )
    return facts


def _read_facts(conn: Connection, audit_key: str) -> _Facts:
    session = Session(bind=conn)  # joins the connection's transaction (its snapshot)
    audit_keys.bind(session.info, audit_key)
    verdict = audit.check(session)
    if verdict.broken is not None:
        raise BackupError(
            f"the audit trail is broken at record #{verdict.broken.seq} "
            f"({verdict.broken.reason}); run `flask audit verify` and resolve it first"
        )
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    rows = session.execute(
        select(
            LkeFramework.code, LkeFramework.version, LkeFramework.sha256, LkeFramework.title
        ).order_by(LkeFramework.code, LkeFramework.version)
    ).all()
    frameworks = tuple(
        {"code": r.code, "version": r.version, "sha256": r.sha256, "title": r.title} for r in rows
    )
    return _Facts(str(verdict.end), ",".join(sorted(revision)), frameworks)


def _manifest_without_blobs(instance: Instance, facts: _Facts) -> rules.Manifest:
    return rules.Manifest(
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        dialect=instance.engine.dialect.name,
        alembic_revision=facts.alembic_revision,
        audit_head=facts.audit_head,
        storage_backend=instance.storage_backend,
        frameworks=facts.frameworks,
        software=_software(instance),
        blobs=(),
    )


def _software(instance: Instance) -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in ("zi-tracker", "flask", "sqlalchemy", "alembic"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "unknown"
    if instance.engine.dialect.name == "postgresql":
        found["pg_dump"] = _pg_run(instance, "pg_dump", ["--version"]).strip()
    else:
        found["sqlite"] = sqlite3.sqlite_version
    return found


def _archive_blobs(
    instance: Instance,
    archive: tarfile.TarFile,
    work: Path,
    include: bool,
    warnings: list[str],
) -> list[rules.BlobEntry]:
    entries = []
    for area, store in instance.stores.items():
        for blob in store.iter_blobs():
            sha256 = rules.blob_sha256(blob.key)
            if not include:
                entries.append(rules.BlobEntry(area, blob.key, sha256, blob.size, False))
                continue
            copy = work / "blob"
            with store.open(blob.key) as source, copy.open("wb") as sink:
                actual = _copy_hashing(source, sink)
            if actual != sha256:  # damaged in the store: `flask evidence verify` says so too
                warnings.append(f"{area}/{blob.key}: content does not match its key; not copied")
                entries.append(rules.BlobEntry(area, blob.key, sha256, blob.size, False))
            else:
                archive.add(copy, arcname=rules.blob_member(area, blob.key))
                entries.append(rules.BlobEntry(area, blob.key, sha256, copy.stat().st_size, True))
            copy.unlink()
    return entries


# --- restore -------------------------------------------------------------------------------


def restore(instance: Instance, source: Path) -> Outcome:
    """Verify ``source``, then restore it into the empty ``instance``. Raises BackupError
    (damaged archive, another database kind, a non-empty instance, a failed check after)."""
    with tempfile.TemporaryDirectory(prefix="zi-restore-") as tmp:
        work = Path(tmp)
        manifest = _unpack_verified(source, work)
        if manifest.dialect != instance.engine.dialect.name:
            raise BackupError(
                f"the archive holds a {manifest.dialect} database; this instance uses "
                f"{instance.engine.dialect.name}"
            )
        if reason := rules.refusal(_table_rows(instance.engine), _filled_areas(instance)):
            raise BackupError(reason)
        instance.engine.dispose()  # nothing of ours holds the database while it is replaced
        _restore_database(instance, work / manifest.dump_member)
        outcome = Outcome(manifest)
        for blob in manifest.blobs:
            if blob.included:
                _put_blob(instance.stores[blob.area], blob.key, work / blob.member)
            elif blob.area in instance.stores:
                outcome.warnings.append(f"{blob.area}/{blob.key}: not in the archive")
    _check_restored_trail(instance, Head.parse(manifest.audit_head))
    return outcome


def _unpack_verified(source: Path, work: Path) -> rules.Manifest:
    """Unpack every member into ``work`` while hashing it; raise BackupError unless the
    manifest's sums match exactly what the archive holds."""
    found: dict[str, str] = {}
    try:
        with tarfile.open(source, "r:gz") as archive:
            for member in archive:
                rules.check_member_name(member.name)
                if not member.isreg() or member.name in found:
                    raise rules.ManifestError(f"unexpected member {member.name!r}")
                target = work / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                reader = archive.extractfile(member)
                assert reader is not None  # a regular file always has a reader
                with reader, target.open("wb") as sink:
                    found[member.name] = _copy_hashing(reader, sink)
        if rules.MANIFEST_NAME not in found:
            raise rules.ManifestError(f"no {rules.MANIFEST_NAME}")
        found.pop(rules.MANIFEST_NAME)
        manifest = rules.Manifest.from_json((work / rules.MANIFEST_NAME).read_text("utf-8"))
    except (rules.ManifestError, tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"{source} is not an intact backup: {exc}") from exc
    if problems := rules.check_members(manifest, found):
        shown = "; ".join(problems[:5]) + (f" (+{len(problems) - 5} more)" * (len(problems) > 5))
        raise BackupError(f"{source} is damaged, nothing was restored: {shown}")
    return manifest


def _table_rows(engine: Engine) -> dict[str, int]:
    counts = {}
    with engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            if is_index_table(name):  # the registry's search index, derived from designations
                continue
            query = select(func.count()).select_from(table(name))
            if name == "audit_head":  # a fresh database already has its row, at sequence 0
                query = query.where(text("seq > 0"))
            counts[name] = conn.execute(query).scalar_one()
    return counts


def _filled_areas(instance: Instance) -> list[str]:
    return [area for area, store in instance.stores.items() if next(store.iter_blobs(), None)]


def _restore_database(instance: Instance, dump: Path) -> None:
    if instance.engine.dialect.name == "sqlite":
        target_path = _sqlite_path(instance.engine)
        Path(target_path).parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(str(dump), target_path)
        return
    # --clean --if-exists: a migrated but empty database has the tables already (checked empty
    # above); --no-owner: the objects belong to whoever restores, as the app's user.
    _pg_run(
        instance,
        "pg_restore",
        [
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={instance.engine.url.database}",
            str(dump),
        ],
    )


def _put_blob(store: LocalEvidenceStore | S3EvidenceStore, key: str, path: Path) -> None:
    """Put a verified blob back under its key (the store's ``save`` would check its type
    again, and print results are not uploads)."""
    sha256 = rules.blob_sha256(key)
    if isinstance(store, LocalEvidenceStore):
        target = store.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        store.temp_dir.mkdir(parents=True, exist_ok=True)
        temp = Path(shutil.copy(path, store.temp_dir / f"restore-{sha256}.part"))
        os.replace(temp, target)
        return
    with path.open("rb") as file:
        store.client.put_object(
            Bucket=store.bucket,
            Key=store.prefix + key,
            Body=file,
            ContentLength=path.stat().st_size,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=_b64(sha256),
            Metadata={"sha256": sha256},
        )


def _check_restored_trail(instance: Instance, expected: Head) -> None:
    with Session(instance.engine) as session:
        audit_keys.bind(session.info, instance.audit_key)
        verdict = audit.check(session, expected=expected)
    if verdict.broken is not None:
        raise BackupError(
            f"restored, but the audit trail does not verify at record #{verdict.broken.seq} "
            f"({verdict.broken.reason}): is AUDIT_KEY the one of the backed-up instance?"
        )


# --- helpers -------------------------------------------------------------------------------


def _sqlite_copy(source_path: str, target_path: str) -> None:
    """SQLite's online backup: a consistent copy of a live database, page by page."""
    with (
        closing(sqlite3.connect(source_path)) as source,
        closing(sqlite3.connect(target_path)) as target,
    ):
        source.backup(target)


def _sqlite_path(engine: Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return path


def pg_binary(name: str, bin_dir: str = "") -> str:
    """``name`` (pg_dump, pg_restore) from ``bin_dir``, PATH, or the newest Debian cluster's
    binaries. Raises BackupError when there is none."""
    if bin_dir:
        return str(Path(bin_dir) / name)
    if found := shutil.which(name):
        return found
    candidates = sorted(Path("/").glob(PG_BIN_GLOB.lstrip("/")), key=_version_key)
    for folder in reversed(candidates):
        if (folder / name).exists():
            return str(folder / name)
    raise BackupError(f"{name} not found: install postgresql-client or set PG_BIN_DIR")


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(p) for p in path.parent.name.split(".") if p.isdigit())


def _pg_run(instance: Instance, tool: str, args: list[str]) -> str:
    """Run a PostgreSQL client tool with the engine's connection in libpq's variables (the
    password never on a command line). Raises BackupError with its message on failure."""
    command = [pg_binary(tool, instance.pg_bin_dir), *args]
    if tool == "pg_dump" and "--version" not in args:
        command.append(f"--dbname={instance.engine.url.database}")
    result = subprocess.run(  # noqa: S603 - our own tool path and arguments, no shell
        command, env=_libpq_env(instance.engine.url), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()[-2000:]}")
    return result.stdout


def _libpq_env(url: URL) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    pairs = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username}
    env |= {k: str(v) for k, v in pairs.items() if v}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _copy_hashing(source: IO[bytes], sink: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(CHUNK_SIZE):
        digest.update(chunk)
        sink.write(chunk)
    return digest.hexdigest()


def _sha256_file(path: Path) -> str:
    with path.open("rb") as file, open(os.devnull, "wb") as sink:
        return _copy_hashing(file, sink)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
    archive.addfile(info, io.BytesIO(data))


def _b64(sha256: str) -> str:
    return base64.b64encode(bytes.fromhex(sha256)).decode("ascii")
