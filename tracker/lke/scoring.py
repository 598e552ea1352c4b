"""The LKE scoring engine: pure, Decimal throughout, no rounding (D2-D4, D6, D7).

``score(framework, answers)`` turns parsed answers into a ScoreReport with a result for every
item, sub-area, area (per part and combined), part, component and the total, each with its
completeness. Display rounding (two decimals, D6) is the caller's business.

An answer in error (D4: a % item's zero denominator where something must have been required,
or a zero denominator under a non-zero numerator) has no value: it counts as not answered, so
it is left out of the D3 mean and out of completeness, and ``ScoreReport.errors()`` lists it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from types import MappingProxyType

from tracker.errors import ValidationError
from tracker.i18n import _
from tracker.lke.answers import AnswerValue, ChoiceAnswer, CountAnswer, IndexAnswer
from tracker.lke.framework import (
    AnswerType,
    Area,
    Component,
    Formula,
    FormulaKind,
    Framework,
    Item,
    Part,
    PartKind,
    SubArea,
    ZeroDenominator,
)

ZERO = Decimal(0)
ONE = Decimal(1)
# Ample headroom: 1/3-type means are the only inexact steps and they stay far below display.
_PRECISION = 40


class Flag(StrEnum):
    """Why a reviewer should look at an item's value (D4); ERRORS make the answer not count."""

    # 0/0 on an item that may find nothing required: value 1, for the reviewer to check.
    ZERO_DENOMINATOR_NOTHING_REQUIRED = "zero_denominator_nothing_required"
    # Errors (#DIV/0!): 0/0 on any other % item, and a zero denominator under a non-zero numerator.
    ZERO_DENOMINATOR = "zero_denominator"
    ZERO_DENOMINATOR_WITH_NUMERATOR = "zero_denominator_with_numerator"
    CLAMPED = "clamped"
    INPUT_MISMATCH = "input_mismatch"  # a repeated count differs from its twin (same_as)


# The flags of an answer in error: it has no value, counts as not answered and must be corrected.
ERRORS = frozenset({Flag.ZERO_DENOMINATOR, Flag.ZERO_DENOMINATOR_WITH_NUMERATOR})


@dataclass(frozen=True)
class ItemResult:
    code: str
    value: Decimal | None  # 0..1: multiplier, ratio or index/4; None when unanswered or in error
    score: Decimal | None = None  # value x weight, for weight-bearing (results) items only
    flags: tuple[Flag, ...] = ()

    @property
    def answered(self) -> bool:
        """An answer that counts (D3): given and not in error (D4)."""
        return self.value is not None

    @property
    def error(self) -> Flag | None:
        """The input error that keeps the given answer from counting (D4), or None."""
        return next((flag for flag in self.flags if flag in ERRORS), None)


@dataclass(frozen=True)
class GroupResult:
    code: str
    weight: Decimal
    score: Decimal
    answered: int
    total: int

    @property
    def completeness(self) -> Decimal:
        """Share of scored items answered (D3), 1 for an empty group."""
        return Decimal(self.answered) / Decimal(self.total) if self.total else ONE

    @property
    def ratio(self) -> Decimal:
        """Score as a share of the weight (0..1)."""
        return self.score / self.weight if self.weight else ZERO


@dataclass(frozen=True)
class AreaResult:
    """One of the six areas with its pemenuhan and reform halves combined (D5)."""

    number: str
    name: str
    name_en: str
    halves: Mapping[str, GroupResult]  # by part kind: "pemenuhan", "reform"
    total: GroupResult


@dataclass(frozen=True)
class ScoreReport:
    framework_code: str
    items: Mapping[str, ItemResult]
    groups: Mapping[str, GroupResult]  # every component, part, area, sub-area by code
    areas: Mapping[str, AreaResult]  # by area number "1".."6"
    total: GroupResult
    pengungkit: GroupResult
    hasil: GroupResult
    pemenuhan: GroupResult
    reform: GroupResult

    def flagged(self) -> list[ItemResult]:
        """Items a reviewer should look at, errors included, in worksheet order."""
        return [result for result in self.items.values() if result.flags]

    def errors(self) -> list[ItemResult]:
        """Answers in error (D4): not answered until corrected, and they block every hand-off."""
        return [result for result in self.items.values() if result.error is not None]


def score(framework: Framework, answers: Mapping[str, AnswerValue]) -> ScoreReport:
    """Score ``answers`` (from ``parse_answers``) against ``framework``.

    Raises ValidationError when an answer names an unknown item or has the wrong kind of value
    for its item.
    """
    _check_answers(framework, answers)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        items = {
            item.code: _item_result(item, answers.get(item.code)) for item in framework.items()
        }
        items = _mark_mismatches(framework, answers, items)
        groups: dict[str, GroupResult] = {}
        components = [_component(c, items, groups) for c in framework.components]
        total = _sum("total", framework.total_weight, components)
        kinds = {c.kind: groups[c.code] for c in framework.components}
        return ScoreReport(
            framework_code=framework.code,
            items=MappingProxyType(items),
            groups=MappingProxyType(groups),
            areas=MappingProxyType(_areas(framework, groups)),
            total=total,
            pengungkit=kinds.get("pengungkit", _sum("pengungkit", ZERO, [])),
            hasil=kinds.get("hasil", _sum("hasil", ZERO, [])),
            pemenuhan=_part_kind(framework, groups, PartKind.PEMENUHAN),
            reform=_part_kind(framework, groups, PartKind.REFORM),
        )


def item_value(item: Item, answer: AnswerValue) -> tuple[Decimal | None, tuple[Flag, ...]]:
    """The 0..1 value of one answer and its flags (D2, D4, D7); None for an answer in error."""
    if isinstance(answer, ChoiceAnswer):
        return item.option(answer.key).multiplier, ()
    if isinstance(answer, CountAnswer):
        counts = dict(zip((i.key for i in item.inputs), answer.counts, strict=True))
        return percent_value(item.formula, counts)  # type: ignore[arg-type]  # parser: % has one
    # D7: the survey index maps linearly onto the weight, 4.00 -> full weight.
    return answer.index / (item.index_max or Decimal(4)), ()


def percent_value(
    formula: Formula, counts: Mapping[str, int]
) -> tuple[Decimal | None, tuple[Flag, ...]]:
    """Value of a % item from its counts, clamped to [0, 1]; None when in error (D4)."""
    zero = formula.zero_denominator
    if formula.kind is FormulaKind.DECREASE:
        previous = counts[formula.previous]  # type: ignore[index]  # parser sets it on DECREASE
        current = counts[formula.current]  # type: ignore[index]  # parser sets it on DECREASE
        return ratio(previous - current, previous, zero)
    numerator = sum(counts[key] for key in formula.numerator)
    return ratio(numerator, sum(counts[key] for key in formula.denominator), zero)


def ratio(
    numerator: int, denominator: int, zero_denominator: ZeroDenominator = ZeroDenominator.ERROR
) -> tuple[Decimal | None, tuple[Flag, ...]]:
    """numerator / denominator clamped to [0, 1], with revised D4's zero-denominator rule.

    0/0 scores 1.0 (flagged for the reviewer) only where the item may find nothing required
    (``ZeroDenominator.NOTHING_REQUIRED``: no complaints, nobody obliged to file, no violations
    last year nor this year); anywhere else it is an input error, as the official Excel's
    #DIV/0!. A zero denominator under a non-zero numerator is always an error. An error has no
    value (None), so the item counts as not answered.
    """
    if denominator == 0:
        if numerator != 0:
            return None, (Flag.ZERO_DENOMINATOR_WITH_NUMERATOR,)
        if zero_denominator is ZeroDenominator.NOTHING_REQUIRED:
            return ONE, (Flag.ZERO_DENOMINATOR_NOTHING_REQUIRED,)
        return None, (Flag.ZERO_DENOMINATOR,)
    raw = Decimal(numerator) / Decimal(denominator)
    clamped = min(max(raw, ZERO), ONE)
    return clamped, ((Flag.CLAMPED,) if clamped != raw else ())


def _item_result(item: Item, answer: AnswerValue | None) -> ItemResult:
    if answer is None:
        return ItemResult(item.code, None, ZERO if item.weight is not None else None)
    value, flags = item_value(item, answer)
    if item.weight is None:
        return ItemResult(item.code, value, None, flags)
    return ItemResult(item.code, value, value * item.weight if value is not None else ZERO, flags)


_ANSWER_CLASS = {AnswerType.PERCENT: CountAnswer, AnswerType.SURVEY_INDEX: IndexAnswer}


def _check_answers(framework: Framework, answers: Mapping[str, AnswerValue]) -> None:
    for code, answer in answers.items():
        item = framework.item(code) if framework.has_item(code) else None
        if item is None or not _fits(item, answer):
            raise ValidationError(
                _(
                    "Butir %(code)s: jawaban %(answer)s tidak sesuai jenis butir",
                    code=code,
                    answer=answer,
                ),
                code=code,
            )


def _fits(item: Item, answer: AnswerValue) -> bool:
    if not isinstance(answer, _ANSWER_CLASS.get(item.answer_type, ChoiceAnswer)):
        return False
    if isinstance(answer, ChoiceAnswer):
        return answer.key in item.choice_keys
    if isinstance(answer, CountAnswer):
        return len(answer.counts) == len(item.inputs)
    return True


def _mark_mismatches(
    framework: Framework, answers: Mapping[str, AnswerValue], items: dict[str, ItemResult]
) -> dict[str, ItemResult]:
    """Flag a count that should repeat another item's count but does not (``same_as``)."""
    for item in framework.items():
        for index, spec in enumerate(item.inputs):
            if not spec.same_as or item.code not in answers:
                continue
            other_code, _sep, other_key = spec.same_as.partition("/")
            other, own = answers.get(other_code), answers[item.code]
            if not isinstance(other, CountAnswer) or not isinstance(own, CountAnswer):
                continue  # _check_answers made ``own`` a CountAnswer: only ``other`` can skip
            keys = [i.key for i in framework.item(other_code).inputs]
            if other.counts[keys.index(other_key)] != own.counts[index]:
                result = items[item.code]
                items[item.code] = ItemResult(
                    result.code, result.value, result.score, (*result.flags, Flag.INPUT_MISMATCH)
                )
    return items


def _sub_area(
    node: SubArea, items: Mapping[str, ItemResult], groups: dict[str, GroupResult]
) -> GroupResult:
    if node.children:
        return _store(
            groups,
            _sum(node.code, node.weight, [_sub_area(c, items, groups) for c in node.children]),
        )
    values = [value for i in node.items if (value := items[i.code].value) is not None]
    # D3: mean of the ANSWERED items x weight; (sum x weight) / n keeps whole results exact.
    result = (sum(values, ZERO) * node.weight) / len(values) if values else ZERO
    return _store(groups, GroupResult(node.code, node.weight, result, len(values), len(node.items)))


def _area(
    area: Area, items: Mapping[str, ItemResult], groups: dict[str, GroupResult]
) -> GroupResult:
    children = [_sub_area(s, items, groups) for s in area.sub_areas]
    return _store(groups, _sum(area.code, area.weight, children))


def _part(
    part: Part, items: Mapping[str, ItemResult], groups: dict[str, GroupResult]
) -> GroupResult:
    children = [_area(a, items, groups) for a in part.areas]
    children += [_weighted_item(i, items[i.code]) for i in part.items]
    return _store(groups, _sum(part.code, part.weight, children))


def _weighted_item(item: Item, result: ItemResult) -> GroupResult:
    return GroupResult(
        item.code, item.weight or ZERO, result.score or ZERO, int(result.answered), 1
    )


def _component(
    component: Component, items: Mapping[str, ItemResult], groups: dict[str, GroupResult]
) -> GroupResult:
    children = [_part(p, items, groups) for p in component.parts]
    return _store(groups, _sum(component.code, component.weight, children))


def _sum(code: str, weight: Decimal, children: Iterable[GroupResult]) -> GroupResult:
    children = list(children)
    return GroupResult(
        code,
        weight,
        sum((c.score for c in children), ZERO),
        sum(c.answered for c in children),
        sum(c.total for c in children),
    )


def _store(groups: dict[str, GroupResult], result: GroupResult) -> GroupResult:
    groups[result.code] = result
    return result


def _areas(framework: Framework, groups: Mapping[str, GroupResult]) -> dict[str, AreaResult]:
    """Combine each area's halves by area number (D5 reads the floor on the combined area)."""
    halves: dict[str, dict[str, GroupResult]] = {}
    names: dict[str, Area] = {}
    for part, area in framework.areas():
        halves.setdefault(area.number, {})[part.kind.value] = groups[area.code]
        names.setdefault(area.number, area)
    return {
        number: AreaResult(
            number,
            names[number].name,
            names[number].name_en,
            MappingProxyType(parts),
            _sum(number, sum((g.weight for g in parts.values()), ZERO), parts.values()),
        )
        for number, parts in halves.items()
    }


def _part_kind(
    framework: Framework, groups: Mapping[str, GroupResult], kind: PartKind
) -> GroupResult:
    parts = [groups[p.code] for c in framework.components for p in c.parts if p.kind is kind]
    return _sum(kind.value, sum((p.weight for p in parts), ZERO), parts)
