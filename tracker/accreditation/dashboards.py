"""Dashboards and queues: units of a cycle with every tier's cached scores, in a fixed
number of queries whatever the number of units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from tracker.accreditation import reviews, tiers
from tracker.accreditation.models import Assessment, Cycle, Enrolment, Predicate
from tracker.accreditation.workflow import Stage
from tracker.agencies.models import Agency, Unit
from tracker.agencies.services import unit_filter
from tracker.auth.access import Scope
from tracker.auth.roles import Role
from tracker.lke.services import framework_of

PER_PAGE = 25


@dataclass(frozen=True)
class Filters:
    agency_id: int | None = None
    stage: Stage | None = None
    predicate: Predicate | None = None
    q: str = ""
    page: int = 1


@dataclass
class Board:
    rows: list[tuple[Enrolment, dict[str, Assessment]]]
    total: int
    stage_counts: dict[Stage, int]
    page: int
    pages: int
    tiers: list[tiers.Tier] = field(default_factory=list)


def _conditions(scope: Scope, cycle: Cycle, f: Filters) -> list[ColumnElement[bool]]:
    where = [Enrolment.cycle_id == cycle.id, unit_filter(scope)]
    if f.agency_id:
        where.append(Enrolment.agency_id == f.agency_id)
    if f.predicate:
        where.append(Enrolment.target == f.predicate)
    if f.q:
        where.append(func.lower(Unit.name).contains(f.q.lower()[:100], autoescape=True))
    return where


def board(session: Session, scope: Scope, cycle: Cycle, filters: Filters) -> Board:
    """One page of the cycle's enrolments within ``scope`` and the counts per stage."""
    where = _conditions(scope, cycle, filters)
    base = select(Enrolment).join(Enrolment.unit).join(Unit.agency).where(*where)
    counts = dict(
        session.execute(
            select(Enrolment.stage, func.count())
            .join(Enrolment.unit)
            .where(*where)
            .group_by(Enrolment.stage)
        ).all()
    )
    if filters.stage:
        base = base.where(Enrolment.stage == filters.stage)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, filters.page), pages)
    enrolments = (
        session.scalars(
            base.options(contains_eager(Enrolment.unit).contains_eager(Unit.agency))
            .order_by(Agency.name, Unit.path)
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE)
        )
        .unique()
        .all()
    )
    by_enrolment = tiers_of(session, [e.id for e in enrolments])
    return Board(
        [(e, by_enrolment.get(e.id, {})) for e in enrolments],
        total,
        counts,
        page,
        pages,
        list(tiers.parse_tiers(cycle.tiers)),
    )


def tiers_of(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Assessment]]:
    out: dict[int, dict[str, Assessment]] = {}
    if ids:
        for a in session.scalars(select(Assessment).where(Assessment.enrolment_id.in_(ids))):
            out.setdefault(a.enrolment_id, {})[a.tier] = a
    return out


def review_queue(
    session: Session, scope: Scope, roles: frozenset[Role]
) -> list[reviews.QueueEntry]:
    """Enrolments waiting for a tier the user reviews, within scope, oldest first."""
    configured = session.scalars(select(Cycle.tiers).where(Cycle.open.is_(True))).all()
    stages = {
        s
        for data in configured
        for t in tiers.parse_tiers(data)
        if t.reviews and t.roles & roles
        for s in t.active_in
    }
    if not stages:
        return []
    enrolments = (
        session.scalars(
            select(Enrolment)
            .join(Enrolment.unit)
            .where(unit_filter(scope), Enrolment.stage.in_(stages))
            .options(
                contains_eager(Enrolment.unit).joinedload(Unit.agency), joinedload(Enrolment.cycle)
            )
            .order_by(Enrolment.stage_since)
            .limit(500)
        )
        .unique()
        .all()
    )
    # Keep those whose reviewing tier (per their own cycle's configuration) is one of the user's.
    mine = [
        e
        for e in enrolments
        if (t := tiers.tier_for_stage(tiers.parse_tiers(e.cycle.tiers), e.stage))
        and t.roles & roles
    ]
    counts = {e.id: sum(1 for _ in framework_of(e.cycle.framework).items()) for e in mine}
    return reviews.queue(session, mine, counts)


def active_work(
    session: Session, scope: Scope, limit: int = 12
) -> list[tuple[Enrolment, dict[str, Assessment]]]:
    """Enrolments in scope that are still moving, in open cycles, most recently moved first:
    what the home page shows each user."""
    enrolments = (
        session.scalars(
            select(Enrolment)
            .join(Enrolment.unit)
            .join(Enrolment.cycle)
            .where(
                unit_filter(scope),
                Cycle.open.is_(True),
                Enrolment.stage.not_in(
                    [Stage.COACHING, Stage.NOT_PASSED, Stage.REVOKED, Stage.VOID]
                ),
            )
            .options(
                contains_eager(Enrolment.unit).joinedload(Unit.agency),
                contains_eager(Enrolment.cycle),
            )
            .order_by(Enrolment.stage_since.desc())
            .limit(limit)
        )
        .unique()
        .all()
    )
    by_enrolment = tiers_of(session, [e.id for e in enrolments])
    return [(e, by_enrolment.get(e.id, {})) for e in enrolments]
