"""A new PortalRB master question list becomes a new framework version (issue 12 point 6, D1).

The list is built here from the stored framework (the ministry's format, every soal_id in its
place), so a fresh clone covers everything; the real 2026 list in ``../shared`` is used too when
it is there (skipped, saying why, otherwise)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.lke.agency import master as real_master
from tracker.audit.models import AuditEvent
from tracker.lke.framework import AnswerType, Framework, get_framework
from tracker.lke.framework.master import MAX_BYTES, ChangeKind, read_master
from tracker.lke.models import LkeFramework
from tracker.lke.services import framework_of, import_master_list, sync_framework

JENIS = {
    AnswerType.YA_TIDAK: "YA_TIDAK",
    AnswerType.ABC: "ABC",
    AnswerType.ABCD: "ABCD",
    AnswerType.ABCDE: "ABCDE",
    AnswerType.SURVEY_INDEX: "0-4",
}


def built_master(framework: Framework) -> dict[str, Any]:
    """The framework as the ministry's master list: groups named with their markers, every
    choice and survey item and every typed count input a soal with its soal_id."""
    soal_map = framework.soal_ids()

    def soals(items: Any, weighted: bool) -> list[dict[str, Any]]:
        found = []
        for item in items:
            if item.answer_type is AnswerType.PERCENT:
                for row in item.inputs:
                    found.append(
                        {
                            "id": soal_map[(item.code, row.key)],
                            "teks_pertanyaan": row.label,
                            "kriteria_nilai": f"{item.text}\n{item.criteria}",
                            "jenis_jawaban": "Jumlah",
                            "bobot_maksimal": 0,
                            "skema_penilaian": [],
                        }
                    )
                continue
            found.append(
                {
                    "id": soal_map[(item.code, None)],
                    "teks_pertanyaan": item.text,
                    "kriteria_nilai": item.criteria,
                    "jenis_jawaban": JENIS[item.answer_type],
                    "bobot_maksimal": float(item.weight) if weighted and item.weight else 0,
                    "skema_penilaian": [
                        {"key": o.key, "label": o.label, "multiplier": float(o.multiplier)}
                        for o in item.options
                    ],
                }
            )
        return found

    def group(code: str, name: str, weight: Decimal, children: list, items: list) -> dict:
        marker = code.rsplit(".", 1)[-1]
        return {
            "nama": f"{marker}. {name}",
            "bobot_maksimal": float(weight),
            "children": children,
            "soals": items,
        }

    def sub_area(node: Any) -> dict:
        kids = [sub_area(child) for child in node.children]
        return group(node.code, node.name, node.weight, kids, soals(node.items, False))

    data = [
        group(
            c.code,
            c.name,
            c.weight,
            [
                group(
                    p.code,
                    p.name,
                    p.weight,
                    [
                        group(a.code, a.name, a.weight, [sub_area(s) for s in a.sub_areas], [])
                        for a in p.areas
                    ],
                    soals(p.items, True),
                )
                for p in c.parts
            ],
            [],
        )
        for c in framework.components
    ]
    return {"tahun": 2027, "total_soal": len(soal_map), "generated_at": "", "data": data}


def walk_soals(nodes: list) -> list[dict]:
    found = []
    for node in nodes:
        found.extend(node.get("soals") or [])
        found.extend(walk_soals(node.get("children") or []))
    return found


def find_group(nodes: list, soal_id: int) -> dict:
    for node in nodes:
        if any(s["id"] == soal_id for s in node.get("soals") or []):
            return node
        try:
            return find_group(node.get("children") or [], soal_id)
        except LookupError:
            continue
    raise LookupError(soal_id)


def edited(master: dict[str, Any], framework: Framework) -> dict[str, Any]:
    """One question reworded (soal 1), one reweighted (an A/B/C question's B scores 0.6), one
    removed (soal 2), one added (soal 9001, A/B/C, in soal 1's sub-area)."""
    master = copy.deepcopy(master)
    soals = {s["id"]: s for s in walk_soals(master["data"])}
    soals[1]["teks_pertanyaan"] = "Unit kerja telah membentuk tim Zona Integritas yang baru"
    abc = reweighted_soal(framework)
    soals[abc]["skema_penilaian"][1]["multiplier"] = 0.6
    group = find_group(master["data"], 1)
    group["soals"] = [s for s in group["soals"] if s["id"] != 2]
    group["soals"].append(
        {
            "id": 9001,
            "teks_pertanyaan": "Tim kerja telah dievaluasi setiap semester",
            "kriteria_nilai": "a. Ya, semua; b. sebagian; c. belum",
            "jenis_jawaban": "ABC",
            "bobot_maksimal": 0,
            "skema_penilaian": [
                {"key": "A", "label": "Semua", "multiplier": 1},
                {"key": "B", "label": "Sebagian", "multiplier": 0.5},
                {"key": "C", "label": "Belum", "multiplier": 0},
            ],
        }
    )
    master["total_soal"] = len(walk_soals(master["data"]))
    return master


def reweighted_soal(framework: Framework) -> int:
    ids = framework.soal_ids()
    return next(
        ids[(i.code, None)]
        for i in framework.items()
        if i.answer_type is AnswerType.ABC and not i.code.startswith("A.I.1.i.")
    )


def expected_report(framework: Framework) -> set[tuple[str, int, str, str]]:
    abc = reweighted_soal(framework)
    return {
        ("reworded", 1, "A.I.1.i.a", "text"),
        ("reweighted", abc, framework.soal(abc).code, "multiplier"),
        ("removed", 2, "A.I.1.i.b", ""),
        ("added", 9001, "A.I.1.i.c", ""),
    }


def to_bytes(master: dict[str, Any]) -> bytes:
    return json.dumps(master, ensure_ascii=False).encode("utf-8")


def versions(session) -> int:
    return session.scalar(select(func.count()).select_from(LkeFramework))


def imports(session) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.tag == "lke:framework:import")
    return list(session.scalars(query))


@pytest.fixture
def stored(session) -> LkeFramework:
    row, _created = sync_framework(session)
    session.commit()  # as `flask db upgrade` leaves it: a dry run's rollback keeps it
    return row


@pytest.fixture(params=["built", "real"])
def source(request, framework: Framework) -> dict[str, Any]:
    """The list built here, and the ministry's own (skipped when ../shared is absent)."""
    return built_master(framework) if request.param == "built" else real_master()


# --- the service ---------------------------------------------------------------------------------


def test_the_same_list_changes_nothing(session, stored, source) -> None:
    row, result = import_master_list(session, read_master(to_bytes(source)))
    assert row is None and not result.changed and result.changes == ()
    assert versions(session) == 1 and imports(session) == []


def test_a_changed_list_is_a_new_version_with_exactly_its_report(
    session, stored, source, framework: Framework
) -> None:
    old_definition = copy.deepcopy(stored.definition)
    master = read_master(to_bytes(edited(source, framework)))
    row, result = import_master_list(session, master, source="/tmp/soal-2027.json")
    assert row is not None and (row.code, row.version) == ("lke-2021", 2)
    assert {(c.kind.value, c.soal_id, c.code, c.field) for c in result.changes} == (
        expected_report(framework)
    )
    new = framework_of(row)
    assert new.soal_map()[9001] == ("A.I.1.i.c", None) and 2 not in new.soal_map()
    assert not new.has_item("A.I.1.i.b") and new.item("A.I.1.i.c").answer_type is AnswerType.ABC
    assert new.item("A.I.1.i.a").text.endswith("yang baru")
    abc = reweighted_soal(framework)
    assert new.item(new.soal(abc).code).option("B").multiplier == Decimal("0.6")
    # every other question keeps its code and soal_id: answers stay linked
    kept = {k: v for k, v in framework.soal_map().items() if k != 2}
    assert {k: v for k, v in new.soal_map().items() if k != 9001} == kept
    assert "follows lke-2021 version 1" in new.version_note
    session.expire_all()
    assert session.get(LkeFramework, stored.id).definition == old_definition  # D1
    (event,) = imports(session)
    assert event.data["version"] == 2 and event.data["previous_version"] == 1
    assert {(c["kind"], c["soal_id"], c["code"]) for c in event.data["changes"]} == {
        (kind, soal, code) for kind, soal, code, _field in expected_report(framework)
    }
    # the same list again is now nothing new
    again, result = import_master_list(session, master)
    assert again is None and not result.changed and versions(session) == 2


def test_a_results_question_reweighted(session, stored, framework: Framework) -> None:
    """B.I.a 17.5 -> 16.5 and B.I.b 5 -> 6: the part still weighs 22.5."""
    master = built_master(framework)
    soals = {s["id"]: s for s in walk_soals(master["data"])}
    ids = framework.soal_ids()
    soals[ids[("B.I.a", None)]]["bobot_maksimal"] = 16.5
    soals[ids[("B.I.b", None)]]["bobot_maksimal"] = 6
    row, result = import_master_list(session, read_master(to_bytes(master)))
    assert row is not None
    assert [(c.kind, c.code, c.before, c.after) for c in result.changes] == [
        (ChangeKind.REWEIGHTED, "B.I.a", "17.5", "16.5"),
        (ChangeKind.REWEIGHTED, "B.I.b", "5", "6"),
    ]
    assert framework_of(row).item("B.I.b").weight == Decimal(6)


def test_a_count_relabelled_and_an_answer_type_changed(
    session, stored, framework: Framework
) -> None:
    master = built_master(framework)
    ids = framework.soal_ids()
    soals = {s["id"]: s for s in walk_soals(master["data"])}
    count = next(k for k in ids if k[0] == "A.II.4.i.a" and k[1] is not None)
    soals[ids[count]]["teks_pertanyaan"] = "Jumlah Sasaran Kinerja Utama"
    abc = reweighted_soal(framework)
    soals[abc]["jenis_jawaban"] = "ABCD"
    soals[abc]["skema_penilaian"] = [
        {"key": k, "label": k, "multiplier": m}
        for k, m in (("A", 1), ("B", 0.67), ("C", 0.33), ("D", 0))
    ]
    row, result = import_master_list(session, read_master(to_bytes(master)))
    assert row is not None
    assert {(c.kind, c.soal_id, c.input_key) for c in result.changes} == {
        (ChangeKind.REWORDED, ids[count], count[1]),
        (ChangeKind.ANSWER_TYPE, abc, None),
    }
    new = framework_of(row)
    assert new.item(framework.soal(abc).code).answer_type is AnswerType.ABCD
    assert {r.key: r.label for r in new.item("A.II.4.i.a").inputs}[count[1]] == (
        "Jumlah Sasaran Kinerja Utama"
    )


# --- the command ---------------------------------------------------------------------------------


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["lke", "framework", "import-portalrb", *args])


def test_the_command_prints_the_report_and_stores_the_version(
    app: Flask, session, stored, tmp_path: Path
) -> None:
    framework = get_framework("lke-2021")
    path = tmp_path / "master-2027.json"
    path.write_bytes(to_bytes(edited(built_master(framework), framework)))
    dry = run(app, str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "soal 9001 (A.I.1.i.c)" in dry.output and "tidak ada yang disimpan" in dry.output
    assert versions(session) == 1 and imports(session) == []
    result = run(app, str(path))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("Soal dihapus" in line and "soal 2 (A.I.1.i.b)" in line for line in lines)
    assert any("Redaksi berubah" in line and "soal 1 (A.I.1.i.a)" in line for line in lines)
    assert any("Bobot berubah" in line for line in lines)
    assert "Versi baru lke-2021 v2 tersimpan: 1 baru, 1 dihapus" in lines[-1]
    assert versions(session) == 2 and len(imports(session)) == 1


def test_the_command_says_when_nothing_changes(app: Flask, session, stored, tmp_path) -> None:
    path = tmp_path / "same.json"
    path.write_bytes(to_bytes(built_master(get_framework("lke-2021"))))
    result = run(app, str(path))
    assert result.exit_code == 0, result.output
    assert "Tidak ada perubahan soal terhadap lke-2021 v1" in result.output
    assert versions(session) == 1 and imports(session) == []


def _bad(framework: Framework) -> dict[str, tuple[bytes, str]]:
    good = built_master(framework)

    def variant(change) -> bytes:
        master = copy.deepcopy(good)
        change(master, {s["id"]: s for s in walk_soals(master["data"])})
        return to_bytes(master)

    def duplicate(master, soals) -> None:
        find_group(master["data"], 1)["soals"].append(copy.deepcopy(soals[1]))

    def new_count(master, soals) -> None:
        extra = copy.deepcopy(
            soals[framework.soal_ids()[("A.II.4.i.a", framework.item("A.II.4.i.a").inputs[0].key)]]
        )
        extra["id"] = 9002
        find_group(master["data"], 1)["soals"].append(extra)
        master["total_soal"] += 1

    def partial(master, soals) -> None:
        gone = framework.soal_ids()[("A.II.4.i.a", framework.item("A.II.4.i.a").inputs[0].key)]
        group = find_group(master["data"], gone)
        group["soals"] = [s for s in group["soals"] if s["id"] != gone]
        master["total_soal"] -= 1

    def moved(master, soals) -> None:
        find_group(master["data"], 1)["soals"].remove(soals[1])
        find_group(master["data"], 3)["soals"].append(soals[1])

    return {
        "not JSON": (b"<html>soal</html>", "bukan JSON"),
        "no data": (b'{"tahun": 2027}', "daftar data"),
        "missing text": (
            variant(lambda m, s: s[1].pop("teks_pertanyaan")),
            "soal 1: kolom teks_pertanyaan",
        ),
        "duplicate soal": (variant(duplicate), "soal 1 muncul lebih dari sekali"),
        "unknown jenis": (
            variant(lambda m, s: s[1].update(jenis_jawaban="SKALA_LIKERT")),
            "jenis_jawaban 'SKALA_LIKERT' tidak dikenal",
        ),
        "too big": (b" " * (MAX_BYTES + 1), "terlalu besar"),
        "new count": (variant(new_count), "soal 9002 (Jumlah) baru"),
        "partial counts": (variant(partial), "butir persen A.II.4.i.a"),
        "moved": (variant(moved), "soal 1 (A.I.1.i.a) pindah"),
        "weights": (
            variant(lambda m, s: s[framework.soal_ids()[("B.I.b", None)]].update(bobot_maksimal=6)),
            "jumlah bobot",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "not JSON",
        "no data",
        "missing text",
        "duplicate soal",
        "unknown jenis",
        "too big",
        "new count",
        "partial counts",
        "moved",
        "weights",
    ],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_changes(
    app: Flask, session, stored, tmp_path: Path, case: str
) -> None:
    data, message = _bad(get_framework("lke-2021"))[case]
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    result = run(app, str(path))
    assert result.exit_code == 1, result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert versions(session) == 1 and imports(session) == []


def test_a_missing_file_is_a_message(app: Flask, session, stored, tmp_path: Path) -> None:
    result = run(app, str(tmp_path / "absent.json"))
    assert result.exit_code == 1 and "tidak dapat dibaca" in result.output
