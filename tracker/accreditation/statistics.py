"""Figures behind the dashboards' charts and downloads (issue 16 §4, §6), each in a fixed number
of queries whatever the number of units: they read the scores each tier keeps cached on its
assessment (``Assessment.summary``), never re-score answers.

Every function takes the viewer's ``Scope``: a chart or a download shows exactly the units the
page would list.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session, contains_eager

from tracker.accreditation import dashboards, tiers
from tracker.accreditation.models import Assessment, Cycle, Enrolment
from tracker.accreditation.tiers import TierCode
from tracker.agencies.models import Agency, Unit
from tracker.agencies.services import unit_filter
from tracker.auth.access import Scope
from tracker.exports import MAX_ROWS
from tracker.lke.framework import Framework
from tracker.lke.scoring import score
from tracker.lke.services import framework_of

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class AreaInfo:
    number: str
    name: str
    name_en: str
    weight: Decimal


def areas_of(framework: Framework) -> list[AreaInfo]:
    """The six areas of ``framework`` with their weights (read from an empty scoring)."""
    report = score(framework, {})
    return [AreaInfo(n, a.name, a.name_en, a.total.weight) for n, a in sorted(report.areas.items())]


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _area_points(summary: Mapping[str, Any] | None) -> dict[str, Decimal]:
    """An assessment's cached area scores (points), empty for one never scored."""
    areas = (summary or {}).get("areas") or {}
    out = {}
    for number, text in areas.items():
        value = _decimal(text)
        if value is not None:
            out[str(number)] = value
    return out


def area_spread(
    session: Session, scope: Scope, cycle: Cycle, filters: dashboards.Filters
) -> tuple[list[AreaInfo], dict[str, list[Decimal]]]:
    """Each area's score (percent of its weight) of every unit on the board, as the furthest
    tier that has scored it judged (the unit's own, then TPI's, then TPN's). Two queries: the
    cycle's framework and the assessments.

    Issue 18 §3: the database picks each unit's furthest tier (a window over the ids of its
    assessments) and reads only the area scores out of that one's cached summary, so 5,000
    units move one short JSON object each, not every tier's whole summary."""
    areas = areas_of(framework_of(cycle.framework))
    if not areas:
        return areas, {}
    order = {t.code: i for i, t in enumerate(tiers.parse_tiers(cycle.tiers))}
    rank = case(order, value=Assessment.tier, else_=-1) if order else literal(-1)
    # The window ranks ids only; the area scores (one JSON object) are read for the winners
    # alone. Sorting every tier's row with six extracted texts took most of the dashboard's time.
    ranked = (
        select(
            Assessment.id,
            func.row_number()
            .over(partition_by=Assessment.enrolment_id, order_by=rank.desc())
            .label("furthest"),
        )
        .join(Enrolment, Enrolment.id == Assessment.enrolment_id)
        .join(Enrolment.unit)
        .where(
            *dashboards.matching(scope, cycle, filters),
            Assessment.answered > 0,
            Assessment.score_total.is_not(None),  # scored at all (set with the summary)
        )
        .subquery()
    )
    # The area scores as JSON text, decoded here: PostgreSQL re-parses a ``json`` value for
    # every key taken out of it (six keys cost five times one object), and the driver's own
    # decoding of 5,000 objects took longer than ``json.loads`` on their text.
    rows = session.scalars(
        select(Assessment.summary["areas"].as_string())
        .join(ranked, ranked.c.id == Assessment.id)
        .where(ranked.c.furthest == 1)
    )
    spread: dict[str, list[Decimal]] = {a.number: [] for a in areas}
    columns = [(a.number, spread[a.number], a.weight) for a in areas if a.weight]
    for text in rows:
        points = json.loads(text) if text else {}
        for number, values, weight in columns:
            if (value := _decimal(points.get(number))) is not None:
                values.append(value / weight * HUNDRED)
    return areas, spread


@dataclass(frozen=True)
class UnitDifference:
    """One unit in one year: TPI's area scores minus TPN's, in points."""

    year: int
    unit: str
    agency: str
    enrolment_id: int
    by_area: dict[str, Decimal]


@dataclass(frozen=True)
class Calibration:
    areas: list[AreaInfo]
    units: list[UnitDifference]  # the latest year first, then agency and unit
    # (area, year) -> (mean difference, number of units)
    means: dict[tuple[str, int], tuple[Decimal, int]]

    @property
    def years(self) -> list[int]:
        return sorted({year for _area, year in self.means})


def calibration(session: Session, scope: Scope) -> Calibration:
    """Assessor calibration: for every unit in ``scope`` that both TPI and TPN scored, in any
    cycle, the difference per area, and its mean per area and year. Two queries: the latest
    cycle's framework (for the area names) and the two tiers' cached scores."""
    latest = session.scalars(select(Cycle).order_by(Cycle.year.desc()).limit(1)).first()
    areas = areas_of(framework_of(latest.framework)) if latest else []
    rows = session.execute(
        select(
            Assessment.enrolment_id,
            Assessment.tier,
            Assessment.summary,
            Cycle.year,
            Unit.name,
            Agency.short_name,
        )
        .join(Enrolment, Enrolment.id == Assessment.enrolment_id)
        .join(Enrolment.cycle)
        .join(Enrolment.unit)
        .join(Unit.agency)
        .where(
            unit_filter(scope),
            Assessment.tier.in_([TierCode.TPI.value, TierCode.TPN.value]),
            Assessment.answered > 0,
        )
        .order_by(Cycle.year.desc(), Agency.short_name, Unit.name, Enrolment.id)
    ).all()
    scored: dict[int, dict[str, dict[str, Decimal]]] = defaultdict(dict)
    about: dict[int, tuple[int, str, str]] = {}
    for enrolment_id, tier, summary, year, unit, agency in rows:
        scored[enrolment_id][tier] = _area_points(summary)
        about[enrolment_id] = (year, unit, agency)
    units = []
    for enrolment_id, by_tier in scored.items():
        tpi, tpn = by_tier.get(TierCode.TPI.value), by_tier.get(TierCode.TPN.value)
        if not tpi or not tpn:
            continue
        year, unit, agency = about[enrolment_id]
        diff = {n: tpi[n] - tpn[n] for n in tpi.keys() & tpn.keys()}
        units.append(UnitDifference(year, unit, agency, enrolment_id, diff))
    return Calibration(areas, units, _means(units))


def _means(units: Sequence[UnitDifference]) -> dict[tuple[str, int], tuple[Decimal, int]]:
    sums: dict[tuple[str, int], list[Decimal]] = defaultdict(list)
    for u in units:
        for area, value in u.by_area.items():
            sums[(area, u.year)].append(value)
    return {key: (sum(v, Decimal(0)) / len(v), len(v)) for key, v in sums.items()}


@dataclass(frozen=True)
class BoardRow:
    enrolment: Enrolment
    by_tier: dict[str, Assessment]


def board_rows(
    session: Session, scope: Scope, cycle: Cycle, filters: dashboards.Filters
) -> list[BoardRow]:
    """Every enrolment the board lists under ``filters`` (all pages, at most ``MAX_ROWS``) with
    each tier's cached scores, in the board's order: what its download holds. Two queries."""
    where = dashboards.matching(scope, cycle, filters)
    enrolments = (
        session.scalars(
            select(Enrolment)
            .join(Enrolment.unit)
            .join(Unit.agency)
            .where(*where)
            .options(contains_eager(Enrolment.unit).contains_eager(Unit.agency))
            .order_by(Agency.name, Unit.path)
            .limit(MAX_ROWS)
        )
        .unique()
        .all()
    )
    ids = select(Enrolment.id).join(Enrolment.unit).where(*where)
    by_enrolment: dict[int, dict[str, Assessment]] = defaultdict(dict)
    for a in session.scalars(select(Assessment).where(Assessment.enrolment_id.in_(ids))):
        by_enrolment[a.enrolment_id][a.tier] = a
    return [BoardRow(e, by_enrolment.get(e.id, {})) for e in enrolments]
