"""The gap planner (issue 16 §1): its upgrades, applied, pass every rule by the real engine, or it
says honestly which rules no upgrade can close; WBBM carries WBK's rules; D6 is called out."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.lke.test_lke_properties import answer_for
from tests.lke_answers import perfect_answers
from tracker.demo.story import sample_answers
from tracker.lke import score
from tracker.lke.answers import AnswerValue, ChoiceAnswer, CountAnswer, IndexAnswer, parse_answers
from tracker.lke.framework import AnswerType, get_framework
from tracker.lke.planner import apply, judge, next_step, plan, predicates_for

FRAMEWORK = get_framework("lke-2021")
ITEMS = list(FRAMEWORK.items())


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, AnswerValue]:
    """Mostly answered LKEs (a blank % item or survey cannot be planned, only reported)."""
    answers = {}
    for item in ITEMS:
        if draw(st.integers(0, 9)) > 0:
            answers[item.code] = draw(answer_for(item))
    return answers


def maxed(answers: dict[str, AnswerValue]) -> dict[str, AnswerValue]:
    """Every answer raised as far as the planner's steps go."""
    out = dict(answers)
    for item in ITEMS:
        while (found := next_step(item, out.get(item.code))) is not None:
            out[item.code] = found[0]
    return out


def check_plan(answers: dict[str, AnswerValue], predicate: str, has_active_wbk: bool) -> None:
    result = plan(FRAMEWORK, answers, predicate, has_active_wbk=has_active_wbk)
    applied = apply(FRAMEWORK, answers, result.suggestions)
    assert applied == dict(result.answers)
    _report, verdicts = judge(FRAMEWORK, applied, predicate, has_active_wbk=has_active_wbk)
    assert [v.predicate for v in verdicts] == list(predicates_for(predicate))
    if result.closes:
        # The engine, not the estimate: every rule of every predicate needed passes.
        assert all(rule.passed for v in verdicts for rule in v.rules)
    else:
        failing = {(v.predicate, r.id) for v in verdicts for r in v.failed}
        assert failing == {(p, r.id) for p, r in result.unreachable}
        # Honest: even every answer at its best leaves a rule failing.
        _best, best = judge(FRAMEWORK, maxed(answers), predicate, has_active_wbk=has_active_wbk)
        assert not all(v.eligible for v in best)
    # Ranked by points gained per step, the steps only ever raise an answer.
    ranked = [s.per_step for s in result.suggestions if s.steps]
    assert ranked == sorted(ranked, reverse=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_sets(), st.sampled_from(["WBK", "WBBM"]), st.booleans())
def test_applying_the_plan_passes_every_rule_or_the_plan_says_why_not(
    answers: dict[str, AnswerValue], predicate: str, has_active_wbk: bool
) -> None:
    check_plan(answers, predicate, has_active_wbk)


def test_the_demo_units_answers_are_planned_and_closed() -> None:
    for share in (0.6, 0.8, 1.0):
        answers = parse_answers(FRAMEWORK, sample_answers(FRAMEWORK, share))
        for predicate in ("WBK", "WBBM"):
            check_plan(answers, predicate, has_active_wbk=True)
    full = parse_answers(FRAMEWORK, sample_answers(FRAMEWORK, 1.0))
    assert plan(FRAMEWORK, full, "WBBM", has_active_wbk=True).closes


def test_a_plan_given_the_answers_report_is_the_plan_it_scores_itself() -> None:
    """The LKE page hands the plan the report it has already scored (issue 18 §3)."""
    for share in (0.6, 1.0):
        answers = parse_answers(FRAMEWORK, sample_answers(FRAMEWORK, share))
        for predicate in ("WBK", "WBBM"):
            alone = plan(FRAMEWORK, answers, predicate, has_active_wbk=False)
            given = plan(
                FRAMEWORK,
                answers,
                predicate,
                has_active_wbk=False,
                scored=score(FRAMEWORK, answers),
            )
            assert given == alone


def weak_area_5() -> dict[str, AnswerValue]:
    raw = perfect_answers(FRAMEWORK, index="3.70")
    for item in ITEMS:
        if item.code.startswith("A.I.5") and item.choice_keys:
            raw[item.code] = item.choice_keys[-1]
    return parse_answers(FRAMEWORK, raw)


def test_a_weak_area_is_closed_with_its_own_items_best_points_first() -> None:
    result = plan(FRAMEWORK, weak_area_5(), "WBK", has_active_wbk=False)
    assert [(p, r.id) for p, r in result.failing] == [("WBK", "area_5")]
    assert result.closes and result.gained > 0
    assert all(s.code.startswith("A.I.5") for s in result.suggestions)
    first = result.suggestions[0]
    assert first.before == ChoiceAnswer("C") and first.after == ChoiceAnswer("A")
    assert first.rules == ("WBK:area_5",)


def test_wbbm_needs_every_wbk_rule_and_an_active_wbk() -> None:
    result = plan(FRAMEWORK, weak_area_5(), "WBBM", has_active_wbk=False)
    assert result.predicates == ("WBK", "WBBM")
    assert {(p, r.id) for p, r in result.failing} == {
        ("WBK", "area_5"),
        ("WBBM", "area_5"),
        ("WBBM", "wbk_aktif"),
    }
    # No answer earns an active WBK: the plan closes the area and says what remains.
    assert not result.closes
    assert [(p, r.id) for p, r in result.unreachable] == [("WBBM", "wbk_aktif")]


def test_near_threshold_values_are_called_out() -> None:
    result = plan(FRAMEWORK, weak_area_5(), "WBBM", has_active_wbk=True)
    assert result.closes
    # Area 5 lands exactly on its 75 % floor: a pass, within D6's band, so it is called out.
    assert [(p, r.id) for p, r in result.near_after] == [("WBBM", "area_5")]
    assert result.near_after[0][1].value == Decimal(75)


def test_blank_counts_and_surveys_are_named_not_invented() -> None:
    answers = {
        c: a
        for c, a in weak_area_5().items()
        if FRAMEWORK.item(c).answer_type not in (AnswerType.PERCENT, AnswerType.SURVEY_INDEX)
    }
    result = plan(FRAMEWORK, answers, "WBK", has_active_wbk=False)
    assert not result.closes
    assert "B.I.a" in result.blocked and "A.II.5.iii.a.1" in result.blocked
    assert all(
        not isinstance(s.after, CountAnswer | IndexAnswer) or s.before is not None
        for s in result.suggestions
    )


def test_a_percent_item_is_raised_to_full_and_a_repeated_count_follows() -> None:
    raw = perfect_answers(FRAMEWORK)
    raw["A.II.1.i.a"] = [4, 1]  # 4 change agents, 1 change
    raw["A.II.1.i.b"] = [1, 1]  # the 1 change (repeated), integrated
    for item in ITEMS:
        if item.code.startswith("A.I.1") and item.choice_keys:
            raw[item.code] = item.choice_keys[-1]
    result = plan(FRAMEWORK, parse_answers(FRAMEWORK, raw), "WBK", has_active_wbk=False)
    assert [(p, r.id) for p, r in result.failing] == [("WBK", "area_1")]
    assert result.closes
    first = result.suggestions[0]
    assert (first.code, first.after, first.steps) == ("A.II.1.i.a", CountAnswer((4, 4)), 1)
    assert first.before_value == Decimal("0.25") and first.after_value == 1
    # The count A.II.1.i.b repeats follows (4 changes), so the plan leaves no mismatch behind.
    assert result.answers["A.II.1.i.b"] == CountAnswer((4, 4))
