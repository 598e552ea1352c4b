"""What a backup archive holds and when a restore may go ahead: pure rules, no I/O.

An archive (``.tar.gz``) holds ``manifest.json`` and its members: the database dump
(``database.sqlite3`` or ``database.pgdump``) and the blobs under ``blobs/<area>/<key>``
(``area`` is ``evidence`` or ``print-jobs``; the key is the blob's content address,
``ab/ab<62 hex>``). The manifest lists the SHA-256 of every member: a restore verifies all of
them before it touches anything, and refuses an archive with a member missing, altered, extra
or of an unexpected name (no member ever becomes a path outside the restore's own folder).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FORMAT = "zi-tracker-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DUMP_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
AREAS = ("evidence", "print-jobs")
# Tables a freshly migrated, empty database already fills: Alembic's revision, and the audit
# trail's head row at sequence 0 (the services count that one only when it has moved on).
BOOKKEEPING_TABLES = frozenset({"alembic_version"})
_KEY = r"(?P<shard>[0-9a-f]{2})/(?P=shard)[0-9a-f]{62}"
_BLOB_MEMBER = re.compile(rf"blobs/(?P<area>{'|'.join(map(re.escape, AREAS))})/(?P<key>{_KEY})")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ManifestError(ValueError):
    """The archive is not a backup this version can restore, or it is damaged."""


@dataclass(frozen=True)
class BlobEntry:
    """One blob: where it belongs, its key, its SHA-256 and size, and whether it is in the
    archive (``--no-blobs`` lists the bucket's objects without copying them)."""

    area: str
    key: str
    sha256: str
    size: int
    included: bool

    @property
    def member(self) -> str:
        return blob_member(self.area, self.key)


@dataclass(frozen=True)
class Manifest:
    created_at: str  # ISO 8601, UTC
    dialect: str  # "sqlite" or "postgresql"
    alembic_revision: str
    audit_head: str  # SEQ:HASH, as `flask audit head` prints it
    storage_backend: str  # "local" or "s3"
    frameworks: tuple[Mapping[str, Any], ...]  # the stored LKE framework versions
    software: Mapping[str, str]  # versions of the app, Python and the database tools
    blobs: tuple[BlobEntry, ...]
    members: Mapping[str, str] = field(default_factory=dict)  # member name -> SHA-256

    @property
    def dump_member(self) -> str:
        return DUMP_MEMBERS[self.dialect]

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": self.created_at,
            "database": {"dialect": self.dialect, "member": self.dump_member},
            "alembic_revision": self.alembic_revision,
            "audit_head": self.audit_head,
            "storage_backend": self.storage_backend,
            "lke_frameworks": list(self.frameworks),
            "software": dict(self.software),
            "blobs": [
                {"area": b.area, "key": b.key, "sha256": b.sha256, "size": b.size}
                | {"included": b.included}
                for b in self.blobs
            ],
            "members": dict(sorted(self.members.items())),
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Raises ManifestError for anything that is not a manifest of this format."""
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT or data.get("version") != FORMAT_VERSION:
                raise ManifestError(f"not a {FORMAT} archive of version {FORMAT_VERSION}")
            dialect = data["database"]["dialect"]
            if dialect not in DUMP_MEMBERS:
                raise ManifestError(f"unknown database dialect {dialect!r}")
            blobs = tuple(
                BlobEntry(b["area"], b["key"], b["sha256"], int(b["size"]), bool(b["included"]))
                for b in data["blobs"]
            )
            manifest = cls(
                created_at=str(data["created_at"]),
                dialect=dialect,
                alembic_revision=str(data["alembic_revision"]),
                audit_head=str(data["audit_head"]),
                storage_backend=str(data["storage_backend"]),
                frameworks=tuple(data["lke_frameworks"]),
                software={str(k): str(v) for k, v in data["software"].items()},
                blobs=blobs,
                members={str(k): str(v) for k, v in data["members"].items()},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, ManifestError):
                raise
            raise ManifestError(f"{MANIFEST_NAME} is unreadable: {exc}") from exc
        for blob in manifest.blobs:
            blob_member(blob.area, blob.key)  # raises for a malformed entry
        return manifest


def blob_member(area: str, key: str) -> str:
    """The member name of a blob. Raises ManifestError for an unknown area or a bad key."""
    name = f"blobs/{area}/{key}"
    if not _BLOB_MEMBER.fullmatch(name):
        raise ManifestError(f"not a blob of a known area: {name!r}")
    return name


def blob_sha256(key: str) -> str:
    """The SHA-256 a content-addressed key promises (``ab/ab…`` → ``ab…``)."""
    return key.split("/", 1)[1]


def check_member_name(name: str) -> None:
    """Raises ManifestError unless ``name`` is one a backup may contain (checked before the
    manifest is read, so that no other name is ever written to disk)."""
    if name == MANIFEST_NAME or name in DUMP_MEMBERS.values() or _BLOB_MEMBER.fullmatch(name):
        return
    raise ManifestError(f"unexpected member {name!r}")


def check_members(manifest: Manifest, found: Mapping[str, str]) -> list[str]:
    """Problems between the manifest's sums and ``found`` (member -> SHA-256 of what the archive
    really holds, the manifest itself excluded); empty when every member is intact."""
    problems = [f"{name}: missing" for name in sorted(manifest.members) if name not in found] + [
        f"{name}: not in the manifest" for name in sorted(found) if name not in manifest.members
    ]
    problems += [
        f"{name}: SHA-256 differs (damaged or altered)"
        for name, digest in sorted(found.items())
        if name in manifest.members and manifest.members[name] != digest
    ]
    if manifest.dump_member not in manifest.members:
        problems.append(f"{manifest.dump_member}: the database dump is not listed")
    for blob in manifest.blobs:
        if not _SHA256.fullmatch(blob.sha256) or blob.sha256 != blob_sha256(blob.key):
            problems.append(f"{blob.member}: its key and SHA-256 disagree")
        elif blob.included and manifest.members.get(blob.member) != blob.sha256:
            problems.append(f"{blob.member}: listed as included but not in the archive")
    return problems


def refusal(table_rows: Mapping[str, int], blobs: Sequence[str]) -> str | None:
    """Why a restore into this instance must be refused, or None when it is empty.

    ``table_rows`` counts the rows of each table (the audit head only once it has moved past
    sequence 0); ``blobs`` names the areas that hold blobs. A restore replaces the database
    whole: it goes only into an instance that holds nothing yet, never over live data.
    """
    filled = sorted(t for t, n in table_rows.items() if n > 0 and t not in BOOKKEEPING_TABLES)
    reasons = []
    if filled:
        shown = ", ".join(filled[:5]) + (f" and {len(filled) - 5} more" if len(filled) > 5 else "")
        reasons.append(f"the database has rows (in {shown})")
    if blobs:
        reasons.append(f"the blob store holds files ({', '.join(blobs)})")
    if not reasons:
        return None
    return (
        "refusing to restore into an instance that is not empty: "
        + "; ".join(reasons)
        + ". Restore into a new, empty database and an empty evidence store."
    )
