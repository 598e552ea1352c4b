"""Dashboards and queues: units of a cycle with every tier's cached scores, in a fixed
number of queries whatever the number of units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, contains_eager, defer, lazyload, selectinload

from tracker.accreditation import reviews, tiers
from tracker.accreditation.models import Assessment, Cycle, Enrolment, Predicate
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import Stage
from tracker.agencies.models import Agency, Unit
from tracker.agencies.services import unit_filter
from tracker.auth.access import Scope
from tracker.auth.roles import Role
from tracker.lke.services import framework_of
from tracker.paging import page_count, page_number

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
        # ILIKE on PostgreSQL, which the units' trigram index serves (migration 0020).
        where.append(Unit.name.icontains(f.q[:100], autoescape=True))
    return where


def matching(scope: Scope, cycle: Cycle, f: Filters) -> list[ColumnElement[bool]]:
    """The WHERE clauses of every enrolment the board lists under ``f`` (all pages, the stage
    filter too; the query joins Enrolment.unit): what its charts and exports read."""
    where = _conditions(scope, cycle, f)
    return [*where, Enrolment.stage == f.stage] if f.stage else where


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
    # The rows the page lists are the counted ones (of the one stage, when filtered by it).
    total = counts.get(filters.stage, 0) if filters.stage else sum(counts.values())
    pages = page_count(total, PER_PAGE)
    page = page_number(filters.page, total, PER_PAGE)
    enrolments = (
        session.scalars(
            base.options(
                contains_eager(Enrolment.unit).contains_eager(Unit.agency),
                # The board's one cycle is in the session already: not joined into every row.
                lazyload(Enrolment.cycle),
            )
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
    """Each enrolment's assessments by tier, for the lists that show their progress and score:
    without their summary (every area's figures as JSON), which no list reads."""
    out: dict[int, dict[str, Assessment]] = {}
    if ids:
        stmt = select(Assessment).where(Assessment.enrolment_id.in_(ids))
        for a in session.scalars(stmt.options(defer(Assessment.summary, raiseload=True))):
            out.setdefault(a.enrolment_id, {})[a.tier] = a
    return out


# Entries per page of the review queue (issue 18 §3): 25, as the dashboard, registry and home.
QUEUE_PAGE = 25


@dataclass(frozen=True)
class QueuePage:
    """One page of the review queue, oldest first, and how many wait in all."""

    entries: list[reviews.QueueEntry]
    page: int
    pages: int
    total: int


def _review_stages(session: Session, roles: frozenset[Role]) -> set[Stage]:
    configured = session.scalars(select(Cycle.tiers).where(Cycle.open.is_(True))).all()
    return {
        s
        for data in configured
        for t in tiers.parse_tiers(data)
        if t.reviews and t.roles & roles
        for s in t.active_in
    }


def review_queue_page(
    session: Session, scope: Scope, roles: frozenset[Role], page: int = 1
) -> QueuePage:
    """``review_queue`` a page at a time: a count and ``QUEUE_PAGE`` enrolments, in a fixed
    number of queries whatever the number of units (issue 18 §3)."""
    stages = _review_stages(session, roles)
    if not stages:
        return QueuePage([], 1, 1, 0)
    where = (unit_filter(scope), Enrolment.stage.in_(stages))
    total = session.scalar(select(func.count(Enrolment.id)).join(Enrolment.unit).where(*where)) or 0
    pages = page_count(total, QUEUE_PAGE)
    page = page_number(page, total, QUEUE_PAGE)
    return QueuePage(
        _queue(session, roles, stages, where, (page - 1) * QUEUE_PAGE, QUEUE_PAGE),
        page,
        pages,
        total,
    )


def review_queue(
    session: Session, scope: Scope, roles: frozenset[Role]
) -> list[reviews.QueueEntry]:
    """Enrolments waiting for a tier the user reviews, within scope, oldest first (at most
    500: the workload page; the queue page reads ``review_queue_page``)."""
    stages = _review_stages(session, roles)
    if not stages:
        return []
    return _queue(session, roles, stages, (unit_filter(scope), Enrolment.stage.in_(stages)), 0, 500)


def _queue(
    session: Session,
    roles: frozenset[Role],
    stages: set[Stage],
    where: tuple[ColumnElement[bool], ...],
    offset: int,
    limit: int,
) -> list[reviews.QueueEntry]:
    enrolments = (
        session.scalars(
            select(Enrolment)
            .join(Enrolment.unit)
            .where(*where)
            .options(
                contains_eager(Enrolment.unit).joinedload(Unit.agency),
                # Their few cycles in one more query, not joined (with their JSON tier lists,
                # decoded again) into each of the page's rows: issue 18 §3, a row's cost.
                selectinload(Enrolment.cycle),
            )
            .order_by(Enrolment.stage_since, Enrolment.id)
            .offset(offset)
            .limit(limit)
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
    counts = {e.id: framework_of(e.cycle.framework).item_count() for e in mine}
    return reviews.queue(session, mine, counts)


def active_work(
    session: Session, scope: Scope, limit: int = 12
) -> list[tuple[Enrolment, Assessment | None]]:
    """Enrolments in scope that are still moving, in open cycles, most recently moved first,
    each with the unit's own assessment (its progress and score): what the home page shows
    each user."""
    unit_assessment = and_(
        Assessment.enrolment_id == Enrolment.id, Assessment.tier == TierCode.UNIT
    )
    rows = session.execute(
        select(Enrolment, Assessment)
        .join(Enrolment.unit)
        .join(Enrolment.cycle)
        .outerjoin(Assessment, unit_assessment)
        .where(
            unit_filter(scope),
            Cycle.open.is_(True),
            Enrolment.stage.not_in([Stage.COACHING, Stage.NOT_PASSED, Stage.REVOKED, Stage.VOID]),
        )
        .options(
            contains_eager(Enrolment.unit).joinedload(Unit.agency),
            contains_eager(Enrolment.cycle),
            defer(Assessment.summary, raiseload=True),  # no list reads every area's figures
        )
        .order_by(Enrolment.stage_since.desc(), Enrolment.id.desc())  # one order on a tie
        .limit(limit)
    )
    return [(e, a) for e, a in rows]
