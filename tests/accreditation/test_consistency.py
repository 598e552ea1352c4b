"""Consistency checks (issue 16 §2): each rule on a perfect LKE with one thing made to disagree."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.lke_answers import perfect_answers
from tracker.accreditation.consistency import Finding, by_item, check, lhkpn_percent
from tracker.lke.answers import parse_answers
from tracker.lke.framework import get_framework
from tracker.lke.scoring import score

FRAMEWORK = get_framework("lke-2021")
# Every expected document of every item present: the evidence check finds nothing.
ALL_DOCUMENTS = {i.code: {d.key for d in i.documents} | {""} for i in FRAMEWORK.items()}
# A perfect LKE with real counts: 2 violations last year and none now, 3 + 10 obliged to file.
BASE = perfect_answers(FRAMEWORK) | {
    "A.II.3.iii.a": [2, 0, 2],
    "A.II.5.iii.a.1": [1, 2, 0, 3],
    "A.II.5.iii.b.1": [2, 3, 5, 10],
}


def findings(
    changes: dict[str, Any] | None = None,
    prerequisites: dict[str, str] | None = None,
    documents: dict[str, set[str]] | None = None,
) -> list[Finding]:
    answers = parse_answers(FRAMEWORK, BASE | (changes or {}))
    return check(
        FRAMEWORK,
        answers,
        score(FRAMEWORK, answers),
        prerequisites=prerequisites if prerequisites is not None else {"unit.lhkpn": "100"},
        documents=documents if documents is not None else ALL_DOCUMENTS,
    )


def kinds(found: list[Finding]) -> list[str]:
    return [f.kind for f in found]


def test_a_consistent_lke_has_no_findings() -> None:
    assert findings() == []


def test_lhkpn_counts_disagreeing_with_the_recorded_prerequisite() -> None:
    changes = {"A.II.5.iii.a.1": [1, 2, 0, 3], "A.II.5.iii.b.1": [2, 3, 5, 8]}  # 11 of 13 filed
    answers = parse_answers(FRAMEWORK, BASE | changes)
    percent, obliged = lhkpn_percent(FRAMEWORK, answers)  # type: ignore[misc]
    assert obliged == 13 and percent == Decimal(1100) / Decimal(13)
    found = findings(changes, {"unit.lhkpn": "100"})
    assert kinds(found) == ["lhkpn"]
    assert found[0].prerequisite == "unit.lhkpn"
    assert found[0].items == ("A.II.5.iii.a.1", "A.II.5.iii.b.1")
    assert "100" in found[0].message and "84,62" in found[0].message
    # A figure rounded to the whole percent still agrees; no prerequisite recorded: no check.
    assert findings(changes, {"unit.lhkpn": "85"}) == []
    assert findings(changes, {}) == []


def test_performance_achieved_against_the_target_counts() -> None:
    found = findings({"B.I.b": "A", "A.II.4.i.a": [5, 3]})
    assert kinds(found) == ["performance"]
    assert found[0].items == ("A.II.4.i.a", "B.I.b")
    assert "3" in found[0].message and "5" in found[0].message
    # D says some targets were missed; every target met contradicts it too.
    assert kinds(findings({"B.I.b": "D", "A.II.4.i.a": [5, 5]})) == ["performance"]
    assert findings({"B.I.b": "D", "A.II.4.i.a": [5, 4]}) == []


def test_a_repeated_count_that_differs() -> None:
    found = findings({"A.II.1.i.a": [3, 3], "A.II.1.i.b": [2, 2]})
    assert kinds(found) == ["repeated"]
    assert found[0].items == ("A.II.1.i.a", "A.II.1.i.b")


def test_a_part_larger_than_its_whole() -> None:
    found = findings({"A.II.6.i.b": [4, 6]})
    assert kinds(found) == ["over_total"]
    assert "(6)" in found[0].message and "(4)" in found[0].message
    # More violations this year than last is a result, not a slip.
    assert findings({"A.II.3.iii.a": [1, 3, 0]}) == []


def test_zero_denominators_per_d4() -> None:
    error = findings({"A.II.4.i.a": [0, 0]})
    assert kinds(error) == ["zero_denominator"] and "#DIV/0!" in error[0].message
    nothing = findings({"A.II.5.ii.a": [0, 0, 0]})
    assert kinds(nothing) == ["zero_denominator"] and "D4" in nothing[0].message


def test_the_best_answer_without_its_required_documents() -> None:
    documents = {**ALL_DOCUMENTS, "A.I.1.i.a": set()}
    found = findings(documents=documents)
    assert kinds(found) == ["evidence"] and found[0].items == ("A.I.1.i.a",)
    # A weaker answer is not a contradiction of missing evidence (D16 flags it elsewhere).
    assert findings({"A.I.1.i.a": "Tidak"}, documents=documents) == []
    # Not checked where evidence is not known.
    answers = parse_answers(FRAMEWORK, BASE)
    assert check(FRAMEWORK, answers, score(FRAMEWORK, answers)) == []


def test_findings_are_listed_under_each_item_they_name() -> None:
    found = findings({"A.II.1.i.a": [3, 3], "A.II.1.i.b": [2, 2]})
    grouped = by_item(found)
    assert grouped["A.II.1.i.a"] == grouped["A.II.1.i.b"] == found
