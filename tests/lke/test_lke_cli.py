"""``flask lke score`` and ``flask lke worksheet``: JSON shape, exit codes and messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.lke.helpers import perfect_answers
from tracker.lke.cli import lke_cli
from tracker.lke.framework import Framework
from tracker.lke.report import score_file
from tracker.lke.worksheet import read_worksheet, write_worksheet


def run(*args: str) -> Result:
    return CliRunner().invoke(lke_cli, list(args))


def answers_file(tmp_path: Path, answers: Any, name: str = "answers.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"answers": answers}), encoding="utf-8")
    return path


def test_score_prints_the_documented_json(tmp_path: Path) -> None:
    path = answers_file(tmp_path, {"A.I.1.i.a": "Ya", "A.II.4.i.a": [5, 3], "B.I.a": 3.61})
    result = run("score", str(path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {
        "total",
        "pengungkit",
        "hasil",
        "pemenuhan",
        "reform",
        "areas",
        "completeness",
        "eligibility",
        "warnings",
    } <= set(data)
    assert data["total"] == 17.49375  # 0.50 + 0.6 x 2.00 + 3.61 / 4 x 17.50
    assert (data["pengungkit"], data["hasil"]) == (1.7, 15.79375)
    assert (data["pemenuhan"], data["reform"]) == (0.5, 1.2)
    assert list(data["areas"]) == ["1", "2", "3", "4", "5", "6"]
    assert data["areas"]["4"] == {
        "name": "Penguatan Akuntabilitas",
        "name_en": "Performance accountability",
        "weight": 10.0,
        "pemenuhan": 0.0,
        "reform": 1.2,
        "total": 1.2,
        "percent": 12.0,
    }
    assert data["completeness"]["answered"] == 3 and data["completeness"]["total"] == 113
    assert set(data["eligibility"]) == {"WBK", "WBBM"}
    wbk = data["eligibility"]["WBK"]
    assert wbk["eligible"] is False
    area_5 = next(r for r in wbk["rules"] if r["id"] == "area_5")
    assert area_5 == {
        "id": "area_5",
        "label": "Penguatan Pengawasan",
        "label_en": "Internal oversight",
        "metric": "area_ratio:5",
        "unit": "percent",
        "value": 0.0,
        "threshold": 60.0,
        "passed": False,
        "shortfall": 60.0,
        "near_threshold": False,
        "message": "Penguatan Pengawasan 0,00 % dari bobot, minimal 60,00 %",
    }
    assert data["items"]["A.II.4.i.a"] == {"value": 0.6, "score": None, "flags": []}


def test_numbers_keep_full_precision(tmp_path: Path) -> None:
    path = answers_file(tmp_path, {"A.I.1.ii.a": "Ya", "A.I.1.ii.b": "C", "A.I.1.ii.c": "A"})
    data = json.loads(run("score", str(path)).stdout)
    assert data["total"] == pytest.approx(2 / 3, abs=1e-12)
    assert str(data["total"]).startswith("0.666666666")


def test_a_perfect_lke_is_eligible_with_has_wbk(tmp_path: Path, framework: Framework) -> None:
    path = answers_file(tmp_path, perfect_answers(framework))
    without = json.loads(run("score", str(path)).stdout)
    assert without["total"] == 100.0
    assert without["eligibility"]["WBK"]["eligible"] is True
    assert without["eligibility"]["WBBM"]["eligible"] is False
    assert without["warnings"] == []
    with_wbk = json.loads(run("score", str(path), "--has-wbk").stdout)
    assert with_wbk["eligibility"]["WBBM"]["eligible"] is True


def test_warnings_carry_flags_and_unanswered_items(tmp_path: Path) -> None:
    path = answers_file(tmp_path, {"A.II.5.ii.a": [0, 0, 0]})
    warnings = json.loads(run("score", str(path)).stdout)["warnings"]
    assert [(w["kind"], w["code"]) for w in warnings] == [
        ("zero_denominator_nothing_required", "A.II.5.ii.a"),
        ("unanswered", None),
    ]
    assert warnings[1]["message"] == (
        "112 butir belum dijawab; unit belum dapat diajukan ke TPI (D3)"
    )


def test_score_reads_an_official_worksheet(tmp_path: Path, framework: Framework) -> None:
    path = tmp_path / "lke.xlsx"
    path.write_bytes(write_worksheet(framework, perfect_answers(framework)))
    result = run("score", str(path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == 100.0
    assert [w["kind"] for w in data["warnings"]] == ["no_cached_values"]


def test_worksheet_command_writes_a_filled_sheet(tmp_path: Path, framework: Framework) -> None:
    source = answers_file(tmp_path, {"A.I.1.i.a": "Tidak"})
    output = tmp_path / "out.xlsx"
    result = run("worksheet", str(output), "--answers", str(source))
    assert result.exit_code == 0, result.output
    assert read_worksheet(output, framework).answers == {"A.I.1.i.a": "Tidak"}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"Z.1": "Ya"}, "Butir Z.1 tidak dikenal dalam kerangka lke-2021"),
        ({"A.I.1.i.a": "B"}, "Butir A.I.1.i.a: jawaban B tidak termasuk pilihan Ya/Tidak"),
        (
            {"A.II.4.i.a": [5, -1]},
            "Butir A.II.4.i.a: Jumlah Sasaran Kinerja yang tercapai 100% "
            "atau lebih harus bilangan bulat tidak negatif, bukan -1",
        ),
        ({"B.I.a": 3.605}, "Butir B.I.a: nilai indeks survei paling banyak dua desimal"),
    ],
)
def test_bad_answers_exit_non_zero_naming_the_code(
    tmp_path: Path, answers: dict[str, Any], message: str
) -> None:
    result = run("score", str(answers_file(tmp_path, answers)))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr


def test_bad_worksheet_answer_names_the_row(tmp_path: Path, framework: Framework) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "lke.xlsx"
    path.write_bytes(write_worksheet(framework, {"A.I.1.i.b": "A"}))
    wb = load_workbook(path)
    wb["LKE ZI"]["K11"] = "Z"
    wb.save(path)
    result = run("score", str(path))
    assert result.exit_code == 1
    assert "Baris 11: Butir A.I.1.i.b: jawaban Z tidak termasuk pilihan A/B/C" in result.stderr


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("lke.xlsx", b"this is not a zip", "Berkas bukan buku kerja Excel (.xlsx)"),
        ("answers.json", b"{not json", "Berkas answers.json bukan JSON yang sah"),
        ("answers.json", b'{"jawaban": {}}', 'harus berisi objek {"answers": {...}}'),
        ("answers.csv", b"a,b", "Jenis berkas answers.csv tidak didukung"),
    ],
)
def test_unreadable_files_exit_non_zero(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("score", str(path))
    assert result.exit_code == 1
    assert message in result.stderr


def test_missing_file_and_unknown_framework(tmp_path: Path) -> None:
    missing = run("score", str(tmp_path / "nope.json"))
    assert missing.exit_code == 1 and "tidak ditemukan" in missing.stderr
    path = answers_file(tmp_path, {})
    unknown = run("score", str(path), "--framework", "lke-1999")
    assert unknown.exit_code == 1
    assert "Kerangka LKE lke-1999 tidak ditemukan" in unknown.stderr


def test_score_file_is_the_same_as_the_cli(tmp_path: Path) -> None:
    path = answers_file(tmp_path, {"B.I.b": "B"})
    assert score_file(path) == json.loads(run("score", str(path)).stdout)


def test_the_documented_answers_example_scores(tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "lke-framework.md"
    block = docs.read_text(encoding="utf-8").split("```json\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.json"
    path.write_text(block, encoding="utf-8")
    result = run("score", str(path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["completeness"]["answered"] == 8
    assert data["items"]["A.II.5.iii.a.1"]["value"] == 1.0
    assert data["items"]["B.II.a"]["score"] == 15.09375
