"""Framework versions in the database: same file no-op, changed file a new version (D1)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from tracker.lke import FrameworkError, framework_path
from tracker.lke.models import LkeFramework
from tracker.lke.services import framework_of, latest_version, sync_framework


def test_loading_the_same_file_twice_is_a_no_op(session) -> None:
    first, created = sync_framework(session)
    again, created_again = sync_framework(session)
    assert created and first.version == 1
    assert created_again is False and again.id == first.id
    assert session.scalar(select(func.count()).select_from(LkeFramework)) == 1


def test_a_changed_file_becomes_a_new_version_and_the_old_one_stays(
    session, tmp_path: Path
) -> None:
    old, _ = sync_framework(session)
    old_sha, old_definition = old.sha256, dict(old.definition)
    data = yaml.safe_load(framework_path("lke-2021").read_bytes())
    data["version_note"] = data["version_note"] + " Koreksi redaksional."
    changed = tmp_path / "lke-2021.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    new, created = sync_framework(session, changed)
    assert created and new.version == old.version + 1 and new.sha256 != old_sha
    session.expire_all()
    assert session.get(LkeFramework, old.id).definition == old_definition
    assert latest_version(session).id == new.id
    assert framework_of(new).code == framework_of(old).code == "lke-2021"


def test_an_invalid_file_is_refused_and_nothing_is_stored(session, tmp_path: Path) -> None:
    data = yaml.safe_load(framework_path("lke-2021").read_bytes())
    data["components"][0]["weight"] = "61"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    with pytest.raises(FrameworkError):
        sync_framework(session, broken)
    assert session.scalar(select(func.count()).select_from(LkeFramework)) == 0


def test_the_revised_d4_file_is_a_new_version_and_the_old_one_reads_the_same(
    session, tmp_path: Path
) -> None:
    """The file before revised D4 had no ``zero_denominator`` keys (stored as version 1 where it
    was loaded). Syncing the regenerated file adds version 2; cycles pinned to version 1 keep
    their framework, and it reads the three "nothing required" items the same way (D1, D4)."""
    data = yaml.safe_load(framework_path("lke-2021").read_bytes())
    legacy = copy.deepcopy(data)
    for item in _percent_items(legacy):
        item["formula"].pop("zero_denominator")
    before = tmp_path / "lke-2021.yaml"
    before.write_text(yaml.safe_dump(legacy, allow_unicode=True, sort_keys=False))
    old, _ = sync_framework(session, before)
    new, created = sync_framework(session)
    assert created and (old.version, new.version) == (1, 2)
    assert latest_version(session).id == new.id
    readings = [
        {i.code: i.formula for i in framework_of(row).items() if i.formula is not None}
        for row in (old, new)
    ]
    assert readings[0] == readings[1]
    assert sorted(c for c, f in readings[0].items() if f.may_find_nothing_required) == [
        "A.II.3.iii.a",
        "A.II.5.ii.a",
        "A.II.5.iii.a.1",
        "A.II.5.iii.b.1",
    ]


def _percent_items(node: object) -> list[dict]:
    if isinstance(node, dict):
        own = [node] if node.get("answer_type") == "percent" else []
        return own + [i for value in node.values() for i in _percent_items(value)]
    if isinstance(node, list):
        return [i for value in node for i in _percent_items(value)]
    return []
