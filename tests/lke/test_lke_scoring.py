"""The scoring engine: D2-D4, D7 exactly, with Decimal results at full precision."""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

import pytest

from tests.lke.helpers import scored
from tracker.errors import NotFoundError, ValidationError
from tracker.lke.answers import ChoiceAnswer, CountAnswer, IndexAnswer
from tracker.lke.framework import Framework
from tracker.lke.report import score_answers
from tracker.lke.scoring import Flag, score

D = Decimal


def _third(numerator: int | Decimal) -> Decimal:
    with localcontext(prec=40):
        return Decimal(numerator) / 3


def test_worked_example_a_i_1_ii(framework: Framework) -> None:
    """Domain reference §2.2: Ya, C, A -> (1 + 0 + 1) / 3 x 1.00 (PN Serang shows 0,67)."""
    report = scored(framework, {"A.I.1.ii.a": "Ya", "A.I.1.ii.b": "C", "A.I.1.ii.c": "A"})
    result = report.groups["A.I.1.ii"]
    assert result.score == _third(2)
    assert result.score.quantize(D("0.01")) == D("0.67")
    assert (result.answered, result.total, result.completeness) == (3, 3, 1)


def test_worked_example_a_i_2_i(framework: Framework) -> None:
    """§2.2: B (A-D), C (A-E), A (A-E) -> (0.67 + 0.5 + 1) / 3 = 0.7233..."""
    report = scored(framework, {"A.I.2.i.a": "B", "A.I.2.i.b": "C", "A.I.2.i.c": "A"})
    assert report.groups["A.I.2.i"].score == _third(D("2.17"))
    assert str(report.groups["A.I.2.i"].score)[:8] == "0.723333"


def test_worked_example_ipak_3_45(framework: Framework) -> None:
    """§2.2: 3.45 / 4 x 17.50 = 15.09375 (< 15.75)."""
    result = scored(framework, {"B.I.a": 3.45}).items["B.I.a"]
    assert result.value == D("0.8625")
    assert result.score == D("15.09375")


@pytest.mark.parametrize(
    ("code", "answer", "value"),
    [
        ("A.I.1.i.a", "Ya", "1"),
        ("A.I.1.i.a", "Tidak", "0"),
        ("A.I.1.i.b", "A", "1"),
        ("A.I.1.i.b", "B", "0.5"),
        ("A.I.1.i.b", "C", "0"),
        ("A.I.1.iii.a", "A", "1"),
        ("A.I.1.iii.a", "B", "0.67"),
        ("A.I.1.iii.a", "C", "0.33"),
        ("A.I.1.iii.a", "D", "0"),
        ("A.I.2.i.b", "A", "1"),
        ("A.I.2.i.b", "B", "0.75"),
        ("A.I.2.i.b", "C", "0.5"),
        ("A.I.2.i.b", "D", "0.25"),
        ("A.I.2.i.b", "E", "0"),
    ],
)
def test_choice_multipliers(framework: Framework, code: str, answer: str, value: str) -> None:
    """D2, including the literal 0.67/0.33 of the official Excel."""
    result = scored(framework, {code: answer}).items[code]
    assert result.value == D(value)
    assert result.score is None and result.flags == ()


@pytest.mark.parametrize(
    ("answer", "points"), [("A", "5"), ("B", "3.75"), ("C", "2.5"), ("D", "1.25"), ("E", "0")]
)
def test_capaian_kinerja_is_a_to_e_times_5(framework: Framework, answer: str, points: str) -> None:
    """D7: capaian kinerja lebih baik A-E x 5.00."""
    assert scored(framework, {"B.I.b": answer}).items["B.I.b"].score == D(points)


@pytest.mark.parametrize(
    ("index", "points"),
    [
        ("4.00", "17.5"),
        ("3.60", "15.75"),
        ("3.20", "14"),
        ("0", "0"),
        ("3.59", "15.70625"),
        ("0.01", "0.04375"),
    ],
)
def test_survey_index_over_4_times_17_5(framework: Framework, index: str, points: str) -> None:
    """D7: index / 4 x 17.50; the §3.1 survey thresholds map exactly (3.60 <-> 15.75)."""
    report = scored(framework, {"B.I.a": index, "B.II.a": index})
    assert report.items["B.I.a"].score == D(points) == report.items["B.II.a"].score


NR = Flag.ZERO_DENOMINATOR_NOTHING_REQUIRED
ZD = Flag.ZERO_DENOMINATOR
WN = Flag.ZERO_DENOMINATOR_WITH_NUMERATOR
CL = Flag.CLAMPED

# Revised D4: the three items that may find nothing required (LHKPN and LHKASN are one item in
# two nested sub-areas), with counts where nothing was: no violations either year, no
# complaints, nobody obliged to file. Every other % item must have something to count.
NOTHING_REQUIRED = [
    ("A.II.3.iii.a", [0, 0, 0]),  # discipline: none last year, none this year
    ("A.II.5.ii.a", [0, 0, 0]),  # complaint handling: no complaints
    ("A.II.5.iii.a.1", [0, 0, 0, 0]),  # LHKPN: nobody obliged to file
    ("A.II.5.iii.b.1", [0, 0, 0, 0]),  # LHKASN: nobody obliged to file
]
REGULAR = ["A.II.1.i.a", "A.II.1.i.b", "A.II.4.i.a", "A.II.6.i.b"]


@pytest.mark.parametrize(
    ("code", "counts", "value", "flags"),
    [
        # change agents: changes made / agents
        ("A.II.1.i.a", [4, 3], "0.75", ()),
        ("A.II.1.i.a", [4, 6], "1", (CL,)),
        # discipline: (last year - this year) / last year (D4)
        ("A.II.3.iii.a", [10, 4, 3], "0.6", ()),
        ("A.II.3.iii.a", [10, 0, 9], "1", ()),
        ("A.II.3.iii.a", [10, 10, 0], "0", ()),
        ("A.II.3.iii.a", [10, 12, 0], "0", (CL,)),  # more violations: an increase scores 0
        # performance targets achieved / targets
        ("A.II.4.i.a", [8, 6], "0.75", ()),
        ("A.II.4.i.a", [3, 1], _third(1), ()),
        # complaints: completed / must be followed up, F/H (D4); "being processed" is informational
        ("A.II.5.ii.a", [4, 1, 3], "0.75", ()),
        ("A.II.5.ii.a", [4, 9, 3], "0.75", ()),
        ("A.II.5.ii.a", [4, 4, 0], "0", ()),
        ("A.II.5.ii.a", [3, 0, 5], "1", (CL,)),
        # LHKPN / LHKASN: reported / sum of the obliged groups
        ("A.II.5.iii.a.1", [1, 2, 3, 5], _third(D("2.5")), ()),
        ("A.II.5.iii.a.1", [1, 1, 1, 3], "1", ()),
        ("A.II.5.iii.a.1", [1, 1, 1, 4], "1", (CL,)),
        ("A.II.5.iii.b.1", [2, 3, 5, 8], "0.8", ()),
        # services simplified / services registered
        ("A.II.6.i.b", [5, 2], "0.4", ()),
    ],
)
def test_percent_formulas_and_edge_cases(
    framework: Framework, code: str, counts: list[int], value: Any, flags: tuple[Flag, ...]
) -> None:
    """D4: each formula, clamped to [0, 1]; clamping is flagged. Zero denominators below."""
    result = scored(framework, {code: counts}).items[code]
    assert result.value == D(value)
    assert result.flags == flags
    assert result.answered and result.error is None


@pytest.mark.parametrize(("code", "counts"), NOTHING_REQUIRED)
def test_the_three_items_that_may_find_nothing_required_score_1_on_zero_over_zero(
    framework: Framework, code: str, counts: list[int]
) -> None:
    """Revised D4: 0/0 on complaints, LHKPN/LHKASN and discipline is 1.0, flagged for review."""
    assert framework.item(code).formula.may_find_nothing_required
    result = scored(framework, {code: counts}).items[code]
    assert (result.value, result.flags) == (1, (NR,))
    assert result.answered and result.error is None


def test_only_the_three_items_may_find_nothing_required(framework: Framework) -> None:
    """The property is data (D1): declared per % item in the framework file, nowhere else."""
    declared = [
        item.code
        for item in framework.items()
        if item.formula is not None and item.formula.may_find_nothing_required
    ]
    assert declared == [code for code, _counts in NOTHING_REQUIRED]
    percent = [item.code for item in framework.items() if item.formula is not None]
    assert sorted(set(percent) - set(declared)) == REGULAR


@pytest.mark.parametrize("code", REGULAR)
def test_a_regular_percent_item_with_a_zero_denominator_is_an_error(
    framework: Framework, code: str
) -> None:
    """Revised D4: targets, services, change agents... 0/0 is the Excel's #DIV/0!, not 100 %:
    no value, not answered (left out of the mean and of completeness), reported as an error."""
    report = scored(framework, {code: [0, 0]})
    result = report.items[code]
    assert (result.value, result.flags, result.error) == (None, (ZD,), ZD)
    assert not result.answered
    assert report.errors() == [result]
    assert (report.total.answered, report.total.total) == (0, 113)


@pytest.mark.parametrize(
    ("code", "counts"),
    [
        ("A.II.1.i.a", [0, 5]),
        ("A.II.1.i.b", [0, 5]),
        ("A.II.4.i.a", [0, 5]),
        ("A.II.6.i.b", [0, 5]),
        # even where nothing may be required: something was counted over nothing
        ("A.II.3.iii.a", [0, 3, 3]),  # violations this year, none last year
        ("A.II.5.ii.a", [0, 0, 2]),  # complaints completed, none to follow up
        ("A.II.5.iii.a.1", [0, 0, 0, 1]),  # filings, nobody obliged
        ("A.II.5.iii.b.1", [0, 0, 0, 3]),
    ],
)
def test_a_zero_denominator_under_a_non_zero_numerator_is_always_an_error(
    framework: Framework, code: str, counts: list[int]
) -> None:
    result = scored(framework, {code: counts}).items[code]
    assert (result.value, result.flags, result.error) == (None, (WN,), WN)
    assert not result.answered


@pytest.mark.parametrize(
    ("code", "counts"),
    [
        ("A.II.1.i.a", [4, 6]),
        ("A.II.1.i.b", [2, 3]),
        ("A.II.4.i.a", [3, 5]),
        ("A.II.5.ii.a", [3, 0, 5]),
        ("A.II.5.iii.a.1", [1, 1, 1, 4]),
        ("A.II.5.iii.b.1", [1, 0, 0, 2]),
        ("A.II.6.i.b", [2, 7]),
    ],
)
def test_a_numerator_above_its_denominator_is_clamped_to_1(
    framework: Framework, code: str, counts: list[int]
) -> None:
    result = scored(framework, {code: counts}).items[code]
    assert (result.value, result.flags) == (1, (CL,))
    assert result.answered


@pytest.mark.parametrize(
    ("last_year", "this_year", "value", "flags"),
    [
        (10, 4, "0.6", ()),
        (4, 3, "0.25", ()),
        (3, 1, _third(2), ()),
        (5, 0, "1", ()),  # no violations left
        (5, 5, "0", ()),  # no reduction
        (5, 8, "0", (CL,)),  # an increase: (5 - 8) / 5 clamped to 0
        (0, 0, "1", (NR,)),  # none last year and none this year: nothing required
        (0, 2, None, (WN,)),  # none last year, some this year: no reduction to measure, error
    ],
)
def test_discipline_is_last_year_minus_this_year_over_last_year(
    framework: Framework, last_year: int, this_year: int, value: Any, flags: tuple[Flag, ...]
) -> None:
    """D4: (last year - this year) / last year; the sanctioned count is informational."""
    for sanctioned in (0, this_year):
        result = scored(framework, {"A.II.3.iii.a": [last_year, this_year, sanctioned]})
        item = result.items["A.II.3.iii.a"]
        assert item.value == (None if value is None else D(value))
        assert item.flags == flags


def test_an_item_in_error_is_left_out_of_the_mean_and_reported(framework: Framework) -> None:
    """A.II.6.i (2.50) holds a choice item and services simplified / services registered.
    0/0 services is an error: the sub-area is the mean of the choice alone (D3), the item is
    not answered, and the report lists the error so no hand-off goes through (D4)."""
    error = scored(framework, {"A.II.6.i.a": "A", "A.II.6.i.b": [0, 0]})
    group = error.groups["A.II.6.i"]
    assert group.score == D("2.5")  # 1 x 2.50: the item in error is not averaged in
    assert (group.answered, group.total) == (1, 2)
    assert [r.code for r in error.errors()] == ["A.II.6.i.b"]
    assert [r.code for r in error.flagged()] == ["A.II.6.i.b"]
    # Before revised D4 this counted as 100 %; a real zero (5 services, none simplified) is 0.
    real_zero = scored(framework, {"A.II.6.i.a": "A", "A.II.6.i.b": [5, 0]})
    assert real_zero.groups["A.II.6.i"].score == D("1.25")
    assert real_zero.errors() == []
    data = score_answers(framework, {"A.II.6.i.a": "A", "A.II.6.i.b": [0, 0]})
    assert data["completeness"]["answered"] == 1
    assert data["completeness"]["errors"] == ["A.II.6.i.b"]
    assert "A.II.6.i.b" in data["completeness"]["unanswered"]
    assert data["items"]["A.II.6.i.b"] == {
        "value": None,
        "score": None,
        "flags": ["zero_denominator"],
    }
    warnings = {(w["kind"], w["code"]): w["message"] for w in data["warnings"]}
    assert warnings[("zero_denominator", "A.II.6.i.b")].startswith(
        "Butir A.II.6.i.b: penyebut nol sehingga persentase tidak dapat dihitung (#DIV/0!)"
    )
    assert warnings[("unanswered", None)].startswith("111 butir belum dijawab")
    assert warnings[("input_errors", None)].startswith("1 butir berisi isian yang salah")


def test_a_perfect_lke_with_an_error_is_incomplete(
    framework: Framework, perfect: dict[str, Any]
) -> None:
    """The earlier reading counted 0/0 services as 100 %. Now the item is unanswered: left out
    of A.II.6.i's mean it leaves the score at 100, so completeness is what stops the unit."""
    report = scored(framework, {**perfect, "A.II.6.i.b": [0, 0]})
    assert report.total.score == 100
    assert (report.total.answered, report.total.total) == (112, 113)
    assert report.total.completeness < 1
    assert [r.code for r in report.errors()] == ["A.II.6.i.b"]
    alone = scored(framework, {**perfect, "A.II.4.i.a": [0, 0]})  # the only item of A.II.4.i
    assert alone.total.score == 100 - alone.groups["A.II.4.i"].weight


def test_flags_reach_the_report(framework: Framework) -> None:
    report = scored(framework, {"A.II.5.ii.a": [0, 0, 0], "A.II.4.i.a": [2, 1]})
    assert [(r.code, r.flags) for r in report.flagged()] == [("A.II.5.ii.a", (NR,))]
    assert report.errors() == []


def test_repeated_count_that_differs_is_flagged(framework: Framework) -> None:
    same = scored(framework, {"A.II.1.i.a": [4, 3], "A.II.1.i.b": [3, 2]})
    differ = scored(framework, {"A.II.1.i.a": [4, 3], "A.II.1.i.b": [2, 2]})
    assert same.items["A.II.1.i.b"].flags == ()
    assert differ.items["A.II.1.i.b"].flags == (Flag.INPUT_MISMATCH,)
    assert differ.items["A.II.1.i.b"].value == 1


def test_unanswered_items_are_left_out_of_the_mean(framework: Framework) -> None:
    """D3: mean of the ANSWERED items x weight; completeness is reported separately."""
    report = scored(framework, {"A.I.1.i.a": "Ya"})
    sub_area = report.groups["A.I.1.i"]
    assert sub_area.score == D("0.5")
    assert (sub_area.answered, sub_area.total, sub_area.completeness) == (1, 2, D("0.5"))
    assert report.items["A.I.1.i.b"].answered is False
    assert report.groups["A.I.1"].score == D("0.5")
    assert (report.total.answered, report.total.total) == (1, 113)


def test_a_sub_area_without_answers_scores_zero(framework: Framework) -> None:
    report = scored(framework, {})
    assert report.groups["A.I.1.i"].score == 0
    assert report.groups["A.I.1.i"].completeness == 0
    assert report.total.score == 0
    assert report.items["B.I.a"].score == 0 and not report.items["B.I.a"].answered


def test_sub_area_score_is_exact_when_the_result_is_whole(framework: Framework) -> None:
    """(sum x weight) / n: A, A, C in a 1.50 sub-area of three is exactly 1, not 1.000...5."""
    report = scored(framework, {"A.I.5.iv.a": "A", "A.I.5.iv.b": "A", "A.I.5.iv.c": "C"})
    assert report.groups["A.I.5.iv"].score == 1


def test_a_perfect_lke_scores_exactly_100(framework: Framework, perfect: dict[str, Any]) -> None:
    report = scored(framework, perfect)
    assert report.total.score == 100
    assert (report.pengungkit.score, report.hasil.score) == (60, 40)
    assert (report.pemenuhan.score, report.reform.score) == (30, 30)
    assert all(area.total.ratio == 1 for area in report.areas.values())
    assert report.total.completeness == 1
    assert report.flagged() == []


def test_nested_lhkpn_sub_areas_add_up(framework: Framework) -> None:
    report = scored(framework, {"A.II.5.iii.a.1": [1, 1, 1, 3], "A.II.5.iii.b.1": [2, 2, 1, 0]})
    assert report.groups["A.II.5.iii.a"].score == 1
    assert report.groups["A.II.5.iii.b"].score == 0
    assert report.groups["A.II.5.iii"].score == 1
    assert (report.groups["A.II.5.iii"].answered, report.groups["A.II.5.iii"].total) == (2, 2)


def test_areas_combine_their_pemenuhan_and_reform_halves(framework: Framework) -> None:
    report = scored(framework, {"A.I.5.i.a": "A", "A.I.5.i.b": "A", "A.II.5.i.a": "C"})
    area = report.areas["5"]
    assert area.halves["pemenuhan"].score == D("1.5")
    assert area.halves["reform"].score == D("1.25")
    assert area.total.score == D("2.75")
    assert area.total.weight == 15
    assert area.total.ratio * 100 == D("2.75") / 15 * 100
    assert (area.name, area.name_en) == ("Penguatan Pengawasan", "Internal oversight")
    assert list(report.areas) == ["1", "2", "3", "4", "5", "6"]


def test_results_parts_add_their_items(framework: Framework) -> None:
    report = scored(framework, {"B.I.a": "3.60", "B.I.b": "C", "B.II.a": "3.20"})
    assert report.groups["B.I"].score == D("18.25")
    assert report.groups["B.II"].score == 14
    assert report.hasil.score == D("32.25")


@pytest.mark.parametrize(
    "answers",
    [
        {"A.I.1.i.a": CountAnswer((1,))},
        {"B.I.a": ChoiceAnswer("A")},
        {"A.I.1.i.b": ChoiceAnswer("Ya")},
        {"A.II.4.i.a": CountAnswer((1, 2, 3))},
        {"A.I.1.i.a": IndexAnswer(D(1))},
    ],
)
def test_score_rejects_answers_of_the_wrong_kind(framework: Framework, answers: dict) -> None:
    with pytest.raises(ValidationError, match=next(iter(answers)).replace(".", r"\.")):
        score(framework, answers)


def test_score_rejects_unknown_codes(framework: Framework) -> None:
    with pytest.raises(ValidationError, match=r"X\.1"):
        score(framework, {"X.1": ChoiceAnswer("Ya")})
    with pytest.raises(NotFoundError):
        framework.item("X.1")
