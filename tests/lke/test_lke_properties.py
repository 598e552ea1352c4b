"""Property tests: scores stay within their weights, never drop when an answer improves, and an
answer in error (D4) scores exactly as if it had not been given."""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.lke.answers import AnswerValue, ChoiceAnswer, CountAnswer, IndexAnswer
from tracker.lke.framework import AnswerType, FormulaKind, Item, get_framework
from tracker.lke.scoring import ERRORS, ScoreReport, item_value, score

FRAMEWORK = get_framework("lke-2021")
ITEMS = list(FRAMEWORK.items())


def answer_for(item: Item) -> st.SearchStrategy[AnswerValue]:
    if item.answer_type is AnswerType.PERCENT:
        counts = st.lists(st.integers(0, 12), min_size=len(item.inputs), max_size=len(item.inputs))
        return counts.map(lambda values: CountAnswer(tuple(values)))
    if item.answer_type is AnswerType.SURVEY_INDEX:
        return st.integers(0, 400).map(lambda n: IndexAnswer(Decimal(n) / 100))
    return st.sampled_from(item.choice_keys).map(ChoiceAnswer)


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, AnswerValue]:
    """Any mix of answered and unanswered items."""
    answers = {}
    for item in ITEMS:
        if draw(st.booleans()):
            answers[item.code] = draw(answer_for(item))
    return answers


def all_results(report: ScoreReport) -> list[Any]:
    return [
        *report.groups.values(),
        report.total,
        report.pengungkit,
        report.hasil,
        report.pemenuhan,
        report.reform,
        *(area.total for area in report.areas.values()),
    ]


@settings(max_examples=150, deadline=None)
@given(answer_sets())
def test_every_score_lies_between_zero_and_its_weight(answers: dict[str, AnswerValue]) -> None:
    report = score(FRAMEWORK, answers)
    for result in all_results(report):
        assert 0 <= result.score <= result.weight, result
        assert 0 <= result.answered <= result.total
    for item in ITEMS:
        result = report.items[item.code]
        assert result.answered == (item.code in answers and result.error is None)
        if result.error is not None:  # D4: only a % item's zero denominator is an error
            assert item.answer_type is AnswerType.PERCENT and result.value is None
        if result.answered:
            assert 0 <= result.value <= 1
        if item.weight is not None:
            assert 0 <= result.score <= item.weight
    assert report.total.score <= 100
    with localcontext(prec=40):  # the engine's working precision
        assert report.total.score == report.pengungkit.score + report.hasil.score
        assert report.pengungkit.score == report.pemenuhan.score + report.reform.score


@st.composite
def improvement(draw: st.DrawFn) -> tuple[dict[str, AnswerValue], str, AnswerValue]:
    """An answer set, one answered item and a replacement answer that is at least as good."""
    answers = draw(answer_sets())
    item = draw(st.sampled_from(ITEMS))
    # An answer in error is no better or worse than a blank one: compare answers that count.
    counts = answer_for(item).filter(lambda a: item_value(item, a)[0] is not None)
    first, second = draw(counts), draw(counts)
    worse, better = sorted((first, second), key=lambda a: item_value(item, a)[0])
    answers[item.code] = worse
    return answers, item.code, better


@settings(max_examples=150, deadline=None)
@given(improvement())
def test_improving_one_answer_never_lowers_any_score(
    case: tuple[dict[str, AnswerValue], str, AnswerValue],
) -> None:
    answers, code, better = case
    before = score(FRAMEWORK, answers)
    after = score(FRAMEWORK, {**answers, code: better})
    for old, new in zip(all_results(before), all_results(after), strict=True):
        assert new.score >= old.score, (code, old, new)
    assert after.items[code].value >= before.items[code].value


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([i for i in ITEMS if i.answer_type is AnswerType.PERCENT]),
    st.lists(st.integers(0, 1000), min_size=4, max_size=4),
)
def test_percent_values_are_clamped(item: Item, values: list[int]) -> None:
    counts = CountAnswer(tuple(values[: len(item.inputs)]))
    value, flags = item_value(item, counts)
    assert (value is None) == bool(ERRORS & set(flags))
    assert value is None or 0 <= value <= 1


PERCENT_ITEMS = [i for i in ITEMS if i.answer_type is AnswerType.PERCENT]


def zero_denominator(item: Item) -> st.SearchStrategy[AnswerValue]:
    """Counts of a % item whose denominator is 0 (the numerator may or may not be)."""
    formula = item.formula
    assert formula is not None
    zero = {formula.previous} if formula.kind is FormulaKind.DECREASE else set(formula.denominator)
    counts = [st.just(0) if i.key in zero else st.integers(0, 5) for i in item.inputs]
    return st.tuples(*counts).map(CountAnswer)


@st.composite
def answer_sets_with_zero_denominators(draw: st.DrawFn) -> dict[str, AnswerValue]:
    answers = draw(answer_sets())
    for item in draw(st.lists(st.sampled_from(PERCENT_ITEMS), unique=True, min_size=1)):
        answers[item.code] = draw(zero_denominator(item))
    return answers


@settings(max_examples=100, deadline=None)
@given(answer_sets_with_zero_denominators())
def test_an_answer_in_error_scores_as_if_it_were_blank(answers: dict[str, AnswerValue]) -> None:
    """D4 + D3: an item in error is left out of every mean and every completeness count."""
    report = score(FRAMEWORK, answers)
    in_error = {r.code for r in report.errors()}
    blank = score(FRAMEWORK, {c: a for c, a in answers.items() if c not in in_error})
    assert all_results(report) == all_results(blank)
    for code in in_error:
        assert not report.items[code].answered and not blank.items[code].flags
