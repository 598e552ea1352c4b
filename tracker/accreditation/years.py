"""Year over year (issue 16 §3): one unit's LKE across its cycles, and an agency's units' final
scores and predicates by year. Read-only; each page in a fixed number of queries.

The value shown for a cycle is the one that decided it: the answers and cached scores of the
last tier that assessed the unit that year (``carry.deciding_tier``: TPN over TPI over the
preliminary assessor over the unit itself, D8), named on the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from tracker.accreditation import carry, cycles, tiers
from tracker.accreditation.models import (
    Answer,
    Assessment,
    Cycle,
    Designation,
    Enrolment,
    Predicate,
)
from tracker.agencies.models import Unit
from tracker.lke import Framework
from tracker.lke.services import framework_of


@dataclass(frozen=True)
class CycleColumn:
    """One enrolment of the unit, as decided."""

    enrolment: Enrolment
    tier: str | None  # the deciding tier's code; None: no LKE that year
    tier_label: str
    tier_label_en: str
    assessment: Assessment | None
    designation: Designation | None

    @property
    def year(self) -> int:
        return self.enrolment.cycle.year

    @property
    def total(self) -> Decimal | None:
        a = self.assessment
        return Decimal(a.score_total) if a is not None and a.score_total else None

    def area_score(self, key: str) -> Decimal | None:
        summary = self.assessment.summary if self.assessment is not None else {}
        raw = summary.get("hasil") if key == "B" else summary.get("areas", {}).get(key)
        return Decimal(raw) if raw is not None else None


@dataclass(frozen=True)
class Cell:
    value: Any
    tier_label: str
    tier_label_en: str


@dataclass(frozen=True)
class ItemRow:
    code: str
    text: str
    text_en: str
    cells: list[Cell | None]

    @property
    def differs(self) -> bool:
        values = [c.value for c in self.cells if c is not None]
        return len({repr(v) for v in values}) > 1


@dataclass(frozen=True)
class AreaBlock:
    key: str
    name: str
    name_en: str
    scores: list[Decimal | None]
    items: list[ItemRow] = field(default_factory=list)


@dataclass(frozen=True)
class UnitYears:
    unit: Unit
    columns: list[CycleColumn]
    areas: list[AreaBlock]


def _area_names(framework: Framework) -> dict[str, tuple[str, str]]:
    names = {area.number: (area.name, area.name_en) for _p, area in framework.areas()}
    return {**names, "B": ("Hasil", "Results")}


def _deciding(session: Session, enrolments: Sequence[Enrolment]) -> dict[int, Assessment]:
    """The deciding tier's assessment of each enrolment (one query)."""
    ids = [e.id for e in enrolments]
    found: dict[int, dict[str, Assessment]] = {i: {} for i in ids}
    if ids:
        for a in session.scalars(select(Assessment).where(Assessment.enrolment_id.in_(ids))):
            found[a.enrolment_id][a.tier] = a
    out = {}
    for e in enrolments:
        tier = carry.deciding_tier(e.cycle, set(found[e.id]))
        if tier is not None:
            out[e.id] = found[e.id][tier]
    return out


def _labels(cycle: Cycle, code: str | None) -> tuple[str, str]:
    if code is None:
        return "", ""
    try:
        tier = tiers.by_code(cycles.cycle_tiers(cycle), code)
    except KeyError:
        return code, code
    return tier.label, tier.label_en


def _designations(session: Session, unit_ids: Sequence[int]) -> Sequence[Designation]:
    if not unit_ids:
        return []
    return session.scalars(
        select(Designation)
        .where(Designation.unit_id.in_(unit_ids))
        .order_by(Designation.year, Designation.id)
    ).all()


def unit_years(session: Session, unit: Unit) -> UnitYears:
    """The unit's cycles, oldest first, with the deciding tier's area scores and answers (four
    queries whatever the number of cycles and items)."""
    enrolments = list(
        session.scalars(
            select(Enrolment)
            .join(Enrolment.cycle)
            .options(contains_eager(Enrolment.cycle))
            .where(Enrolment.unit_id == unit.id)
            .order_by(Cycle.year)
        ).all()
    )
    deciding = _deciding(session, enrolments)
    by_enrolment = {d.enrolment_id: d for d in _designations(session, [unit.id]) if d.enrolment_id}
    columns = []
    for e in enrolments:
        a = deciding.get(e.id)
        label, label_en = _labels(e.cycle, a.tier if a else None)
        columns.append(
            CycleColumn(e, a.tier if a else None, label, label_en, a, by_enrolment.get(e.id))
        )
    values: dict[int, dict[str, Any]] = {a.id: {} for a in deciding.values()}
    if values:
        rows = session.execute(
            select(Answer.assessment_id, Answer.item_code, Answer.value).where(
                Answer.assessment_id.in_(list(values))
            )
        ).all()
        for assessment_id, code, value in rows:
            if value is not None:
                values[assessment_id][code] = value
    areas: list[AreaBlock] = []
    if columns:
        framework = framework_of(columns[-1].enrolment.cycle.framework)  # the newest
        names = _area_names(framework)
        blocks = {
            key: AreaBlock(key, *names[key], [c.area_score(key) for c in columns])
            for key in tiers.AREA_KEYS
            if key in names
        }
        for item in framework.items():
            cells: list[Cell | None] = []
            for c in columns:
                found = values.get(c.assessment.id, {}) if c.assessment else {}
                cells.append(
                    Cell(found[item.code], c.tier_label, c.tier_label_en)
                    if item.code in found
                    else None
                )
            block = blocks.get(tiers.area_of(item.code))
            if block is not None:
                block.items.append(ItemRow(item.code, item.text, item.text_en, cells))
        areas = list(blocks.values())
    return UnitYears(unit, columns, areas)


@dataclass(frozen=True)
class YearCell:
    score: Decimal | None
    target: Predicate | None
    tier_label: str
    tier_label_en: str
    predicate: Designation | None
    enrolment_id: int | None


@dataclass(frozen=True)
class AgencyYears:
    years: list[int]
    rows: list[tuple[Unit, list[YearCell | None]]]


def agency_years(session: Session, agency_id: int) -> AgencyYears:
    """The agency's units that took part in a cycle or hold a designation, by name, against
    every year on file: the final score (deciding tier) and the predicate designated that year
    (four queries)."""
    enrolments = list(
        session.scalars(
            select(Enrolment)
            .join(Enrolment.cycle)
            .options(contains_eager(Enrolment.cycle))
            .where(Enrolment.agency_id == agency_id)
        ).all()
    )
    deciding = _deciding(session, enrolments)
    designations = session.scalars(
        select(Designation).where(Designation.agency_id == agency_id)
    ).all()
    unit_ids = {e.unit_id for e in enrolments} | {d.unit_id for d in designations}
    units = (
        session.scalars(select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.name)).all()
        if unit_ids
        else []
    )
    years = sorted({e.cycle.year for e in enrolments} | {d.year for d in designations})
    cells: dict[tuple[int, int], YearCell] = {}
    for e in enrolments:
        a = deciding.get(e.id)
        label, label_en = _labels(e.cycle, a.tier if a else None)
        total = Decimal(a.score_total) if a is not None and a.score_total else None
        cells[(e.unit_id, e.cycle.year)] = YearCell(total, e.target, label, label_en, None, e.id)
    for d in designations:
        key = (d.unit_id, d.year)
        found = cells.get(key)
        if found is None:
            cells[key] = YearCell(None, None, "", "", d, None)
        elif found.predicate is None or d.predicate is Predicate.WBBM:
            cells[key] = YearCell(
                found.score,
                found.target,
                found.tier_label,
                found.tier_label_en,
                d,
                found.enrolment_id,
            )
    rows = [(u, [cells.get((u.id, y)) for y in years]) for u in units]
    return AgencyYears(years, rows)


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


Named = TypeVar("Named", bound=_HasId)


def agency_for_link(agencies: Sequence[Named], chosen: int | None) -> Named | None:
    """The agency whose scores by year the dashboard links to: the one its filter chose, or
    the only one the viewer sees; None when the viewer sees several and chose none."""
    picked = [a for a in agencies if a.id == chosen]
    if picked:
        return picked[0]
    return agencies[0] if len(agencies) == 1 else None
