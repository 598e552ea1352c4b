"""Reviewer assignment (issue 15 §4): a lead assigns units to reviewers; queue and workload.

The rules are in ``assignment_rules`` (pure); this module loads what they need in a bounded
number of queries and records each assignment in the audit trail. Reassigning changes the one
row of the enrolment and tier, and the trail keeps who had it before.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from tracker.accreditation import assignment_rules as rules
from tracker.accreditation import tiers
from tracker.accreditation.assignment_models import ReviewerAssignment
from tracker.accreditation.models import AreaSignOff, Enrolment
from tracker.agencies.models import Unit
from tracker.audit import services as audit
from tracker.auth.access import Grant, UnitRef
from tracker.auth.duties import JUDGING_ROLES
from tracker.auth.models import RoleGrant, User
from tracker.auth.roles import Role
from tracker.db import utcnow
from tracker.errors import NotAllowedError, ValidationError
from tracker.i18n import _, in_english
from tracker.lke.services import framework_of

if TYPE_CHECKING:  # reviews asks here before each decision: no import back at run time
    from tracker.accreditation.reviews import QueueEntry

TAG = "accreditation:reviewer:assign"


def deciding_tier(enrolment: Enrolment) -> tiers.Tier | None:
    """The reviewing tier deciding in the enrolment's stage (None when no tier reviews)."""
    tier = tiers.tier_for_stage(tiers.parse_tiers(enrolment.cycle.tiers), enrolment.stage)
    return tier if tier is not None and tier.reviews else None


def tier_label(tier: tiers.Tier) -> str:
    return tier.label_en if in_english() else tier.label


def unit_ref(unit: Unit) -> UnitRef:
    return UnitRef(unit.id, unit.agency_id, unit.path)


def lead_grants(user: User) -> list[Grant]:
    return [g.as_grant() for g in user.grants if g.lead]


def leads(user: User, enrolment: Enrolment, tier: tiers.Tier) -> bool:
    """Is ``user`` a lead of ``tier`` for the enrolment's unit?"""
    return rules.is_lead(lead_grants(user), tier.roles, unit_ref(enrolment.unit))


def may_assign(user: User, enrolment: Enrolment) -> bool:
    """Does ``user`` lead the tier deciding on the enrolment now?"""
    tier = deciding_tier(enrolment)
    return tier is not None and leads(user, enrolment, tier)


def is_any_lead(user: User) -> bool:
    return any(g.lead and g.role in JUDGING_ROLES for g in user.grants)


def as_reviewer(user: User) -> rules.Reviewer:
    return rules.Reviewer(user.id, user.full_name, tuple(user.access_grants()))


def assign(
    session: Session, *, actor: User, enrolment: Enrolment, reviewer: User
) -> ReviewerAssignment:
    """Assign the enrolment's deciding tier to ``reviewer``. Raises NotAllowedError,
    ValidationError."""
    tier = deciding_tier(enrolment)
    if tier is None:
        raise ValidationError(_("Tidak ada penilaian yang berlangsung pada tahap ini."))
    refusal = rules.assign_refusal(
        actor_is_lead=leads(actor, enrolment, tier),
        tier_label=tier_label(tier),
        reviewer=as_reviewer(reviewer),
        tier_roles=tier.roles,
        unit=unit_ref(enrolment.unit),
        unit_name=enrolment.unit.name,
    )
    if refusal:
        raise NotAllowedError(refusal)
    row = current(session, enrolment.id, tier.code)
    previous = row.reviewer.full_name if row is not None else None
    if row is not None and row.reviewer_id == reviewer.id:
        return row
    if row is None:
        row = ReviewerAssignment(enrolment_id=enrolment.id, tier=tier.code)
        session.add(row)
    row.reviewer = reviewer
    row.assigned_by_id = actor.id
    row.at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        tag=TAG,
        subject=row,
        unit_id=enrolment.unit_id,
        agency_id=enrolment.agency_id,
        data={"tier": tier.code, "reviewer": reviewer.full_name, "previous": previous},
    )
    return row


def ensure_may_decide(session: Session, enrolment: Enrolment, tier: tiers.Tier, user: User) -> None:
    """Once a unit is assigned, only its reviewer and the tier's leads decide on it and sign
    its areas off (``assignment_rules``). Raises NotAllowedError."""
    row = current(session, enrolment.id, tier.code)
    if row is None:
        return
    refusal = rules.decision_refusal(
        assignee_id=row.reviewer_id,
        assignee_name=row.reviewer.full_name,
        actor_id=user.id,
        actor_is_lead=leads(user, enrolment, tier),
    )
    if refusal:
        raise NotAllowedError(refusal)


def current(session: Session, enrolment_id: int, tier: str) -> ReviewerAssignment | None:
    return session.scalar(
        select(ReviewerAssignment).where(
            ReviewerAssignment.enrolment_id == enrolment_id, ReviewerAssignment.tier == tier
        )
    )


def assignments_of(
    session: Session, entries: Sequence[QueueEntry]
) -> dict[int, ReviewerAssignment]:
    """The assignment of each entry's deciding tier, by enrolment id (one query)."""
    if not entries:
        return {}
    wanted = {(q.enrolment.id, q.tier) for q in entries}
    rows = session.scalars(_of_enrolments(), {"ids": sorted({e for e, _t in wanted})})
    return {r.enrolment_id: r for r in rows if (r.enrolment_id, r.tier) in wanted}


@cache
def _of_enrolments() -> Select[ReviewerAssignment]:
    """Built once (issue 18 §3: the queue and home pages ask on every view)."""
    return select(ReviewerAssignment).where(
        ReviewerAssignment.enrolment_id.in_(bindparam("ids", expanding=True))
    )


def reviewers_for(
    session: Session, enrolments: Iterable[Enrolment], roles: Collection[Role] = JUDGING_ROLES
) -> list[rules.Reviewer]:
    """Active users holding one of ``roles`` (a judging role) whose grant may reach one of the
    enrolments' units: global, on the unit's agency, or on the unit or one of its ancestors
    (the only subtrees that hold it). Two queries (their grants load in one more), each on an
    index whatever the country's size. Issue 18 §3: asked for the deciding tiers' roles only,
    TPN's queue no longer loads every agency's TPI and preliminary assessors to offer two TPN
    members; and the holders are found first, so no query reads every user or every unit (one
    join over both had the TPI queue grow with the country: 0.7 ms at 500 units, 4.5 at 5,000)."""
    units = [e.unit for e in enrolments]
    agency_ids = {u.agency_id for u in units}
    if not agency_ids or not roles:
        return []
    unit_ids = {i for u in units for i in (*u.ancestor_ids, u.id)}
    holders = session.scalars(
        select(RoleGrant.user_id)
        .where(
            RoleGrant.role.in_(sorted(set(roles) & set(JUDGING_ROLES))),
            or_(
                RoleGrant.agency_id.in_(agency_ids),
                RoleGrant.unit_id.in_(unit_ids),
                and_(RoleGrant.agency_id.is_(None), RoleGrant.unit_id.is_(None)),
            ),
        )
        .distinct()
        .limit(500)
    ).all()
    if not holders:
        return []
    users = session.scalars(select(User).where(User.id.in_(holders), User.active.is_(True)))
    return [as_reviewer(u) for u in users]


@dataclass(frozen=True)
class QueueRow:
    entry: QueueEntry
    assignee: User | None
    lead: bool  # the viewer leads this unit's deciding tier: may assign it
    choices: list[rules.Reviewer]  # who may be assigned (only filled for a lead)


@dataclass(frozen=True)
class ArrangedQueue:
    mine: list[QueueRow]  # assigned to the viewer: first
    unassigned: list[QueueRow]
    others: list[QueueRow]  # assigned to another reviewer: read-only unless the viewer leads
    is_lead: bool


def arrange(session: Session, viewer: User, entries: Sequence[QueueEntry]) -> ArrangedQueue:
    """The viewer's queue in three parts, each keeping the queue's order (oldest first)."""
    assigned = assignments_of(session, entries)
    viewer_leads = is_any_lead(viewer)
    deciding = {q.enrolment.id: deciding_tier(q.enrolment) for q in entries}
    led = {
        q.enrolment.id
        for q in entries
        if viewer_leads
        and (tier := deciding[q.enrolment.id]) is not None
        and leads(viewer, q.enrolment, tier)
    }
    roles = {r for i in led if (led_tier := deciding[i]) is not None for r in led_tier.roles}
    pool = reviewers_for(session, [q.enrolment for q in entries], roles) if led else []
    mine, unassigned, others = [], [], []
    for q in entries:
        row = assigned.get(q.enrolment.id)
        tier = deciding[q.enrolment.id]
        lead = q.enrolment.id in led
        choices = (
            rules.eligible(pool, tier.roles, unit_ref(q.enrolment.unit))
            if lead and tier is not None
            else []
        )
        item = QueueRow(q, row.reviewer if row else None, lead, choices)
        if row is None:
            unassigned.append(item)
        elif row.reviewer_id == viewer.id:
            mine.append(item)
        else:
            others.append(item)
    return ArrangedQueue(mine, unassigned, others, viewer_leads)


@dataclass(frozen=True)
class Load:
    reviewer: str
    tier: str
    units: int
    decided: int
    items: int
    areas_signed: int
    areas: int

    @property
    def percent(self) -> int:
        return round(100 * self.decided / self.items) if self.items else 0


@dataclass(frozen=True)
class Workload:
    loads: list[Load]
    unassigned: int  # units the viewer leads that nobody has yet


def workload(session: Session, viewer: User, entries: Sequence[QueueEntry]) -> Workload:
    """Per reviewer of the units the viewer leads: units, items decided of all items and areas
    signed off, in the deciding tier. Reviewers with nothing assigned are listed with zeros."""
    led = [
        q
        for q in entries
        if (tier := deciding_tier(q.enrolment)) is not None and leads(viewer, q.enrolment, tier)
    ]
    assigned = assignments_of(session, led)
    signed: dict[int, int] = {}
    if led:
        rows = session.execute(
            select(AreaSignOff.enrolment_id, AreaSignOff.tier, func.count())
            .where(AreaSignOff.enrolment_id.in_([q.enrolment.id for q in led]))
            .group_by(AreaSignOff.enrolment_id, AreaSignOff.tier)
        ).all()
        tier_of = {q.enrolment.id: q.tier for q in led}
        signed = {e: n for e, t, n in rows if tier_of.get(e) == t}
    totals: dict[tuple[int, str], list[int]] = {}
    names: dict[int, str] = {}
    labels: dict[str, str] = {}
    led_roles = {
        r for q in led if (tier_of_q := deciding_tier(q.enrolment)) for r in tier_of_q.roles
    }
    pool = reviewers_for(session, [q.enrolment for q in led], led_roles)
    for q in led:
        tier = deciding_tier(q.enrolment)
        assert tier is not None  # kept above
        labels[tier.code] = tier_label(tier)
        for r in rules.eligible(pool, tier.roles, unit_ref(q.enrolment.unit)):
            names[r.id] = r.name
            totals.setdefault((r.id, tier.code), [0, 0, 0, 0, 0])
        row = assigned.get(q.enrolment.id)
        if row is None:
            continue
        names[row.reviewer_id] = row.reviewer.full_name
        t = totals.setdefault((row.reviewer_id, tier.code), [0, 0, 0, 0, 0])
        items = sum(1 for _i in framework_of(q.enrolment.cycle.framework).items())
        t[0] += 1
        t[1] += items - q.undecided
        t[2] += items
        t[3] += signed.get(q.enrolment.id, 0)
        t[4] += len(tiers.AREA_KEYS)
    loads = [Load(names[uid], labels[code], *t) for (uid, code), t in totals.items()]
    loads.sort(key=lambda x: (x.tier, -x.units, x.reviewer.casefold()))
    return Workload(loads, sum(1 for q in led if q.enrolment.id not in assigned))
