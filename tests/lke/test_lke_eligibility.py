"""Predicate verdicts (D9): every rule with value, threshold, pass/fail, shortfall and D6 flags."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from tests.lke.helpers import perfect_answers, scored
from tracker.errors import NotFoundError, ValidationError
from tracker.lke.eligibility import RuleResult, RuleUnit, Verdict, evaluate
from tracker.lke.framework import Framework
from tracker.lke.report import describe_rule, format_decimal_id
from tracker.lke.scoring import GroupResult

D = Decimal


def at_wbk_thresholds(framework: Framework) -> dict[str, Any]:
    """An LKE that meets every WBK floor exactly: total 75.00, results 15.75 / 2.50 / 14.00,
    enablers 42.75 (17.25 points taken out of the reform half, no area below 60 %)."""
    answers = perfect_answers(framework)
    answers.update(
        {
            "B.I.a": "3.60",
            "B.I.b": "C",
            "B.II.a": "3.20",
            "A.II.5.ii.a": [10, 0, 0],
            "A.II.5.i.a": "E",  # area 5: -5.50 of 15
            "A.II.4.i.a": [5, 0],
            "A.II.4.ii.a": "D",  # area 4: -3.50 of 10
            "A.II.3.iii.a": [1, 1, 0],
            "A.II.3.i.a": "B",  # area 3: -2.75 of 10
            "A.II.6.ii.a": "D",  # area 6: -2.50 of 10
            "A.II.1.ii.a": "E",
            "A.II.1.iii.a": "D",  # area 1: -2.00 of 8
            "A.II.2.i.a": "D",
            "A.II.2.ii.a": "B",
            "A.II.2.ii.b": "B",  # area 2: -1.00 of 7
        }
    )
    return answers


def verdict(
    framework: Framework, answers: dict[str, Any], predicate: str = "WBK", **kwargs: Any
) -> Verdict:
    kwargs.setdefault("has_active_wbk", False)
    return evaluate(framework, scored(framework, answers), predicate, **kwargs)


def rule(result: Verdict, rule_id: str) -> RuleResult:
    return next(r for r in result.rules if r.id == rule_id)


def test_a_perfect_lke_is_eligible_for_both_predicates(framework: Framework) -> None:
    perfect = perfect_answers(framework)
    assert verdict(framework, perfect, "WBK").eligible
    assert verdict(framework, perfect, "WBBM", has_active_wbk=True).eligible


def test_every_rule_is_listed_in_order(framework: Framework) -> None:
    result = verdict(framework, perfect_answers(framework), "WBBM", has_active_wbk=True)
    assert [r.id for r in result.rules] == [
        "total",
        "pengungkit",
        "area_1",
        "area_2",
        "area_3",
        "area_4",
        "area_5",
        "area_6",
        "bersih",
        "ipak",
        "capaian",
        "pelayanan",
        "wbk_aktif",
    ]
    assert rule(result, "area_5").unit is RuleUnit.PERCENT
    assert rule(result, "area_5").value == 100
    assert rule(result, "total").unit is RuleUnit.POINTS
    assert rule(result, "wbk_aktif").unit is RuleUnit.FLAG


def test_exactly_at_every_wbk_threshold_passes(framework: Framework) -> None:
    """D6: full-precision comparison, a total of exactly 75.00 passes."""
    result = verdict(framework, at_wbk_thresholds(framework))
    assert result.eligible, [describe_rule(r) for r in result.failed]
    values = {r.id: r.value for r in result.rules}
    assert values["total"] == 75
    assert values["pengungkit"] == D("42.75")
    assert values["ipak"] == D("15.75") and values["capaian"] == D("2.5")
    assert values["bersih"] == D("18.25") and values["pelayanan"] == 14
    assert values["area_1"] == 75 and values["area_4"] == 65
    near = {r.id for r in result.rules if r.near_threshold}
    assert near == {"total", "bersih", "ipak", "capaian", "pelayanan"}
    assert all(r.shortfall == 0 for r in result.rules)


def test_a_total_just_under_75_fails_with_its_shortfall(framework: Framework) -> None:
    answers = at_wbk_thresholds(framework) | {"B.II.a": "3.19"}
    result = verdict(framework, answers)
    assert not result.eligible
    assert [r.id for r in result.failed] == ["total", "pelayanan"]
    total = rule(result, "total")
    assert (total.value, total.shortfall, total.passed) == (D("74.95625"), D("0.04375"), False)
    assert rule(result, "pelayanan").shortfall == D("0.04375")


@pytest.mark.parametrize(("index", "passed"), [("3.60", True), ("3.59", False), ("4", True)])
def test_ipak_3_60_passes_and_3_59_fails(framework: Framework, index: str, passed: bool) -> None:
    answers = perfect_answers(framework) | {"B.I.a": index}
    for predicate in ("WBK", "WBBM"):
        ipak = rule(verdict(framework, answers, predicate, has_active_wbk=True), "ipak")
        assert ipak.passed is passed
        assert ipak.shortfall == (0 if passed else D("0.04375"))


def test_ipak_3_45_fails_both_predicates_whatever_the_total(framework: Framework) -> None:
    """§2.2 worked example: 15.09 < 15.75."""
    answers = perfect_answers(framework) | {"B.I.a": "3.45"}
    for predicate in ("WBK", "WBBM"):
        result = verdict(framework, answers, predicate, has_active_wbk=True)
        assert not result.eligible
        assert [r.id for r in result.failed] == ["ipak"]
        assert rule(result, "total").passed
        assert rule(result, "ipak").shortfall == D("0.65625")


def test_capaian_c_is_enough_for_wbk_but_not_wbbm(framework: Framework) -> None:
    answers = perfect_answers(framework) | {"B.I.b": "C"}
    assert verdict(framework, answers, "WBK").eligible
    wbbm = verdict(framework, answers, "WBBM", has_active_wbk=True)
    assert [r.id for r in wbbm.failed] == ["capaian"]
    assert rule(wbbm, "capaian").shortfall == D("1.25")
    assert rule(wbbm, "bersih").passed  # 17.50 + 2.50 = 20.00 >= 19.50


def test_wbbm_needs_an_active_wbk(framework: Framework) -> None:
    perfect = perfect_answers(framework)
    result = verdict(framework, perfect, "WBBM", has_active_wbk=False)
    assert not result.eligible
    assert [r.id for r in result.failed] == ["wbk_aktif"]
    flag = rule(result, "wbk_aktif")
    assert (flag.value, flag.threshold, flag.shortfall, flag.near_threshold) == (0, 1, 1, False)
    assert describe_rule(flag) == (
        "Telah memperoleh predikat Menuju WBK yang masih berlaku: belum terpenuhi"
    )


def test_area_floor_is_read_on_the_combined_area_by_default(framework: Framework) -> None:
    """D5: area 1 is 75 % combined, but its reform half alone is only 50 %."""
    answers = at_wbk_thresholds(framework)
    combined = verdict(framework, answers)
    assert rule(combined, "area_1").passed
    each = verdict(framework, answers, area_floor_mode="each_half")
    assert rule(each, "area_1.pemenuhan").value == 100
    reform = rule(each, "area_1.reform")
    assert (reform.value, reform.passed, reform.shortfall) == (50, False, 10)
    assert reform.label == "Manajemen Perubahan (Reform)"
    assert len([r for r in each.rules if r.id.startswith("area_")]) == 12
    assert not each.eligible


def test_unknown_mode_or_predicate_is_refused(framework: Framework) -> None:
    report = scored(framework, {})
    with pytest.raises(ValidationError, match="per_item"):
        evaluate(framework, report, "WBK", has_active_wbk=False, area_floor_mode="per_item")
    with pytest.raises(NotFoundError, match="WBX"):
        evaluate(framework, report, "WBX", has_active_wbk=False)


def test_near_threshold_is_within_0_005_either_side(framework: Framework) -> None:
    report = scored(framework, perfect_answers(framework))
    for total, near, passed in [
        ("74.996", True, False),
        ("75.005", True, True),
        ("74.9949", False, False),
        ("75.0051", False, True),
    ]:
        changed = dataclasses.replace(
            report, total=GroupResult("total", D(100), D(total), 113, 113)
        )
        result = rule(evaluate(framework, changed, "WBK", has_active_wbk=False), "total")
        assert (result.near_threshold, result.passed) == (near, passed), total
        assert result.shortfall == (0 if passed else D(75) - D(total))


def test_describe_rule_in_indonesian_number_format() -> None:
    """D9 example message."""
    area = RuleResult(
        "area_5",
        "Penguatan Pengawasan",
        "Internal oversight",
        "area_ratio:5",
        RuleUnit.PERCENT,
        D(52),
        D(60),
        False,
        D(8),
        False,
    )
    assert describe_rule(area) == "Penguatan Pengawasan 52,00 % dari bobot, minimal 60,00 %"
    total = dataclasses.replace(
        area, label="Nilai total", unit=RuleUnit.POINTS, value=D("74.99562"), threshold=D(75)
    )
    assert describe_rule(total) == "Nilai total 75,00, minimal 75,00"


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (D("95.575"), 2, "95,58"),
        (D("1234.5"), 2, "1.234,50"),
        (D("-0.005"), 2, "-0,01"),
        (0, 2, "0,00"),
        (D("1234567.891"), 2, "1.234.567,89"),
        (D("99.5"), 0, "100"),
        (D("0.6666666"), 4, "0,6667"),
        (15.75, 2, "15,75"),
    ],
)
def test_format_decimal_id(value: Any, places: int, text: str) -> None:
    assert format_decimal_id(value, places) == text
