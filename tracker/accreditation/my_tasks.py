"""Gathering "Tugas saya" for one user within their scope, in a fixed number of queries.

Whatever the number of enrolments and items, the facts come from about ten queries: the
enrolments in scope, the deadline extensions of their cycles, the latest review decisions, the
unit's answers and evidence, the sign-offs, the prerequisites, the designations and their
monitoring reports. ``worklist`` (pure) turns them into tasks and orders them.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Date,
    Exists,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    not_,
    null,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, contains_eager, joinedload, lazyload

from tracker.accreditation import (
    assignments,
    cycles,
    deadlines,
    duties,
    prerequisites,
    reviews,
    tiers,
    worklist,
)
from tracker.accreditation.assignment_models import ReviewerAssignment
from tracker.accreditation.deployment import Deployment, acting_roles
from tracker.accreditation.models import (
    Answer,
    AreaSignOff,
    Assessment,
    Cycle,
    DeadlineExtension,
    DecisionKind,
    Designation,
    Enrolment,
    ItemDecision,
    MonitoringReport,
    Predicate,
    Prerequisite,
)
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import (
    FINAL,
    PROPOSED_STAGES,
    Deadline,
    Stage,
    monitoring_due,
    monitoring_paused,
)
from tracker.agencies.models import Unit
from tracker.agencies.services import unit_filter
from tracker.auth.access import Grant, Scope, UnitRef, editable_areas, roles_for_unit, scope_of
from tracker.auth.duties import memberships
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.evidence.models import EvidenceFile, EvidencePurpose, EvidenceStatus
from tracker.i18n import in_english
from tracker.lke.framework import Framework
from tracker.lke.services import framework_of

UNIT_ROLES = frozenset({Role.KOORDINATOR, Role.ANGGOTA_POKJA})
DESIGNATED = frozenset({Stage.DESIGNATED, Stage.MONITORING})
# Cycle dates that are not extendable deadlines but still bound a stage (worklist.STAGE_DUE).
_CYCLE_DATES = ("desk_evaluation_start", "field_evaluation_start", "designation_date")
REVIEW_KINDS = frozenset({worklist.TaskKind.REVIEW, worklist.TaskKind.SIGN_OFF})
LIMIT = 500  # enrolments looked at per user; TPN's national queue is the largest


@dataclass(frozen=True)
class MyTasks:
    tasks: list[worklist.Task]
    upcoming: worklist.Upcoming | None  # what comes next, said when no task is due
    # With ``urgent``: how many enrolments in scope were left out, their deadlines further off.
    more_units: int = 0

    def reviews_beyond(self, shown: int) -> bool:
        """Whether review work lies beyond the first ``shown`` tasks (the review queue lists
        it): a review or sign-off not shown, or units left unread by a reviewer."""
        reviewing = [t.kind in REVIEW_KINDS for t in self.tasks]
        return any(reviewing[shown:]) or (self.more_units > 0 and any(reviewing))


@dataclass(frozen=True)
class StageDue:
    """The deadline of the stage an enrolment is in, as the enrolment pages show it."""

    label: str  # untranslated (``N_``)
    due: date
    days_left: int

    @property
    def urgency(self) -> worklist.Urgency:
        return worklist.urgency(self.days_left)

    @property
    def days_phrase(self) -> str:
        return worklist.days_phrase(self.days_left)


@dataclass(frozen=True)
class _Place:
    """One enrolment and what the user is there."""

    enrolment: Enrolment
    roles: frozenset[Role]
    areas: frozenset[int]
    member: bool  # belongs to the unit (separation of duties)
    tier: tiers.Tier | None  # the deciding tier of its stage

    @property
    def builds(self) -> bool:
        return bool(self.roles & UNIT_ROLES)

    @property
    def reviews(self) -> bool:
        t = self.tier
        return bool(t and t.reviews and self.roles & t.roles and not self.member)


Pair = tuple[int, int | None]  # (cycle id, agency id): the dates after that agency's extensions


# What ``Dues`` reads, each statement built once (issue 18 §3: building one cost about as
# much as running it, and the home page runs them on every view); ``ids`` is bound per call.


@cache
def _cycles() -> Select[Cycle]:
    return select(Cycle).where(Cycle.id.in_(bindparam("ids", expanding=True)))


@cache
def _open_cycles() -> Select[Cycle]:
    # With their framework: the item counts read it.
    return select(Cycle).where(Cycle.open.is_(True)).options(joinedload(Cycle.framework))


@cache
def _extensions() -> Select[int, Deadline, int | None, date]:
    return (
        select(
            DeadlineExtension.cycle_id,
            DeadlineExtension.deadline,
            DeadlineExtension.agency_id,
            DeadlineExtension.new_date,
        )
        .where(DeadlineExtension.cycle_id.in_(bindparam("ids", expanding=True)))
        .order_by(DeadlineExtension.id)
    )


@cache
def _designations() -> Select[Designation]:
    # Its dates and predicate are read, not its unit and agency (joined by default).
    return (
        select(Designation)
        .where(
            Designation.enrolment_id.in_(bindparam("ids", expanding=True)),
            Designation.revoked_on.is_(None),
        )
        .options(lazyload(Designation.unit), lazyload(Designation.agency))
    )


@cache
def _reports() -> Select[int, date]:
    return select(MonitoringReport.designation_id, MonitoringReport.reported_on).where(
        MonitoringReport.designation_id.in_(bindparam("ids", expanding=True))
    )


class Dues:
    """The stage deadlines one page reads, each read once however often it is asked (issue 18
    §3: the home page asked three times, to rank the units, for their tasks and for the running
    units): each cycle's extensions, each designation and its next monitoring report."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._base: dict[int, dict[str, date | None]] = {}
        self._extensions: dict[int, list[tuple[Deadline, int | None, date]]] = {}
        self._everyone: dict[int, dict[str, date | None]] = {}  # shared: read, never changed
        self._own: dict[int, set[int]] = {}  # the agencies with an extension of their own
        self._designations: dict[int, Designation | None] = {}
        self._monitoring: dict[int, date] = {}
        self._open: list[Cycle] | None = None

    def open_cycles(self) -> list[Cycle]:
        """The open cycles (few), read once: the stages a reviewer has work in and the
        deadlines the ranking binds both come from them."""
        if self._open is None:
            self._open = list(self._session.scalars(_open_cycles()))
            for cycle in self._open:
                self._add_cycle(cycle)
        return self._open

    def own_agencies(self, cycle_id: int) -> frozenset[int]:
        """The agencies with an extension of their own in the cycle (once ``dates`` read it)."""
        return frozenset(self._own.get(cycle_id, ()))

    def dates_of(self, enrolments: Sequence[Enrolment]) -> dict[Pair, dict[str, date | None]]:
        for e in enrolments:  # their cycles are loaded: no need to read them again
            self._add_cycle(e.cycle)
        return self.dates({(e.cycle_id, e.agency_id): e.cycle_id for e in enrolments})

    def dates(self, pairs: dict[Pair, int]) -> dict[Pair, dict[str, date | None]]:
        """Each (cycle, agency)'s dates after extensions (``pairs`` name each one's cycle id):
        the rule of ``cycles.effective_deadlines`` (the latest of the base date and the
        extensions for all or for the agency wins), applied to many agencies at once."""
        unseen = set(pairs.values()) - self._base.keys()
        for cycle_id in list(unseen):  # the page may have loaded them already
            loaded = self._session.identity_map.get(self._session.identity_key(Cycle, cycle_id))
            if isinstance(loaded, Cycle):
                self._add_cycle(loaded)
                unseen.discard(cycle_id)
        if unseen:  # hundreds of agencies share a cycle: few rows
            for cycle in self._session.scalars(_cycles(), {"ids": sorted(unseen)}):
                self._add_cycle(cycle)
        new = [i for i in set(pairs.values()) if i not in self._extensions]
        for cycle_id in new:
            self._extensions[cycle_id] = []
            self._own[cycle_id] = set()
        if new:
            for cycle_id, deadline, agency_id, on in self._session.execute(
                _extensions(), {"ids": sorted(new)}
            ):
                self._extensions[cycle_id].append((deadline, agency_id, on))
                if agency_id is not None:
                    self._own[cycle_id].add(agency_id)
        return {pair: self._extended(*pair) for pair in pairs}

    def _add_cycle(self, cycle: Cycle) -> None:
        if cycle.id not in self._base:
            self._base[cycle.id] = {
                **{d.value: getattr(cycle, d.value) for d in Deadline},
                **{k: getattr(cycle, k) for k in _CYCLE_DATES},
            }

    def _extended(self, cycle_id: int, agency_id: int | None) -> dict[str, date | None]:
        """The one rule of extensions (issue 15 §3), as ``cycles.effective_deadlines`` applies
        it. An agency without an extension of its own has the cycle's dates after the
        extensions for everyone: worked out once per cycle, not for each of its 600 agencies."""
        extensions = self._extensions[cycle_id]
        if agency_id in self._own[cycle_id]:
            return deadlines.extended(self._base[cycle_id], extensions, agency_id)
        if cycle_id not in self._everyone:
            self._everyone[cycle_id] = deadlines.extended(self._base[cycle_id], extensions, None)
        return self._everyone[cycle_id]

    def designations(self, enrolment_ids: Iterable[int]) -> dict[int, Designation]:
        """The standing designation of each designated enrolment."""
        ids = set(enrolment_ids)
        new = ids - self._designations.keys()
        if new:
            self._designations.update(dict.fromkeys(new))
            for row in self._session.scalars(_designations(), {"ids": sorted(new)}):
                if row.enrolment_id is not None:  # picked by it
                    self._designations[row.enrolment_id] = row
            self._read_monitoring([self._designations[i] for i in new])
        return {i: d for i in ids if (d := self._designations[i]) is not None}

    def monitoring(self, enrolment_ids: Iterable[int]) -> dict[int, date]:
        """The next monitoring report of each designated enrolment."""
        ids = self.designations(enrolment_ids).keys()
        return {i: self._monitoring[i] for i in ids if i in self._monitoring}

    def _read_monitoring(self, designations: Iterable[Designation | None]) -> None:
        by_id = {d.id: d for d in designations if d is not None}
        if not by_id:
            return
        reports: dict[int, list[date]] = defaultdict(list)
        for designation_id, on in self._session.execute(_reports(), {"ids": sorted(by_id)}):
            reports[designation_id].append(on)
        for d in by_id.values():
            if d.enrolment_id is not None:
                self._monitoring[d.enrolment_id] = monitoring_due(d.decree_date, reports[d.id])


def my_tasks(
    session: Session,
    user: User,
    today: date,
    *,
    deployment: Deployment = Deployment.NATIONAL,
    enrolment_id: int | None = None,
    urgent: int | None = None,
    dues: Dues | None = None,
) -> MyTasks:
    """The user's tasks within their scope (only ``enrolment_id``'s when given), most urgent
    first, and what comes next.

    With ``urgent``, only the tasks of the ``urgent`` enrolments whose stage deadlines come
    first (the home page, issue 18 §3): TPN's scope holds hundreds of units nationally, and
    reading every one's decisions made the home page grow with the country. ``dues`` shares
    the deadlines read with the rest of the page."""
    dues = dues or Dues(session)
    grants = user.access_grants()
    stages = _stages(dues, acting_roles({g.role for g in grants}, deployment))
    more = 0
    if urgent is not None and enrolment_id is None:
        enrolments, more = _most_urgent(session, user, grants, stages, urgent, dues)
    else:
        only = [enrolment_id] if enrolment_id is not None else None
        enrolments = _enrolments(session, grants, stages, only)
    parsed: dict[int, tuple[tiers.Tier, ...]] = {}  # each cycle's tiers, parsed once
    places = [p for e in enrolments if (p := _place(e, grants, deployment, parsed)).roles]
    facts, subjects = _facts(session, user, places, dues)
    found = worklist.tasks(facts, today)
    upcoming = None
    if not found and not more:
        upcoming = worklist.next_up(
            list(subjects.values()), _open_cycle_dates(session, enrolment_id), today
        )
    return MyTasks(found, upcoming, more)


def _most_urgent(
    session: Session,
    user: User,
    grants: list[Grant],
    stages: frozenset[Stage],
    count: int,
    dues: Dues,
) -> tuple[Sequence[Enrolment], int]:
    """The ``count`` enrolments in scope whose stage deadlines (after extensions; the next
    monitoring report once designated) come first, those assigned to the user first on the
    same day, then the longest waiting (``worklist.unit_urgency``); and how many others there
    are. None of their decisions are read.

    Without a designated unit among the candidates (TPN, the preliminary assessors) the order
    is the database's: each stage's deadline, worked out here per cycle (and per agency with
    an extension of its own), is handed to SQL, which returns the first ``count``, loaded,
    and the total. With one (TPI's monitoring dates come from each designation's reports)
    every candidate is read as a plain row and ranked here, and the first ``count`` loaded."""
    if all(worklist.stage_due_key(s) != worklist.MONITORING_DATE for s in stages):
        return _ranked_in_sql(session, grants, stages, user.id, count, dues)
    ids, more = _ranked_here(session, grants, stages, user.id, count, dues)
    return _enrolments(session, grants, stages, ids), more


def _assigned(user_id: int | BindParameter[int]) -> Exists:
    """Whether the enrolment is assigned to the user: first on the same day (a reviewer's few
    units)."""
    return (
        select(ReviewerAssignment.id)
        .where(
            ReviewerAssignment.enrolment_id == Enrolment.id,
            ReviewerAssignment.reviewer_id == user_id,
        )
        .exists()
    )


def _ranked_here(
    session: Session,
    grants: list[Grant],
    stages: frozenset[Stage],
    user_id: int,
    count: int,
    dues: Dues,
) -> tuple[list[int], int]:
    stmt = _candidates(
        grants,
        stages,
        Enrolment.id,
        Enrolment.cycle_id,
        Enrolment.agency_id,
        Enrolment.stage,
        Enrolment.stage_since,
        _assigned(user_id).label("mine"),
    )
    if stmt is None:
        return [], 0
    rows = session.execute(stmt).all()
    if len(rows) <= count:
        return [r.id for r in rows], 0
    keys = {stage: worklist.stage_due_key(stage) for stage in {r.stage for r in rows}}
    dates = dues.dates({(r.cycle_id, r.agency_id): r.cycle_id for r in rows})
    monitoring = dues.monitoring([r.id for r in rows if keys[r.stage] == worklist.MONITORING_DATE])

    def due(r: Any) -> date | None:
        key = keys[r.stage]
        if key == worklist.MONITORING_DATE:
            return monitoring.get(r.id)
        return dates[(r.cycle_id, r.agency_id)].get(key) if key else None

    # The first ``count`` only (a heap, not a sort of every candidate).
    ranked = heapq.nsmallest(
        count, rows, key=lambda r: worklist.unit_urgency(due(r), r.mine, r.stage_since, r.id)
    )
    return [r.id for r in ranked], len(rows) - count


def _ranked_in_sql(
    session: Session,
    grants: list[Grant],
    stages: frozenset[Stage],
    user_id: int,
    count: int,
    dues: Dues,
) -> tuple[list[Enrolment], int]:
    """``_ranked_here``'s order (``worklist.unit_urgency``) for candidates of open cycles only,
    loaded as ``_enrolments`` loads them, in one query: ~560 rows for TPN were read and ranked
    here on every home page, then the first 25 read again. Their cycles are the open ones
    ``dues`` holds (each candidate is in one: no stage here is dated by monitoring). The
    statement is built once per scope, stages and layout of deadlines (``_due_layout``); the
    user and the dates are bound."""
    layout, dates = _due_layout(stages, dues)
    stmt = _ranking(scope_of(grants), stages, layout, count)
    if stmt is None:
        return [], 0
    dues.open_cycles()  # each one's cycle and framework: in the session, not joined per row
    params = {"user_id": user_id, **{f"due_{n}": day for n, day in enumerate(dates)}}
    rows = session.execute(stmt, params).all()
    return [r.Enrolment for r in rows], max(0, (rows[0].total if rows else 0) - count)


# Where a stage deadline applies: one cycle's enrolments in some stages, of one agency (with an
# extension of its own) or of every agency (None).
Layout = tuple[tuple[int, int | None, tuple[Stage, ...]], ...]


def _due_layout(stages: frozenset[Stage], dues: Dues) -> tuple[Layout, list[date | None]]:
    """Each candidate's stage deadline, as the places it applies to and their dates: the dates
    after extensions (``Dues``: the one rule) of each open cycle, and of each agency with an
    extension of its own where its date differs; the first place that holds wins."""
    by_key: dict[str, tuple[Stage, ...]] = {}
    for stage in sorted(stages):
        if (key := worklist.stage_due_key(stage)) is not None:
            by_key[key] = (*by_key.get(key, ()), stage)
    cycle_ids = [c.id for c in dues.open_cycles()]
    everyone = dues.dates({(c, None): c for c in cycle_ids})
    layout: list[tuple[int, int | None, tuple[Stage, ...]]] = []
    dates: list[date | None] = []
    for c in cycle_ids:
        own = dues.dates({(c, a): c for a in sorted(dues.own_agencies(c))})
        for (_c, agency), days in own.items():
            for key, keyed in by_key.items():
                if days.get(key) != everyone[(c, None)].get(key):
                    layout.append((c, agency, keyed))
                    dates.append(days.get(key))
        for key, keyed in by_key.items():
            layout.append((c, None, keyed))
            dates.append(everyone[(c, None)].get(key))
    return tuple(layout), dates


@lru_cache(maxsize=64)
def _ranking(
    scope: Scope, stages: frozenset[Stage], layout: Layout, count: int
) -> Select[Any] | None:
    """The ranked candidates' statement (``_ranked_in_sql``): ranked as narrow rows, then the
    first ``count`` joined to what is loaded (sorting the loaded rows of every candidate cost
    PostgreSQL twice as much). Binds ``user_id`` and ``due_<n>``, the date of the n-th place
    of ``layout``."""
    whens = [
        (
            and_(
                Enrolment.cycle_id == cycle_id,
                *([Enrolment.agency_id == agency] if agency is not None else []),
                Enrolment.stage.in_(keyed),
            ),
            bindparam(f"due_{n}", type_=Date),
        )
        for n, (cycle_id, agency, keyed) in enumerate(layout)
    ]
    due = case(*whens, else_=null()) if whens else null().cast(Date)  # NULL for every row
    order = (
        due.is_(None),
        due,
        not_(_assigned(bindparam("user_id"))),
        Enrolment.stage_since,
        Enrolment.id,
    )
    first = _candidates_in(
        scope,
        stages,
        Enrolment.id,
        func.count().over().label("total"),
        func.row_number().over(order_by=order).label("rank"),
    )
    if first is None:
        return None
    ranked = first.order_by(*order).limit(count).subquery()
    return (
        select(Enrolment, ranked.c.total)
        .join(ranked, ranked.c.id == Enrolment.id)
        .join(Enrolment.unit)
        .options(contains_eager(Enrolment.unit).joinedload(Unit.agency), lazyload(Enrolment.cycle))
        .order_by(ranked.c.rank)
    )


def _facts(
    session: Session, user: User, places: Sequence[_Place], dues: Dues
) -> tuple[worklist.Facts, dict[int, worklist.Subject]]:
    """Everything the rules read about ``places``, and each enrolment as tasks name it."""
    dates = dues.dates_of([p.enrolment for p in places])
    designated = [p.enrolment.id for p in places if _in(p, DESIGNATED)]
    monitoring = dues.monitoring(designated)
    paused = _paused(session, dues.designations(designated).values())
    subjects = {
        p.enrolment.id: _subject(p.enrolment, dates, monitoring.get(p.enrolment.id)) for p in places
    }
    decisions = _latest_decisions(session, [p for p in places if _decided(p)])
    facts = worklist.Facts(
        sent_back=_sent_back(places, decisions, subjects),
        progress=_progress(session, places, subjects),
        waiting=_waiting(session, user, places, subjects),
        proposals=_proposals(session, places, subjects),
        appeals=[subjects[p.enrolment.id] for p in places if _may_appeal(p)],
        monitoring=[
            worklist.MonitoringDue(subjects[p.enrolment.id], monitoring[p.enrolment.id])
            for p in places
            if Role.TPI in p.roles and p.enrolment.id in monitoring and p.enrolment.id not in paused
        ],
    )
    return facts, subjects


def _may_appeal(p: _Place) -> bool:
    """The leadership's one appeal after a failed administrative selection (by its deadline)."""
    e = p.enrolment
    return Role.PIMPINAN in p.roles and e.stage is Stage.ADMIN_REJECTED and not e.appeal_used


def stage_due(session: Session, enrolment: Enrolment, today: date) -> StageDue | None:
    """The deadline of ``enrolment``'s stage after extensions (the next monitoring report once
    designated), with the days left; None for a stage without one."""
    key = worklist.stage_due_key(enrolment.stage)
    if key is None:
        return None
    if key == worklist.MONITORING_DATE:
        due = Dues(session).monitoring([enrolment.id]).get(enrolment.id)
    else:
        pair = (enrolment.cycle_id, enrolment.agency_id)
        due = Dues(session).dates_of([enrolment])[pair].get(key)
    if due is None:
        return None
    return StageDue(worklist.DUE_LABELS[key], due, (due - today).days)


def stage_dues(
    session: Session, enrolments: Sequence[Enrolment], today: date, dues: Dues | None = None
) -> dict[int, StageDue]:
    """``stage_due`` for a list of enrolments (the pages that show many stages, issue 15 §3),
    by enrolment id, in a fixed number of queries (none for what ``dues`` has read already);
    enrolments without a deadline are left out."""
    keys = {e.id: key for e in enrolments if (key := worklist.stage_due_key(e.stage))}
    if not keys:
        return {}
    dues = dues or Dues(session)
    dates = dues.dates_of(
        [e for e in enrolments if keys.get(e.id) not in (None, worklist.MONITORING_DATE)]
    )
    monitoring = dues.monitoring(
        [e.id for e in enrolments if keys.get(e.id) == worklist.MONITORING_DATE]
    )
    out: dict[int, StageDue] = {}
    for e in enrolments:
        key = keys.get(e.id)
        if key is None:
            continue
        due = (
            monitoring.get(e.id)
            if key == worklist.MONITORING_DATE
            else dates[(e.cycle_id, e.agency_id)].get(key)
        )
        if due is not None:
            out[e.id] = StageDue(worklist.DUE_LABELS[key], due, (due - today).days)
    return out


def _stages(dues: Dues, roles: frozenset[Role]) -> frozenset[Stage]:
    """The stages in which the user's roles can have a task: every moving stage for the unit's
    own people (one unit), the stages where a tier they sit on reviews (the open cycles' tier
    lists, D8), the proposal and the appeal for the leadership, monitoring for TPI. Filtering
    on them in SQL keeps TPN's national list from being cut short by units still building."""
    if roles & UNIT_ROLES:
        return frozenset(Stage) - FINAL
    stages: set[Stage] = set()
    if roles & {Role.PENILAI_PENDAHULUAN, Role.TPI, Role.TPN}:
        for cycle in dues.open_cycles():
            for t in tiers.parse_tiers(cycle.tiers):
                if t.reviews and t.roles & roles:
                    stages |= t.active_in
    if Role.PIMPINAN in roles:
        stages |= {Stage.TPI_RECOMMENDED, Stage.ADMIN_REJECTED}
    if Role.TPI in roles:
        stages |= DESIGNATED
    return frozenset(stages)


def _candidates(grants: list[Grant], stages: frozenset[Stage], *columns: Any) -> Select[Any] | None:
    """Enrolments in scope in ``stages``: of open cycles, and designated ones of any cycle
    (their monitoring goes on). None when an empty scope or no stage can hold any."""
    return _candidates_in(scope_of(grants), stages, *columns)


def _candidates_in(scope: Scope, stages: frozenset[Stage], *columns: Any) -> Select[Any] | None:
    if scope.empty or not stages:
        return None
    return (
        select(*columns)
        .join(Enrolment.unit)
        .join(Enrolment.cycle)
        .where(
            unit_filter(scope),
            Enrolment.stage.in_(sorted(stages)),
            or_(Cycle.open.is_(True), Enrolment.stage.in_(list(DESIGNATED))),
        )
    )


def _enrolments(
    session: Session, grants: list[Grant], stages: frozenset[Stage], only: Sequence[int] | None
) -> Sequence[Enrolment]:
    """``_candidates`` as objects (only the ``only`` ones when given), the longest waiting
    first."""
    candidates = _candidates(grants, stages, Enrolment)
    if candidates is None or only == []:
        return []
    stmt = (
        candidates.options(
            contains_eager(Enrolment.unit).joinedload(Unit.agency),
            # Its framework is read for the item counts; its agency is the unit's (no join).
            contains_eager(Enrolment.cycle).joinedload(Cycle.framework),
        )
        .order_by(Enrolment.stage_since)
        .limit(LIMIT)
    )
    if only is not None:
        stmt = stmt.where(Enrolment.id.in_(only))
    return session.scalars(stmt).unique().all()


def _place(
    e: Enrolment,
    grants: list[Grant],
    deployment: Deployment,
    parsed: dict[int, tuple[tiers.Tier, ...]],
) -> _Place:
    if e.cycle_id not in parsed:
        parsed[e.cycle_id] = tiers.parse_tiers(e.cycle.tiers)
    ref = UnitRef(e.unit.id, e.unit.agency_id, e.unit.path)
    return _Place(
        e,
        acting_roles(roles_for_unit(grants, ref), deployment),
        editable_areas(grants, ref),
        bool(duties.review_conflict(memberships(grants, ref), e.unit.name)),
        tiers.tier_for_stage(parsed[e.cycle_id], e.stage),
    )


def _in(p: _Place, stages: Collection[Stage]) -> bool:
    return p.enrolment.stage in stages


def _subject(
    e: Enrolment, dates: dict[Pair, dict[str, date | None]], monitor: date | None
) -> worklist.Subject:
    key = worklist.stage_due_key(e.stage)
    due = monitor if key == worklist.MONITORING_DATE else None
    if key and key != worklist.MONITORING_DATE:
        due = dates[(e.cycle_id, e.agency_id)].get(key)
    return worklist.Subject(e.id, e.unit.name, e.cycle.year, e.stage, due)


def _decided(p: _Place) -> bool:
    """Whether the user reads the unit's decisions one by one (what was sent back to fix); a
    reviewer reads only counts (``_area_counts``)."""
    return p.builds and not _after_review(p)


def _after_review(p: _Place) -> bool:
    """Past every reviewing stage the unit can act on: nothing is sent back any more."""
    return p.tier is None or (not p.tier.reviews and p.tier.code != TierCode.UNIT)


def _latest_decisions(
    session: Session, places: Sequence[_Place]
) -> dict[int, dict[tuple[str, str], _Decided]]:
    """The latest decision per (tier, item) of each place's enrolment, every tier, in one
    query: what the unit's own people read while they build the LKE (one unit, bounded)."""
    out: dict[int, dict[tuple[str, str], _Decided]] = defaultdict(dict)
    if not places:
        return out
    read = tuple(_Decided.__dataclass_fields__)
    latest = reviews.newest_rows(
        ItemDecision.enrolment_id.in_({p.enrolment.id for p in places}), read
    )
    # Plain rows, not ORM objects (issue 18 §3); reviewers never come here (``_area_counts``).
    rows = session.execute(select(*(latest.c[name] for name in read)))
    for row in rows:
        out[row.enrolment_id][(row.tier, row.item_code)] = _Decided(*row)
    return out


@dataclass(frozen=True, slots=True)
class _Decided:
    """What the task list reads of a decision (the columns ``_latest_decisions`` selects)."""

    id: int
    enrolment_id: int
    tier: str
    item_code: str
    kind: DecisionKind
    comment: str
    at: datetime


def _current(p: _Place, decisions: dict[tuple[str, str], _Decided]) -> dict[str, _Decided]:
    """The decision that stands per item, as the LKE page shows it: the deciding tier's while
    it reviews, otherwise the most recent of any tier (what a returned unit must fix)."""
    if p.tier is not None and p.tier.reviews:
        return {code: d for (tier, code), d in decisions.items() if tier == p.tier.code}
    out: dict[str, _Decided] = {}
    for (_tier, code), d in decisions.items():
        if code not in out or (d.at, d.id) > (out[code].at, out[code].id):
            out[code] = d
    return out


def _fills(p: _Place, area: str) -> bool:
    """Whether the user fills this area of the unit's LKE (the coordinator all of them)."""
    return Role.KOORDINATOR in p.roles or (area.isdigit() and int(area) in p.areas)


def _sent_back(
    places: Sequence[_Place],
    decisions: dict[int, dict[tuple[str, str], _Decided]],
    subjects: dict[int, worklist.Subject],
) -> list[worklist.SentBack]:
    out = []
    for p in places:
        if not p.builds or _after_review(p):
            continue
        labels = {
            t.code: t.label_en if in_english() else t.label
            for t in tiers.parse_tiers(p.enrolment.cycle.tiers)
        }
        for code, d in _current(p, decisions.get(p.enrolment.id, {})).items():
            area = tiers.area_of(code)
            if d.kind is DecisionKind.REVISION and _fills(p, area):
                out.append(
                    worklist.SentBack(
                        subjects[p.enrolment.id], code, area, d.comment, labels.get(d.tier, d.tier)
                    )
                )
    return out


def _progress(
    session: Session, places: Sequence[_Place], subjects: dict[int, worklist.Subject]
) -> list[worklist.Progress]:
    """The unit's LKE while it is built: blank items and answers without evidence (D16)."""
    building = [
        p for p in places if p.builds and p.tier is not None and p.tier.code == TierCode.UNIT
    ]
    if not building:
        return []
    ids = [p.enrolment.id for p in building]
    answered: dict[int, set[str]] = defaultdict(set)
    rows = session.execute(
        select(Assessment.enrolment_id, Answer.item_code, Answer.value)
        .join(Answer, Answer.assessment_id == Assessment.id)
        .where(Assessment.enrolment_id.in_(ids), Assessment.tier == TierCode.UNIT)
    )
    for enrolment_id, code, value in rows:
        if value is not None:  # a cleared answer may be stored as JSON null, not SQL NULL
            answered[enrolment_id].add(code)
    proven: dict[int, set[str]] = defaultdict(set)
    for enrolment_id, code in session.execute(
        select(EvidenceFile.enrolment_id, EvidenceFile.item_code)
        .where(
            EvidenceFile.enrolment_id.in_(ids),
            EvidenceFile.purpose == EvidencePurpose.ITEM,
            EvidenceFile.status == EvidenceStatus.ACTIVE,
            EvidenceFile.item_code.is_not(None),
        )
        .distinct()
    ):
        if enrolment_id is not None and code is not None:  # both excluded by the query
            proven[enrolment_id].add(code)
    out = []
    for p in building:
        mine = [
            i.code
            for i in framework_of(p.enrolment.cycle.framework).items()
            if _fills(p, tiers.area_of(i.code))
        ]
        done = answered[p.enrolment.id]
        blank = sum(1 for c in mine if c not in done)
        bare = tuple(c for c in mine if c in done and c not in proven[p.enrolment.id])
        if blank or bare:
            out.append(worklist.Progress(subjects[p.enrolment.id], blank, bare))
    return out


def _waiting(
    session: Session,
    user: User,
    places: Sequence[_Place],
    subjects: dict[int, worklist.Subject],
) -> list[worklist.Waiting]:
    """The reviewer's queue (``reviews.queue``, as the queue page counts it) with the areas
    whose items are all approved but not yet signed off. A unit the tier's lead assigned to
    someone else is theirs to decide (issue 15 §4): it leaves the list unless the user leads
    that tier; one assigned to the user is marked so."""
    mine = [p for p in places if p.reviews]
    if not mine:
        return []
    frameworks = {p.enrolment.id: framework_of(p.enrolment.cycle.framework) for p in mine}
    distinct = {id(f): f for f in frameworks.values()}  # one or two, shared by hundreds
    sizes = {key: _area_sizes(f) for key, f in distinct.items()}
    counts = {i: sum(sizes[id(f)].values()) for i, f in frameworks.items()}
    by_area = _area_counts(session, mine, distinct.values())
    # The queue page's counts (``reviews.queue``), made from the same rows: the deciding tier's.
    by_kind: dict[tuple[int, str], dict[DecisionKind, int]] = {}
    for p in mine:
        if p.tier is not None:
            kinds_of = by_kind.setdefault((p.enrolment.id, p.tier.code), defaultdict(int))
            for (_a, kind), n in by_area.get(p.enrolment.id, {}).items():
                kinds_of[kind] += n
    entries = reviews.queue_entries([p.enrolment for p in mine], by_kind, counts)
    signed = _signed(session, [(p.enrolment.id, p.tier.code) for p in mine if p.tier])
    by_id = {p.enrolment.id: p for p in mine}
    assigned = assignments.assignments_of(session, entries)
    out = []
    for entry in entries:
        p = by_id[entry.enrolment.id]
        row = assigned.get(p.enrolment.id)
        if row is not None and row.reviewer_id != user.id and not _leads(user, p.enrolment):
            continue
        areas = sizes[id(frameworks[p.enrolment.id])]
        kinds = by_area.get(p.enrolment.id, {})
        ready = tuple(
            a
            for a in tiers.AREA_KEYS
            if a in areas
            and a not in signed.get(p.enrolment.id, set())
            and kinds.get((a, DecisionKind.APPROVED), 0) == areas[a]
        )
        back = sum(n for (_a, kind), n in kinds.items() if kind is DecisionKind.REVISION)
        tier_label = (p.tier.label_en if in_english() else p.tier.label) if p.tier else entry.tier
        subject = subjects[p.enrolment.id]
        mine_now = row is not None and row.reviewer_id == user.id
        out.append(
            worklist.Waiting(
                subject, tier_label, entry.undecided, entry.revised, ready, back, mine_now
            )
        )
    return out


def _area_sizes(framework: Framework) -> dict[str, int]:
    """How many items each area of ``framework`` has."""
    out: dict[str, int] = defaultdict(int)
    for item in framework.items():
        out[tiers.area_of(item.code)] += 1
    return dict(out)


def _area_counts(
    session: Session, places: Sequence[_Place], frameworks: Iterable[Framework]
) -> dict[int, dict[tuple[str | None, DecisionKind], int]]:
    """How many items of each area stand at each kind of decision in the deciding tier of
    each place's enrolment (the latest decision per item, as ``_current`` reads it while a
    tier reviews), from one row per item: the latest decisions are picked in SQL, of the units
    on the page only (TPN reviews hundreds, ~100,000 decisions at national scale, issue 18
    §3). An item no framework lists counts under area None."""
    by_tier: dict[str, list[int]] = defaultdict(list)
    for p in places:
        if p.tier is not None:
            by_tier[p.tier.code].append(p.enrolment.id)
    if not by_tier:
        return {}
    area = {item.code: tiers.area_of(item.code) for f in frameworks for item in f.items()}
    # Counted here from plain rows (~45 an enrolment): a CASE naming every item code made
    # PostgreSQL parse ~100 bound values for each page, slower than reading the rows.
    out: dict[int, dict[tuple[str | None, DecisionKind], int]] = defaultdict(
        lambda: defaultdict(int)
    )
    kinds = {k.value: k for k in DecisionKind}  # made once per kind, not once per row
    codes, ids = reviews.counted_ids(by_tier)
    rows = session.execute(_item_kinds(codes), ids)
    for enrolment_id, code, kind in rows.all():  # fetched at once: row by row cost 2 µs each
        out[enrolment_id][(area.get(code), kinds[kind])] += 1
    return out


@lru_cache(maxsize=32)
def _item_kinds(codes: tuple[str, ...]) -> Select[int, str, str]:
    """The latest decision's kind per item (as text) of the enrolments bound per tier."""
    latest = reviews.latest_counted(codes)
    return select(latest.c.enrolment_id, latest.c.item_code, type_coerce(latest.c.kind, String))


def _leads(user: User, enrolment: Enrolment) -> bool:
    tier = assignments.deciding_tier(enrolment)
    return tier is not None and assignments.leads(user, enrolment, tier)


def _signed(session: Session, pairs: Sequence[tuple[int, str]]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    if not pairs:
        return out
    wanted = set(pairs)
    rows = session.execute(_sign_offs(), {"ids": sorted({i for i, _t in pairs})})
    for enrolment_id, tier, area in rows:
        if (enrolment_id, tier) in wanted:
            out[enrolment_id].add(area)
    return out


@cache
def _sign_offs() -> Select[int, str, str]:
    """Built once, as the other statements the home page runs on every view (issue 18 §3)."""
    return select(AreaSignOff.enrolment_id, AreaSignOff.tier, AreaSignOff.area).where(
        AreaSignOff.enrolment_id.in_(bindparam("ids", expanding=True))
    )


def _proposals(
    session: Session, places: Sequence[_Place], subjects: dict[int, worklist.Subject]
) -> list[worklist.ProposalDue]:
    """Units TPI recommended: the leadership proposes them by the deadline once the Tabel 5
    prerequisites are met; the coordinator records the unit-level ones (D10)."""
    due = [
        p
        for p in places
        if p.enrolment.stage is Stage.TPI_RECOMMENDED
        and p.roles & {Role.PIMPINAN, Role.KOORDINATOR}
    ]
    if not due:
        return []
    rows = session.scalars(
        select(Prerequisite).where(
            Prerequisite.cycle_id.in_({p.enrolment.cycle_id for p in due}),
            Prerequisite.agency_id.in_({p.enrolment.agency_id for p in due}),
        )
    ).all()
    out = []
    for p in due:
        e = p.enrolment
        specs = prerequisites.parse_catalogue(e.cycle.framework.definition.get("prerequisites", []))
        leads = Role.PIMPINAN in p.roles
        if not leads:
            specs = tuple(s for s in specs if s.level == "unit")
        recorded = {
            r.code: prerequisites.Recorded(r.value, r.evidence_id is not None)
            for r in sorted(rows, key=lambda r: r.unit_id is not None)  # the unit's wins
            if r.cycle_id == e.cycle_id
            and r.agency_id == e.agency_id
            and r.unit_id in (None, e.unit_id)
        }
        unmet = prerequisites.unmet(specs, recorded, e.target.value, e.agency.kind.value)
        if leads or unmet:
            out.append(worklist.ProposalDue(subjects[e.id], tuple(unmet)))
    return out


def _open_cycle_dates(session: Session, enrolment_id: int | None) -> list[tuple[int, str, date]]:
    """The open cycles' dates after the extensions for everyone, for "what comes next" when
    the user has no unit in a stage with a date (one query per open cycle: there are few)."""
    if enrolment_id is not None:
        return []
    out = []
    for cycle in session.scalars(select(Cycle).where(Cycle.open.is_(True))):
        extended = cycles.effective_deadlines(session, cycle, None)
        for deadline, day in extended.items():
            if day is not None:
                out.append((cycle.year, deadline.value, day))
        for key in _CYCLE_DATES:
            if (day := getattr(cycle, key)) is not None:
                out.append((cycle.year, key, day))
    return out


def _paused(session: Session, designations: Iterable[Designation]) -> set[int]:
    """The enrolments whose 2-yearly report pauses (``workflow.monitoring_paused``, the rule
    the monitoring page applies): a WBK designation whose unit is proposed for WBBM and holds
    no WBBM yet. One query, none without a WBK."""
    wbk = {d.enrolment_id: d.unit_id for d in designations if d.predicate is Predicate.WBK}
    if not wbk:
        return set()
    proposed: set[int] = set()
    holds_wbbm: set[int] = set()
    for unit_id, stage in session.execute(
        select(Enrolment.unit_id, Enrolment.stage).where(
            Enrolment.unit_id.in_(set(wbk.values())),
            Enrolment.target == Predicate.WBBM,
            Enrolment.stage.in_([*PROPOSED_STAGES, *DESIGNATED]),
        )
    ):
        (holds_wbbm if stage in DESIGNATED else proposed).add(unit_id)
    return {
        enrolment_id
        for enrolment_id, unit_id in wbk.items()
        if enrolment_id is not None
        and monitoring_paused(
            holds_wbk_only=unit_id not in holds_wbbm, proposed_for_wbbm=unit_id in proposed
        )
    }
