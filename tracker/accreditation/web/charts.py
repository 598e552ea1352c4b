"""The accreditation pages' charts (issue 16 §4): figures from the services, drawn by the pure
builders of ``tracker.charts``. Each function answers one page's charts, labelled in the
reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import astuple, replace
from decimal import Decimal
from functools import lru_cache

from sqlalchemy.orm import Session

from tracker.accreditation import dashboards, statistics, tiers
from tracker.accreditation.assessments import TierResult
from tracker.accreditation.models import Cycle
from tracker.accreditation.workflow import STAGE_LABELS, Stage
from tracker.auth.access import Scope
from tracker.charts import Chart
from tracker.charts.builders import (
    Difference,
    DifferenceRow,
    Floor,
    FloorRow,
    Spread,
    count_chart,
    difference_chart,
    floor_chart,
    spread_chart,
)
from tracker.extensions import figures
from tracker.i18n import _, in_english
from tracker.lke.eligibility import Verdict, evaluate
from tracker.lke.framework import Framework
from tracker.lke.scoring import ScoreReport
from tracker.lke.services import framework_of

HUNDRED = Decimal(100)


def floor_rows(verdicts: Mapping[str, Verdict]) -> list[FloorRow]:
    """Each area rule of the WBK verdict (one per area, or per half under the "each half"
    reading, D5) with the WBK and WBBM floors that apply to it."""
    english = in_english()
    by_predicate = {
        predicate: {r.id: r for r in v.rules if r.metric.startswith("area_ratio")}
        for predicate, v in verdicts.items()
    }
    first = next(iter(by_predicate.values()), {})
    rows = []
    for rule_id, rule in first.items():
        floors = tuple(
            Floor(predicate, rules[rule_id].threshold)
            for predicate, rules in by_predicate.items()
            if rule_id in rules
        )
        rows.append(FloorRow(rule.label_en if english else rule.label, rule.value, floors))
    return rows


def tier_floor_chart(result: TierResult, tier: tiers.Tier, target: str) -> Chart:
    """One tier's area scores against the floors of both predicates (the unit's page)."""
    label = tier.label_en if in_english() else tier.label
    return floor_chart(
        f"floors-{tier.code}",
        floor_rows(result.verdicts),
        target=target,
        title=_("Nilai area menurut %(tier)s dibandingkan batas WBK dan WBBM", tier=label),
    )


def lke_floor_chart(
    framework: Framework, report: ScoreReport, cycle: Cycle, tier: tiers.Tier, target: str
) -> Chart:
    """The LKE page's tier: its area scores against both predicates' floors, under the
    cycle's D5 reading (the area rules do not read the active-WBK fact)."""
    verdicts = {
        p.code: evaluate(
            framework, report, p.code, has_active_wbk=False, area_floor_mode=cycle.area_floor_mode
        )
        for p in framework.eligibility.predicates
    }
    return tier_floor_chart(TierResult(tier.code, report, verdicts), tier, target)


def enrolment_floor_chart(
    results: Mapping[str, TierResult | None], tier_list: Sequence[tiers.Tier], target: str
) -> Chart | None:
    """The floors chart of the furthest tier that has an LKE (the one whose verdict the page
    shows), or None before any."""
    for tier in reversed(tier_list):
        result = results.get(tier.code)
        if result is not None:
            return tier_floor_chart(result, tier, target)
    return None


def dashboard_charts(
    session: Session,
    scope: Scope,
    cycle: Cycle | None,
    filters: dashboards.Filters,
    board: dashboards.Board | None,
) -> list[Chart]:
    """The dashboard's two charts for the units it lists: how many stand at each stage, and
    the spread of their area scores with the floors."""
    if cycle is None or board is None:
        return []
    shown = [(s, n) for s, n in board.stage_counts.items() if n]
    if filters.stage:
        shown = [(s, n) for s, n in shown if s is filters.stage]
    order = list(STAGE_LABELS)
    english = in_english()
    stages = _stages_chart(
        tuple(sorted(shown, key=lambda p: order.index(p[0]))), cycle.year, english
    )
    # Issue 18 §3: the spread covers every unit of the country; the drawn chart is reused for
    # a minute (``tracker.memo``), per scope, filters (not the page) and language.
    key = ("spread_chart", cycle.id, scope, astuple(replace(filters, page=1)), english)
    spreads = figures().get(key, lambda: _spread_chart(session, scope, cycle, filters, english))
    return [stages, spreads]


@lru_cache(maxsize=256)
def _stages_chart(counts: tuple[tuple[Stage, int], ...], year: int, english: bool) -> Chart:
    """How many units stand at each stage, drawn once per set of counts and language (issue 18
    §3: drawing it was a tenth of the dashboard); ``english`` keys the translated texts."""
    return count_chart(
        "chart-stages",
        [(_(STAGE_LABELS[s]), n) for s, n in counts],
        title=_("Unit per tahap, siklus %(year)s", year=year),
        what=_("Unit"),
    )


def _spread_chart(
    session: Session, scope: Scope, cycle: Cycle, filters: dashboards.Filters, english: bool
) -> Chart:
    areas, spread = statistics.area_spread(session, scope, cycle, filters)
    floors = [Floor(p, t) for p, t in _area_floors(cycle).items()]
    return spread_chart(
        "chart-spread",
        [
            Spread(f"{a.number}. {a.name_en if english else a.name}", tuple(spread[a.number]))
            for a in areas
        ],
        floors,
        title=_("Sebaran nilai area unit, siklus %(year)s", year=cycle.year),
    )


def _area_floors(cycle: Cycle) -> dict[str, Decimal]:
    """The lowest area floor of each predicate in the cycle's rule block (D5)."""
    eligibility = framework_of(cycle.framework).eligibility
    out = {}
    for predicate in eligibility.predicates:
        floors = [r.threshold for r in predicate.rules if r.metric.startswith("area_ratio")]
        if floors:
            out[predicate.code] = min(floors)
    return out


def calibration_chart(result: statistics.Calibration) -> Chart:
    english = in_english()
    rows = []
    for area in result.areas:
        series = tuple(
            Difference(str(year), *result.means[(area.number, year)])
            for year in result.years
            if (area.number, year) in result.means
        )
        if series:
            name = area.name_en if english else area.name
            rows.append(DifferenceRow(f"{area.number}. {name}", series))
    return difference_chart(
        "chart-calibration", rows, title=_("Selisih nilai TPI dan TPN per area")
    )
