"""Parsing raw answers: every answer type, normalisation and the collected error messages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tracker.errors import ValidationError
from tracker.lke.answers import (
    ChoiceAnswer,
    CountAnswer,
    IndexAnswer,
    answer_to_raw,
    parse_answer,
    parse_answers,
)
from tracker.lke.framework import Framework


@pytest.mark.parametrize(
    ("code", "raw", "key"),
    [
        ("A.I.1.i.a", "Ya", "Ya"),
        ("A.I.1.i.a", " tidak ", "Tidak"),
        ("A.I.1.i.a", "YA", "Ya"),
        ("A.I.1.i.b", "b", "B"),
        ("A.I.1.i.b", "C.", "C"),
        ("A.I.1.iii.a", "d", "D"),
        ("A.I.2.i.b", "E", "E"),
        ("B.I.b", "a", "A"),
    ],
)
def test_choices_are_case_insensitive_and_normalised(
    framework: Framework, code: str, raw: str, key: str
) -> None:
    assert parse_answer(framework.item(code), raw) == ChoiceAnswer(key)


@pytest.mark.parametrize(
    ("code", "raw", "choices"),
    [
        ("A.I.1.i.a", "Y", "Ya/Tidak"),
        ("A.I.1.i.a", "A", "Ya/Tidak"),
        ("A.I.1.i.b", "D", "A/B/C"),
        ("A.I.1.iii.a", "E", "A/B/C/D"),
        ("A.I.2.i.b", "F", "A/B/C/D/E"),
        ("A.I.2.i.b", 1, "A/B/C/D/E"),
    ],
)
def test_an_answer_outside_the_choices_names_code_and_choices(
    framework: Framework, code: str, raw: Any, choices: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_answer(framework.item(code), raw)
    assert str(caught.value) == (f"Butir {code}: jawaban {raw} tidak termasuk pilihan {choices}")
    assert caught.value.details == {"code": code}


def test_counts_in_worksheet_order_or_by_key(framework: Framework) -> None:
    item = framework.item("A.II.4.i.a")
    assert parse_answer(item, [5, 3]) == CountAnswer((5, 3))
    assert parse_answer(item, ("5", 3.0)) == CountAnswer((5, 3))
    assert parse_answer(item, {"sasaran_tercapai": 3, "sasaran_kinerja": 5}) == CountAnswer((5, 3))


@pytest.mark.parametrize("bad", [-1, 2.5, "dua", True, None, "1e3"])
def test_a_count_must_be_a_non_negative_integer(framework: Framework, bad: Any) -> None:
    with pytest.raises(ValidationError, match=r"^Butir A\.II\.4\.i\.a: Jumlah Sasaran Kinerja"):
        parse_answer(framework.item("A.II.4.i.a"), [bad, 3])


@pytest.mark.parametrize("bad", [[5], [5, 3, 1], "5,3", 5, {"sasaran": 5}])
def test_the_number_of_counts_must_match_the_inputs(framework: Framework, bad: Any) -> None:
    with pytest.raises(ValidationError, match=r"Butir A\.II\.4\.i\.a: "):
        parse_answer(framework.item("A.II.4.i.a"), bad)


def test_wrong_number_of_counts_lists_the_inputs(framework: Framework) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_answer(framework.item("A.II.4.i.a"), [5])
    assert str(caught.value) == (
        "Butir A.II.4.i.a: diperlukan 2 angka jumlah (Jumlah Sasaran Kinerja; Jumlah Sasaran "
        "Kinerja yang tercapai 100% atau lebih), diterima [5]"
    )


def test_lhkpn_takes_four_counts_without_the_derived_total(framework: Framework) -> None:
    item = framework.item("A.II.5.iii.a.1")
    assert parse_answer(item, [1, 2, 3, 6]) == CountAnswer((1, 2, 3, 6))
    with pytest.raises(ValidationError, match="diperlukan 4 angka"):
        parse_answer(item, [6, 1, 2, 3, 6])


@pytest.mark.parametrize(
    ("raw", "index"),
    [
        (3.61, "3.61"),
        ("3,61", "3.61"),
        ("4", "4"),
        (0, "0"),
        (Decimal("3.6"), "3.6"),
        ("4.00", "4.00"),
    ],
)
def test_survey_index_accepts_up_to_two_decimals(
    framework: Framework, raw: Any, index: str
) -> None:
    assert parse_answer(framework.item("B.I.a"), raw) == IndexAnswer(Decimal(index))


@pytest.mark.parametrize("raw", [4.01, -0.01, "5", 100])
def test_survey_index_must_lie_within_0_and_4(framework: Framework, raw: Any) -> None:
    with pytest.raises(
        ValidationError,
        match=r"Butir B\.I\.a: nilai indeks survei harus antara "
        r"0,00 dan 4,00",
    ):
        parse_answer(framework.item("B.I.a"), raw)


@pytest.mark.parametrize("raw", [3.605, "3,615", "3.601"])
def test_survey_index_may_have_at_most_two_decimals(framework: Framework, raw: Any) -> None:
    with pytest.raises(ValidationError, match="paling banyak dua desimal"):
        parse_answer(framework.item("B.II.a"), raw)


@pytest.mark.parametrize("raw", ["tinggi", True, [3.6], "nan", "inf"])
def test_survey_index_must_be_a_number(framework: Framework, raw: Any) -> None:
    with pytest.raises(ValidationError, match=r"Butir B\.I\.a"):
        parse_answer(framework.item("B.I.a"), raw)


def test_survey_index_keeps_its_provenance(framework: Framework) -> None:
    """D7: the survey value records where it came from."""
    raw = {"index": 3.61, "source": "BPS", "period": "2025", "respondents": 30, "other": "x"}
    answer = parse_answer(framework.item("B.I.a"), raw)
    assert answer == IndexAnswer(
        Decimal("3.61"), (("source", "BPS"), ("period", "2025"), ("respondents", "30"))
    )
    assert answer_to_raw(framework.item("B.I.a"), answer) == {
        "index": 3.61,
        "source": "BPS",
        "period": "2025",
        "respondents": "30",
    }


def test_parse_answers_skips_blanks_and_collects_every_problem(framework: Framework) -> None:
    raw = {
        "A.I.1.i.a": "Mungkin",
        "A.I.1.i.b": "",
        "A.I.1.ii.a": None,
        "Z.9": "Ya",
        "A.II.4.i.a": [5, -3],
        "B.I.a": 4.5,
        "A.I.1.ii.b": "a",
    }
    with pytest.raises(ValidationError) as caught:
        parse_answers(framework, raw)
    problems = caught.value.details["problems"]
    assert problems == [
        "Butir A.I.1.i.a: jawaban Mungkin tidak termasuk pilihan Ya/Tidak",
        "Butir Z.9 tidak dikenal dalam kerangka lke-2021",
        "Butir A.II.4.i.a: Jumlah Sasaran Kinerja yang tercapai 100% atau lebih harus bilangan "
        "bulat tidak negatif, bukan -3",
        "Butir B.I.a: nilai indeks survei harus antara 0,00 dan 4,00, bukan 4.5",
    ]
    assert str(caught.value) == "; ".join(problems)


def test_parse_answers_returns_only_answered_items(framework: Framework) -> None:
    parsed = parse_answers(framework, {"A.I.1.i.a": "ya", "A.I.1.i.b": "  ", "B.I.a": "3,45"})
    assert parsed == {"A.I.1.i.a": ChoiceAnswer("Ya"), "B.I.a": IndexAnswer(Decimal("3.45"))}


def test_parse_answers_needs_a_mapping(framework: Framework) -> None:
    with pytest.raises(ValidationError, match="pemetaan"):
        parse_answers(framework, ["Ya"])  # type: ignore[arg-type]


def test_answer_to_raw_round_trips(framework: Framework) -> None:
    raw = {"A.I.1.i.a": "Tidak", "A.II.5.ii.a": [4, 1, 3], "B.II.a": 3.2}
    parsed = parse_answers(framework, raw)
    back = {code: answer_to_raw(framework.item(code), a) for code, a in parsed.items()}
    assert back == raw
    assert parse_answers(framework, back) == parsed
