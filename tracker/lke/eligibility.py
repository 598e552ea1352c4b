"""Predicate eligibility verdicts (D9) from the framework's rule block.

Each rule compares one metric of a ScoreReport with its threshold at full precision (D6) and
reports pass/fail, the shortfall and whether the value is within ``near_threshold`` of the
threshold. Metrics: ``total``, ``component:<code>``, ``part:<code>``, ``item:<code>`` (points),
``area_ratio:<number>`` (percent of the area's weight, D5) and ``active_wbk`` (a yes/no fact).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tracker.errors import ValidationError
from tracker.i18n import _
from tracker.lke.framework import FloorMode, Framework, Rule
from tracker.lke.scoring import ScoreReport

HUNDRED = Decimal(100)


class RuleUnit(StrEnum):
    POINTS = "points"
    PERCENT = "percent"  # percent of the weight, 0..100
    FLAG = "flag"  # 1 = holds, 0 = does not


@dataclass(frozen=True)
class RuleResult:
    id: str
    label: str
    label_en: str
    metric: str
    unit: RuleUnit
    value: Decimal
    threshold: Decimal
    passed: bool
    shortfall: Decimal  # threshold - value when failing, else 0
    near_threshold: bool  # D6: |value - threshold| <= near_threshold


@dataclass(frozen=True)
class Verdict:
    predicate: str
    eligible: bool
    rules: tuple[RuleResult, ...]

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        return tuple(rule for rule in self.rules if not rule.passed)


def evaluate(
    framework: Framework,
    report: ScoreReport,
    predicate: str,
    *,
    has_active_wbk: bool,
    area_floor_mode: FloorMode | str | None = None,
) -> Verdict:
    """Verdict for ``predicate`` ("WBK", "WBBM") on ``report``.

    ``area_floor_mode`` overrides the rule block's D5 reading for one cycle (a FloorMode or its
    stored value). Raises NotFoundError for an unknown predicate, ValidationError for an
    unknown mode.
    """
    mode = _floor_mode(area_floor_mode or framework.eligibility.area_floor_mode)
    near = framework.eligibility.near_threshold
    results: list[RuleResult] = []
    for rule in framework.eligibility.predicate(predicate).rules:
        for suffix, label_suffix, unit, value in _values(rule, report, mode, has_active_wbk):
            results.append(_judge(rule, suffix, label_suffix, unit, value, near))
    return Verdict(predicate, all(r.passed for r in results), tuple(results))


def _floor_mode(mode: FloorMode | str) -> FloorMode:
    try:
        return FloorMode(mode)
    except ValueError:
        raise ValidationError(_("Mode batas area %(mode)s tidak dikenal", mode=mode)) from None


def _values(
    rule: Rule, report: ScoreReport, mode: FloorMode, has_active_wbk: bool
) -> list[tuple[str, str, RuleUnit, Decimal]]:
    """(id suffix, label suffix, unit, value) for one rule; an each-half area rule gives two."""
    kind, _sep, target = rule.metric.partition(":")
    if kind == "active_wbk":
        return [("", "", RuleUnit.FLAG, Decimal(int(has_active_wbk)))]
    if kind == "area_ratio":
        area = report.areas[target]
        if mode is FloorMode.COMBINED:
            return [("", "", RuleUnit.PERCENT, area.total.ratio * HUNDRED)]
        return [
            (f".{half}", f" ({half.capitalize()})", RuleUnit.PERCENT, group.ratio * HUNDRED)
            for half, group in area.halves.items()
        ]
    return [("", "", RuleUnit.POINTS, _points(kind, target, report))]


def _points(kind: str, target: str, report: ScoreReport) -> Decimal:
    if kind == "total":
        return report.total.score
    if kind == "item":
        result = report.items[target]
        return result.score if result.score is not None else (result.value or Decimal(0))
    return report.groups[target].score


def _judge(
    rule: Rule, suffix: str, label_suffix: str, unit: RuleUnit, value: Decimal, near: Decimal
) -> RuleResult:
    passed = value >= rule.threshold  # D6: full precision, no rounding before comparing
    return RuleResult(
        id=rule.id + suffix,
        label=rule.label + label_suffix,
        label_en=rule.label_en + label_suffix,
        metric=rule.metric,
        unit=unit,
        value=value,
        threshold=rule.threshold,
        passed=passed,
        shortfall=Decimal(0) if passed else rule.threshold - value,
        near_threshold=unit is not RuleUnit.FLAG and abs(value - rule.threshold) <= near,
    )
