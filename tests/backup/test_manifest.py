"""The backup's pure rules: which member names an archive may hold, how sums are compared, and
when a restore is refused."""

from __future__ import annotations

import pytest

from tracker.backup import manifest as rules

SHA = "ab" + "c" * 62
KEY = f"ab/{SHA}"


@pytest.mark.parametrize(
    "name",
    [
        "../etc/passwd",
        "/etc/passwd",
        "blobs/evidence/../../../root/.ssh/authorized_keys",
        f"blobs/other/{KEY}",
        f"blobs/evidence/{KEY}/x",
        "blobs/evidence/ab/ab12",
        "database.sqlite3/../x",
        "notes.txt",
    ],
)
def test_only_known_member_names_are_accepted(name: str) -> None:
    with pytest.raises(rules.ManifestError):
        rules.check_member_name(name)


@pytest.mark.parametrize(
    "name", ["manifest.json", "database.sqlite3", "database.pgdump", f"blobs/print-jobs/{KEY}"]
)
def test_the_members_of_a_backup_are_accepted(name: str) -> None:
    rules.check_member_name(name)


def _manifest(**members: str) -> rules.Manifest:
    blob = rules.BlobEntry("evidence", KEY, SHA, 10, True)
    return rules.Manifest(
        created_at="2027-01-01T00:00:00+00:00",
        dialect="sqlite",
        alembic_revision="x",
        audit_head="3:" + "0" * 64,
        storage_backend="local",
        frameworks=(),
        software={},
        blobs=(blob,),
        members={"database.sqlite3": "1" * 64, blob.member: SHA} | members,
    )


def test_sums_are_compared_both_ways_and_survive_json() -> None:
    manifest = rules.Manifest.from_json(_manifest().to_json())
    intact = {"database.sqlite3": "1" * 64, f"blobs/evidence/{KEY}": SHA}
    assert rules.check_members(manifest, intact) == []
    assert rules.check_members(manifest, intact | {"database.sqlite3": "2" * 64}) == [
        "database.sqlite3: SHA-256 differs (damaged or altered)"
    ]
    assert rules.check_members(manifest, {"database.sqlite3": "1" * 64}) == [
        f"blobs/evidence/{KEY}: missing"
    ]
    extra = intact | {f"blobs/print-jobs/{KEY}": SHA}
    assert rules.check_members(manifest, extra) == [f"blobs/print-jobs/{KEY}: not in the manifest"]


def test_a_blob_whose_key_and_sum_disagree_is_refused() -> None:
    manifest = _manifest(**{f"blobs/evidence/{KEY}": "d" * 64})
    found = {"database.sqlite3": "1" * 64, f"blobs/evidence/{KEY}": "d" * 64}
    assert rules.check_members(manifest, found) == [
        f"blobs/evidence/{KEY}: listed as included but not in the archive"
    ]


def test_another_format_is_refused() -> None:
    with pytest.raises(rules.ManifestError, match="not a zi-tracker-backup archive"):
        rules.Manifest.from_json('{"format": "tar", "version": 1}')
    with pytest.raises(rules.ManifestError, match="unreadable"):
        rules.Manifest.from_json("{not json")


def test_a_restore_is_refused_unless_the_instance_is_empty() -> None:
    fresh = {"alembic_version": 1, "audit_head": 0, "users": 0}
    assert rules.refusal(fresh, []) is None
    reason = rules.refusal(fresh | {"users": 3}, ["evidence"])
    assert reason is not None
    assert "the database has rows (in users)" in reason
    assert "the blob store holds files (evidence)" in reason
