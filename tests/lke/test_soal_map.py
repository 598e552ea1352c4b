"""PortalRB's question ids on the framework (issue 12): every item and count input carries its
``soal_id``, ``Framework.soal_map()`` answers where a soal lives, from the bundled file and from
a stored version alike (older stored versions say ``portalrb_id``)."""

from __future__ import annotations

import copy

import pytest
import yaml

from tests.lke.agency import master
from tracker.errors import NotFoundError
from tracker.lke.framework import (
    AnswerType,
    Framework,
    FrameworkError,
    framework_path,
    parse_framework,
)
from tracker.lke.services import framework_of, sync_framework
from tracker.lke.worksheet.portalrb import master_cells


def _definition() -> dict:
    return yaml.safe_load(framework_path("lke-2021").read_bytes())


def test_the_map_matches_master_cells_on_the_real_list(framework: Framework) -> None:
    data = master()  # skips, saying why, without ../shared
    cells = master_cells(data, framework)
    every = {soal["id"] for soal in _soals(data["data"])}
    assert len(every) == data["total_soal"] == 127
    soal_map = framework.soal_map()
    assert set(soal_map) == every  # all 127 mapped, nothing else
    assert {c.soal_id: (c.code, c.input_key) for c in cells} == soal_map


def test_the_map_covers_every_item_and_every_typed_count(framework: Framework) -> None:
    soal_map, reverse = framework.soal_map(), framework.soal_ids()
    assert len(soal_map) == len(reverse) == 127
    for item in framework.items():
        if item.answer_type is AnswerType.PERCENT:
            assert item.soal_id is None
            for row in item.rows:
                assert (row.soal_id is None) == row.derived, (item.code, row.key)
                if row.soal_id is not None:
                    assert soal_map[row.soal_id] == (item.code, row.key)
        else:
            assert item.soal_id is not None and soal_map[item.soal_id] == (item.code, None)
    assert soal_map[1] == ("A.I.1.i.a", None) and reverse[("A.I.1.i.a", None)] == 1
    assert soal_map[88] == ("A.II.1.i.a", "agen_perubahan")
    assert soal_map[127] == ("B.II.a", None)
    assert framework.soal(105).code == "A.II.4.i.a"
    with pytest.raises(NotFoundError, match="9999"):
        framework.soal(9999)


def test_a_stored_version_with_the_older_key_maps_the_same(session, framework: Framework) -> None:
    """Versions stored before issue 12 call the id ``portalrb_id`` (and had it on items and
    count inputs): the accessor reads them the same."""
    legacy = _definition()
    for entry in _entries(legacy):
        entry["portalrb_id"] = entry.pop("soal_id")
    assert parse_framework(legacy).soal_map() == framework.soal_map()
    row, _created = sync_framework(session)
    assert framework_of(row).soal_map() == framework.soal_map()


def test_a_soal_id_used_twice_is_refused() -> None:
    data = _definition()
    entries = _entries(data)
    entries[1]["soal_id"] = entries[0]["soal_id"]
    with pytest.raises(FrameworkError, match="soal_id 1"):
        parse_framework(data)


@pytest.mark.parametrize("value", ["satu", 0, -3, True, 1.5])
def test_a_soal_id_that_is_no_positive_integer_is_refused(value: object) -> None:
    data = copy.deepcopy(_definition())
    _entries(data)[0]["soal_id"] = value
    with pytest.raises(FrameworkError, match="soal_id"):
        parse_framework(data)


def _entries(node: object) -> list[dict]:
    """Every mapping in the definition that carries a soal id, in file order."""
    if isinstance(node, dict):
        own = [node] if "soal_id" in node else []
        return own + [e for value in node.values() for e in _entries(value)]
    if isinstance(node, list):
        return [e for value in node for e in _entries(value)]
    return []


def _soals(nodes: list) -> list[dict]:
    found = []
    for node in nodes:
        found.extend(node.get("soals") or [])
        found.extend(_soals(node.get("children") or []))
    return found
