"""Answer sets for tests: a perfect LKE, and one with chosen weak spots."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from tracker.lke import AnswerType, Framework, parse_answer
from tracker.lke.scoring import Flag, item_value


def _perfect_counts(item) -> list[int]:
    for counts in itertools.product(range(1, 4), repeat=len(item.inputs)):
        value, flags = item_value(item, parse_answer(item, list(counts)))
        if value == 1 and not {Flag.ZERO_DENOMINATOR_NOTHING_REQUIRED} & set(flags):
            return list(counts)
    for counts in itertools.product(range(0, 4), repeat=len(item.inputs)):
        value, _flags = item_value(item, parse_answer(item, list(counts)))
        if value == 1:
            return list(counts)
    raise AssertionError(f"no perfect counts for {item.code}")


def perfect_answers(framework: Framework, index: str = "4.00") -> dict[str, Any]:
    """The best answer to every item: 100 points."""
    answers: dict[str, Any] = {}
    for item in framework.items():
        if item.answer_type is AnswerType.PERCENT:
            answers[item.code] = _perfect_counts(item)
        elif item.answer_type is AnswerType.SURVEY_INDEX:
            answers[item.code] = index
        else:
            answers[item.code] = item.choice_keys[0]
    return answers


def worst_choice(framework: Framework, code: str) -> str:
    return framework.item(code).choice_keys[-1]


def total_of(value: Any) -> Decimal:
    return Decimal(str(value))
