"""The lke-2021 definition file and the loader's validation (D1)."""

from __future__ import annotations

import copy
import hashlib
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from tracker.errors import NotFoundError
from tracker.lke.framework import (
    AnswerType,
    FormulaKind,
    Framework,
    FrameworkError,
    ZeroDenominator,
    framework_path,
    load_framework_file,
    parse_framework,
)

RAW = yaml.safe_load(framework_path("lke-2021").read_bytes())


def _data() -> dict[str, Any]:
    return copy.deepcopy(RAW)


def _first_item(data: dict[str, Any]) -> dict[str, Any]:
    return data["components"][0]["parts"][0]["areas"][0]["sub_areas"][0]["items"][0]


def _item(data: dict[str, Any], code: str) -> dict[str, Any]:
    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if node.get("code") == code:
                return node
            node = list(node.values())
        if isinstance(node, list):
            for child in node:
                if (found := walk(child)) is not None:
                    return found
        return None

    return walk(data)


def test_lke_2021_has_110_enabler_items_and_3_results(framework: Framework) -> None:
    items = list(framework.items())
    assert len(items) == 113
    assert sum(1 for i in items if i.code.startswith("A.")) == 110
    assert [i.code for i in items if i.code.startswith("B.")] == ["B.I.a", "B.I.b", "B.II.a"]
    assert Counter(i.answer_type for i in items) == {
        AnswerType.ABC: 36,
        AnswerType.ABCD: 33,
        AnswerType.YA_TIDAK: 17,
        AnswerType.ABCDE: 17,
        AnswerType.PERCENT: 8,
        AnswerType.SURVEY_INDEX: 2,
    }


def test_top_level_weights_follow_the_regulation(framework: Framework) -> None:
    pengungkit, hasil = framework.components
    assert (pengungkit.code, pengungkit.weight, hasil.code, hasil.weight) == ("A", 60, "B", 40)
    assert [(p.code, p.weight) for p in pengungkit.parts] == [("A.I", 30), ("A.II", 30)]
    assert [(p.code, p.weight) for p in hasil.parts] == [
        ("B.I", Decimal("22.5")),
        ("B.II", Decimal("17.5")),
    ]
    areas = [(a.code, a.weight) for a in pengungkit.parts[0].areas]
    assert areas == [
        ("A.I.1", 4),
        ("A.I.2", Decimal("3.5")),
        ("A.I.3", 5),
        ("A.I.4", 5),
        ("A.I.5", Decimal("7.5")),
        ("A.I.6", 5),
    ]


def test_results_items_carry_their_own_weight(framework: Framework) -> None:
    assert framework.item("B.I.a").weight == Decimal("17.5")
    assert framework.item("B.I.a").answer_type is AnswerType.SURVEY_INDEX
    assert framework.item("B.I.b").weight == 5
    assert framework.item("B.I.b").answer_type is AnswerType.ABCDE
    assert framework.item("B.II.a").weight == Decimal("17.5")
    assert framework.item("A.I.1.i.a").weight is None


def test_multipliers_are_the_official_literals(framework: Framework) -> None:
    """D2: 0.67/0.33, not exact thirds."""
    abcd = framework.item("A.I.1.iii.a")
    assert [(o.key, o.multiplier) for o in abcd.options] == [
        ("A", 1),
        ("B", Decimal("0.67")),
        ("C", Decimal("0.33")),
        ("D", 0),
    ]
    assert [o.multiplier for o in framework.item("A.I.2.i.b").options] == [
        1,
        Decimal("0.75"),
        Decimal("0.5"),
        Decimal("0.25"),
        0,
    ]
    assert [o.multiplier for o in framework.item("A.I.1.i.b").options] == [1, Decimal("0.5"), 0]
    assert [(o.key, o.multiplier) for o in framework.item("A.I.1.i.a").options] == [
        ("Ya", 1),
        ("Tidak", 0),
    ]


def test_items_keep_the_regulation_wording_and_an_english_gloss(framework: Framework) -> None:
    item = framework.item("A.I.1.i.b")
    assert item.text == "Penentuan anggota Tim dipilih melalui prosedur/mekanisme yang jelas"
    assert item.text_en == "Team members chosen through a clear procedure"
    assert item.criteria.startswith("a. Jika dengan prosedur/mekanisme yang jelas")
    assert item.options[2].label == "Jika tidak di seleksi."
    assert all(i.text and i.text_en for i in framework.items())


def test_every_item_lists_evidence_with_the_first_document_required(framework: Framework) -> None:
    for item in framework.items():
        assert item.documents, item.code
        assert item.documents[0].required, item.code
        assert all(d.title and d.title_en for d in item.documents), item.code
    first = framework.item("A.I.1.i.a").documents[0]
    assert (first.title, first.title_en) == (
        "SK Tim Kerja Pembangunan ZI",
        "Team decree (SK Tim Kerja ZI)",
    )


def test_percent_items_have_inputs_in_worksheet_order_and_a_formula(framework: Framework) -> None:
    item = framework.item("A.II.5.ii.a")
    assert [i.key for i in item.inputs] == [
        "harus_ditindaklanjuti",
        "sedang_diproses",
        "selesai_ditindaklanjuti",
    ]
    assert item.formula.kind is FormulaKind.COMPLAINTS
    assert item.formula.numerator == ("selesai_ditindaklanjuti",)
    assert item.formula.denominator == ("harus_ditindaklanjuti",)
    discipline = framework.item("A.II.3.iii.a").formula
    assert discipline.kind is FormulaKind.DECREASE
    assert (discipline.previous, discipline.current) == (
        "pelanggaran_tahun_lalu",
        "pelanggaran_tahun_ini",
    )


PERCENT_CODES = [
    "A.II.1.i.a",
    "A.II.1.i.b",
    "A.II.3.iii.a",
    "A.II.4.i.a",
    "A.II.5.ii.a",
    "A.II.5.iii.a.1",
    "A.II.5.iii.b.1",
    "A.II.6.i.b",
]
# Revised D4: complaints, LHKPN/LHKASN and discipline may find nothing required.
NOTHING_REQUIRED = {"A.II.3.iii.a", "A.II.5.ii.a", "A.II.5.iii.a.1", "A.II.5.iii.b.1"}


def _without_zero_denominator(data: dict[str, Any]) -> dict[str, Any]:
    """The file as written before revised D4 (stored lke-2021 version 1)."""
    for code in PERCENT_CODES:
        _item(data, code)["formula"].pop("zero_denominator")
    return data


def test_the_file_declares_each_percent_item_s_zero_denominator_reading() -> None:
    """D1: whether an item may find nothing required is data, written out on every % item."""
    declared = {code: _item(_data(), code)["formula"]["zero_denominator"] for code in PERCENT_CODES}
    assert declared == {
        code: "nothing_required" if code in NOTHING_REQUIRED else "error" for code in PERCENT_CODES
    }


def test_a_file_that_does_not_say_gets_each_kind_s_reading(framework: Framework) -> None:
    """Files written before revised D4 read the same: obliged groups (sum_ratio), complaints and
    violations (decrease) may find nothing required; a plain ratio may not."""
    legacy = parse_framework(_without_zero_denominator(_data()))
    for code in PERCENT_CODES:
        assert legacy.item(code).formula == framework.item(code).formula, code
        assert legacy.item(code).formula.zero_denominator is (
            ZeroDenominator.NOTHING_REQUIRED if code in NOTHING_REQUIRED else ZeroDenominator.ERROR
        )


def test_the_zero_denominator_reading_must_be_known() -> None:
    _breaks(
        lambda d: _item(d, "A.II.4.i.a")["formula"].update(zero_denominator="ignore"),
        r"A\.II\.4\.i\.a: nilai zero_denominator ignore tidak dikenal",
    )


def test_a_new_version_may_let_another_item_find_nothing_required() -> None:
    """D1: moving an item between the readings is a data change, no code."""
    data = _data()
    _item(data, "A.II.4.i.a")["formula"]["zero_denominator"] = "nothing_required"
    _item(data, "A.II.5.ii.a")["formula"]["zero_denominator"] = "error"
    framework = parse_framework(data)
    assert framework.item("A.II.4.i.a").formula.may_find_nothing_required
    assert not framework.item("A.II.5.ii.a").formula.may_find_nothing_required


def test_lhkpn_shows_a_derived_total_row_and_four_inputs(framework: Framework) -> None:
    item = framework.item("A.II.5.iii.a.1")
    assert [r.key for r in item.rows] == [
        "wajib_total",
        "kepala_satker",
        "pejabat_wajib",
        "lainnya",
        "sudah_melaporkan",
    ]
    assert item.rows[0].sum_of == ("kepala_satker", "pejabat_wajib", "lainnya")
    assert len(item.inputs) == 4
    assert item.formula.kind is FormulaKind.SUM_RATIO


def test_repeated_count_is_linked_to_its_twin(framework: Framework) -> None:
    assert framework.item("A.II.1.i.b").inputs[0].same_as == "A.II.1.i.a/perubahan_dibuat"


def test_survey_items_record_provenance(framework: Framework) -> None:
    """D7: source, period, respondents, report."""
    for code in ("B.I.a", "B.II.a"):
        fields = [(f.key, f.type) for f in framework.item(code).provenance]
        assert fields == [
            ("source", "text"),
            ("period", "text"),
            ("respondents", "integer"),
            ("report", "document"),
        ]


def test_rule_block_holds_the_thresholds(framework: Framework) -> None:
    eligibility = framework.eligibility
    assert eligibility.area_floor_mode == "combined"
    assert eligibility.near_threshold == Decimal("0.005")
    wbk = {r.id: (r.metric, r.threshold) for r in eligibility.predicate("WBK").rules}
    wbbm = {r.id: (r.metric, r.threshold) for r in eligibility.predicate("WBBM").rules}
    assert wbk["total"] == ("total", 75) and wbbm["total"] == ("total", 85)
    assert wbk["pengungkit"] == ("component:A", 40) and wbbm["pengungkit"][1] == 48
    assert wbk["area_5"] == ("area_ratio:5", 60) and wbbm["area_5"][1] == 75
    assert wbk["ipak"] == ("item:B.I.a", Decimal("15.75")) == wbbm["ipak"]
    assert wbk["capaian"][1] == Decimal("2.50") and wbbm["capaian"][1] == Decimal("3.75")
    assert wbk["bersih"][1] == Decimal("18.25") and wbbm["bersih"][1] == Decimal("19.50")
    assert wbk["pelayanan"][1] == 14 and wbbm["pelayanan"][1] == Decimal("15.75")
    assert "wbk_aktif" not in wbk and wbbm["wbk_aktif"] == ("active_wbk", 1)
    with pytest.raises(NotFoundError):
        eligibility.predicate("WBBBM")


def test_item_lookup_and_worksheet_order(framework: Framework) -> None:
    codes = [i.code for i in framework.items()]
    assert codes[:3] == ["A.I.1.i.a", "A.I.1.i.b", "A.I.1.ii.a"]
    assert codes.index("A.II.5.iii.a.1") + 1 == codes.index("A.II.5.iii.b.1")
    assert framework.item("A.II.4.i.a").text == "Persentase Sasaran dengan capaian 100% atau lebih"
    with pytest.raises(NotFoundError, match=r"A\.9\.z"):
        framework.item("A.9.z")


def test_loader_hashes_the_raw_bytes(tmp_path: Path) -> None:
    source = framework_path("lke-2021")
    loaded = load_framework_file(source)
    assert loaded.raw_bytes == source.read_bytes()
    assert loaded.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert loaded.framework.code == "lke-2021"


@pytest.mark.parametrize("code", ["lke-1999", "../../etc/passwd", "LKE 2021", ""])
def test_unknown_or_unsafe_framework_codes_are_not_found(code: str) -> None:
    with pytest.raises(NotFoundError):
        framework_path(code)


def test_not_yaml_is_a_framework_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(FrameworkError, match=r"bad\.yaml"):
        load_framework_file(path)


def _breaks(mutate: Any, match: str) -> None:
    data = _data()
    mutate(data)
    with pytest.raises(FrameworkError, match=match):
        parse_framework(data)


def test_sub_area_weights_must_add_up_to_the_area() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["components"][0]["parts"][0]["areas"][0]["sub_areas"][0]["weight"] = "0.6"

    _breaks(mutate, r"A\.I\.1: jumlah bobot bagiannya 4\.1, seharusnya 4")


def test_components_must_add_up_to_100() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["components"][1]["weight"] = "41"
        data["components"][1]["parts"][0]["weight"] = "23.5"
        data["components"][1]["parts"][0]["items"][1]["weight"] = "6"

    _breaks(mutate, "lke-2021: jumlah bobot bagiannya 101")


def test_nested_sub_areas_must_add_up_to_their_parent() -> None:
    _breaks(lambda d: _item(d, "A.II.5.iii.b").update(weight="1.5"), r"A\.II\.5\.iii")


def test_codes_must_be_unique() -> None:
    _breaks(lambda d: _item(d, "A.I.1.i.b").update(code="A.I.1.i.a"), r"A\.I\.1\.i\.a.*lebih dari")


def test_every_option_needs_a_multiplier() -> None:
    _breaks(lambda d: _first_item(d)["options"][0].pop("multiplier"), "pilihan Ya tidak memiliki")


@pytest.mark.parametrize("value", ["1.5", "-0.1"])
def test_multipliers_must_lie_within_0_and_1(value: str) -> None:
    _breaks(lambda d: _first_item(d)["options"][1].update(multiplier=value), "antara 0 dan 1")


def test_options_must_match_the_answer_type() -> None:
    _breaks(lambda d: _first_item(d).update(answer_type="abc"), r"A\.I\.1\.i\.a: pilihan")


def test_percent_items_need_inputs_and_a_known_formula() -> None:
    _breaks(lambda d: _item(d, "A.II.4.i.a").pop("inputs"), r"A\.II\.4\.i\.a: butir persen")
    _breaks(lambda d: _item(d, "A.II.4.i.a")["formula"].update(kind="median"), "median")
    _breaks(lambda d: _item(d, "A.II.4.i.a")["formula"].update(numerator=["nope"]), "nope")


def test_rules_must_use_known_metrics() -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["eligibility"]["predicates"][0]["rules"][0]["metric"] = "part:C.I"

    _breaks(mutate, "WBK/total")


def test_area_floor_mode_must_be_known() -> None:
    _breaks(lambda d: d["eligibility"].update(area_floor_mode="per_item"), "per_item")


def test_same_as_must_point_at_an_existing_input() -> None:
    def mutate(data: dict[str, Any]) -> None:
        _item(data, "A.II.1.i.b")["inputs"][0]["same_as"] = "A.II.1.i.a/nothing"

    _breaks(mutate, "A.II.1.i.a/nothing")


def test_missing_required_field_names_the_code() -> None:
    _breaks(lambda d: _first_item(d).pop("text"), r"A\.I\.1\.i\.a: kolom text wajib diisi")


def test_a_new_regulation_version_is_just_another_file(tmp_path: Path) -> None:
    """D1: renaming the code and moving a threshold needs no code change."""
    data = _data()
    data["code"] = "lke-2099"
    data["eligibility"]["predicates"][0]["rules"][0]["threshold"] = "80"
    path = tmp_path / "lke-2099.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    framework = load_framework_file(path).framework
    assert framework.code == "lke-2099"
    assert framework.eligibility.predicate("WBK").rules[0].threshold == 80
