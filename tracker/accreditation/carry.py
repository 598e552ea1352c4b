"""Year over year (issue 16 §3): carrying a unit's last-cycle answers and still-valid evidence
into its new enrolment, and the coordinator's confirmation of each carried item.

The rules (which value carries, how long a document stays valid, what blocks the hand-off) are
``carry_rules``'; this module gathers their facts, writes the rows and the audit records.
Carrying is offered once per enrolment, while the unit fills its self-assessment (declared or
building, inside the self-assessment window), to its coordinator. It writes only onto items
the unit has not answered: nothing typed is overwritten, and last cycle's rows are only read.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from tracker.accreditation import assessments, carry_rules, cycles, tiers
from tracker.accreditation.carry_models import CarriedItem
from tracker.accreditation.context import Actor
from tracker.accreditation.models import Answer, Assessment, Cycle, Enrolment
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import Stage
from tracker.audit import services as audit
from tracker.auth.roles import Role
from tracker.db import utcnow
from tracker.errors import ConflictError, NotAllowedError, ValidationError
from tracker.evidence.models import EvidenceFile, EvidencePurpose, EvidenceStatus
from tracker.i18n import _
from tracker.lke import Framework, parse_answer
from tracker.lke.services import framework_of

# Who carries and confirms: the unit's coordinator, who answers for its self-assessment.
CARRY_ROLES = frozenset({Role.KOORDINATOR})
CARRY_STAGES = frozenset({Stage.DECLARED, Stage.BUILDING})


def deciding_tier(cycle: Cycle, present: set[str]) -> str | None:
    """The tier whose answers decided an enrolment: the last of the cycle's tiers that has an
    LKE (D8: each later tier starts from the earlier one's values and corrects them)."""
    codes = [t.code for t in cycles.cycle_tiers(cycle)]
    return next((code for code in reversed(codes) if code in present), None)


def previous_enrolment(session: Session, enrolment: Enrolment) -> Enrolment | None:
    """The unit's latest enrolment in an earlier cycle, or None."""
    return session.scalars(
        select(Enrolment)
        .join(Enrolment.cycle)
        .where(Enrolment.unit_id == enrolment.unit_id, Cycle.year < enrolment.cycle.year)
        .order_by(Cycle.year.desc())
        .limit(1)
    ).first()


@dataclass(frozen=True)
class Offer:
    """What carrying would bring into ``enrolment``: last cycle's decided answers."""

    source: Enrolment
    tier: str
    tier_label: str
    items: int  # answers it would write (items the unit has not answered yet)


def _tier_label(cycle: Cycle, code: str) -> str:
    try:
        return tiers.by_code(cycles.cycle_tiers(cycle), code).label
    except KeyError:
        return code


def has_carried(session: Session, enrolment_id: int) -> bool:
    return bool(
        session.scalar(select(CarriedItem.id).where(CarriedItem.enrolment_id == enrolment_id))
    )


def may_carry(actor: Actor, enrolment: Enrolment) -> bool:
    return bool(actor.roles & CARRY_ROLES) and enrolment.stage in CARRY_STAGES


def _source_values(session: Session, source: Enrolment) -> tuple[str, dict[str, Answer]] | None:
    found = assessments.assessments_of(session, source.id)
    tier = deciding_tier(source.cycle, set(found))
    if tier is None:
        return None
    rows = assessments.answer_rows(session, [found[tier].id])[found[tier].id]
    return tier, {code: row for code, row in rows.items() if row.value is not None}


def _carryable(
    framework: Framework, rows: Mapping[str, Answer], taken: Mapping[str, Any]
) -> dict[str, Answer]:
    """The source answers the new cycle's framework still asks and accepts, on items the unit
    has not answered yet."""
    out = {}
    for code, row in sorted(rows.items()):
        if not framework.has_item(code) or taken.get(code) is not None:
            continue
        try:
            parse_answer(framework.item(code), row.value)
        except ValidationError:
            continue  # the item's options changed between cycles: the unit answers afresh
        out[code] = row
    return out


def offer(session: Session, enrolment: Enrolment) -> Offer | None:
    """What carrying would bring, or None when there is nothing to offer (no earlier cycle
    with an LKE, already carried, nothing left to carry, or past self-assessment)."""
    if enrolment.stage not in CARRY_STAGES or has_carried(session, enrolment.id):
        return None
    source = previous_enrolment(session, enrolment)
    if source is None:
        return None
    found = _source_values(session, source)
    if found is None:
        return None
    tier, rows = found
    taken = assessments.tier_values(session, enrolment.id, TierCode.UNIT) or {}
    items = len(_carryable(assessments.framework_for(enrolment), rows, taken))
    if not items:
        return None
    return Offer(source, tier, _tier_label(source.cycle, tier), items)


@dataclass(frozen=True)
class CarryResult:
    source: Enrolment
    items: int
    files: int
    stale: int


def _source_files(session: Session, source: Enrolment) -> dict[str, list[EvidenceFile]]:
    rows = session.scalars(
        select(EvidenceFile)
        .where(
            EvidenceFile.enrolment_id == source.id,
            EvidenceFile.purpose == EvidencePurpose.ITEM,
            EvidenceFile.status == EvidenceStatus.ACTIVE,
            EvidenceFile.item_code.is_not(None),
        )
        .order_by(EvidenceFile.id)
    ).all()
    out: dict[str, list[EvidenceFile]] = {}
    for row in rows:
        out.setdefault(row.item_code or "", []).append(row)
    return out


def _ensure_may_act(session: Session, actor: Actor, enrolment: Enrolment) -> None:
    if not actor.roles & CARRY_ROLES:
        raise NotAllowedError(
            _("Hanya koordinator unit yang membawa dan mengonfirmasi jawaban tahun lalu.")
        )
    if enrolment.stage not in CARRY_STAGES:
        raise ValidationError(
            _("Jawaban tahun lalu hanya dapat dibawa dan dikonfirmasi selama penilaian mandiri.")
        )
    cycles.ensure_stage_open(session, enrolment)


def carry(session: Session, *, actor: Actor, enrolment: Enrolment, today: date) -> CarryResult:
    """Carry last cycle's decided answers and still-valid evidence into ``enrolment``'s
    self-assessment, each item marked as carried and unconfirmed. Raises NotAllowedError (not
    the coordinator), ValidationError (past self-assessment, nothing to carry), ConflictError
    (carried already)."""
    _ensure_may_act(session, actor, enrolment)
    if has_carried(session, enrolment.id):
        raise ConflictError(_("Jawaban tahun lalu sudah dibawa ke siklus ini."))
    source = previous_enrolment(session, enrolment)
    found = _source_values(session, source) if source is not None else None
    if source is None or found is None:
        raise ValidationError(_("Unit ini belum punya LKE dari siklus sebelumnya."))
    tier, rows = found
    unit = assessments.ensure_assessment(session, enrolment, TierCode.UNIT)
    existing = assessments.answer_rows(session, [unit.id])[unit.id]
    framework = assessments.framework_for(enrolment)
    chosen = _carryable(framework, rows, {c: r.value for c, r in existing.items()})
    if not chosen:
        raise ValidationError(_("Tidak ada jawaban tahun lalu yang dapat dibawa."))
    titles = _document_titles(framework_of(source.cycle.framework))
    files = _source_files(session, source)
    carried_files = stale_files = 0
    for code, row in chosen.items():
        answer = existing.get(code)
        if answer is None:
            answer = Answer(assessment_id=unit.id, item_code=code)
            session.add(answer)
        # A note the unit wrote on an unanswered item stays; last year's fills an empty one.
        answer.value, answer.note = row.value, answer.note or row.note
        answer.updated_by_id, answer.updated_at = actor.id, utcnow()
        documents = []
        for f in files.get(code, []):
            title = titles.get((code, f.document_key or ""), "")
            verdict = carry_rules.judge_files(
                [carry_rules.SourceFile(f.public_id, f.original_name, title, f.uploaded_at.date())],
                today,
            )[0]
            entry = {
                "name": f.original_name,
                "document": title,
                "source": f.public_id,
                "uploaded_on": f.uploaded_at.date().isoformat(),
                "valid_until": verdict.valid_until.isoformat(),
                "stale": verdict.stale,
                "carried": None,
            }
            if verdict.stale:
                stale_files += 1
            else:
                entry["carried"] = _copy_file(session, actor, enrolment, source, f).public_id
                carried_files += 1
            documents.append(entry)
        session.add(
            CarriedItem(
                enrolment_id=enrolment.id,
                item_code=code,
                source_enrolment_id=source.id,
                source_tier=tier,
                source_answer_id=row.id,
                value=row.value,
                note=row.note,
                documents=documents,
                carried_by_id=actor.id,
            )
        )
    session.flush()
    assessments.recompute(session, enrolment, unit)
    audit.record(
        session,
        actor=actor.user,
        tag="accreditation:carry:answers",
        subject=enrolment,
        unit_id=enrolment.unit_id,
        agency_id=enrolment.agency_id,
        data={
            "year": source.cycle.year,
            "source_enrolment": source.id,
            "tier": tier,
            "items": len(chosen),
            "codes": sorted(chosen),
            "files": carried_files,
            "stale": stale_files,
        },
    )
    return CarryResult(source, len(chosen), carried_files, stale_files)


def _document_titles(framework: Framework) -> dict[tuple[str, str], str]:
    return {(item.code, d.key): d.title for item in framework.items() for d in item.documents}


def _copy_file(
    session: Session, actor: Actor, enrolment: Enrolment, source: Enrolment, f: EvidenceFile
) -> EvidenceFile:
    """Last cycle's file as a new file of the new enrolment: the same stored blob (its hash
    unchanged), a series of its own, and its original upload time so that its age (and next
    year's validity) stays true. The coordinator who carried it may withdraw it."""
    public_id = secrets.token_hex(16)
    row = EvidenceFile(
        public_id=public_id,
        series=public_id,
        enrolment_id=enrolment.id,
        purpose=EvidencePurpose.ITEM,
        item_code=f.item_code,
        document_key=f.document_key,
        storage_key=f.storage_key,
        sha256=f.sha256,
        size=f.size,
        content_type=f.content_type,
        original_name=f.original_name,
        link_url=f.link_url,
        description=_(
            "Dibawa dari siklus %(year)s (diunggah %(date)s).",
            year=source.cycle.year,
            date=f.uploaded_at.date().isoformat(),
        ),
        uploaded_by_id=actor.id,
        uploaded_at=f.uploaded_at,
    )
    session.add(row)
    return row


def confirm(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    item_code: str | None = None,
    area: str | None = None,
) -> list[str]:
    """Confirm one carried item (``item_code``) or every unconfirmed one of an ``area``;
    returns the codes confirmed. Raises NotAllowedError, ValidationError."""
    _ensure_may_act(session, actor, enrolment)
    rows = carried_items(session, enrolment.id)
    if item_code is not None:
        chosen = [r for r in rows if r.item_code == item_code]
        if not chosen:
            raise ValidationError(_("Butir %(code)s bukan bawaan tahun lalu.", code=item_code))
    elif area is not None and area in tiers.AREA_KEYS:
        chosen = [r for r in rows if tiers.area_of(r.item_code) == area]
    else:
        raise ValidationError(_("Pilih butir atau area yang dikonfirmasi."))
    chosen = [r for r in chosen if not r.confirmed]
    if not chosen:
        return []
    now = utcnow()
    for row in chosen:
        row.confirmed_by_id, row.confirmed_at = actor.id, now
    session.flush()
    codes = [r.item_code for r in chosen]
    audit.record(
        session,
        actor=actor.user,
        tag="accreditation:carry:confirm",
        subject=enrolment,
        unit_id=enrolment.unit_id,
        agency_id=enrolment.agency_id,
        data={"items": len(codes), "codes": codes, "area": area or tiers.area_of(codes[0])},
    )
    return codes


def carried_items(session: Session, enrolment_id: int) -> Sequence[CarriedItem]:
    return session.scalars(
        select(CarriedItem)
        .where(CarriedItem.enrolment_id == enrolment_id)
        .order_by(CarriedItem.item_code)
    ).all()


def states(session: Session, enrolment: Enrolment) -> list[carry_rules.CarriedState]:
    """Every carried item with its self-assessment value now (two queries)."""
    rows = session.execute(
        select(CarriedItem.item_code, CarriedItem.confirmed_at, CarriedItem.value).where(
            CarriedItem.enrolment_id == enrolment.id
        )
    ).all()
    if not rows:
        return []
    values = assessments.tier_values(session, enrolment.id, TierCode.UNIT) or {}
    return [
        carry_rules.CarriedState(code, at is not None, value, values.get(code))
        for code, at, value in rows
    ]


def unconfirmed_count(session: Session, enrolment: Enrolment) -> int:
    """The carried items the hand-off waits on (``carry_rules.unconfirmed``)."""
    return len(carry_rules.unconfirmed(states(session, enrolment)))


def pending_count(session: Session, enrolment_id: int) -> int:
    """Carried items not confirmed yet (changed ones included): one query, for page links."""
    return (
        session.scalar(
            select(func.count())
            .select_from(CarriedItem)
            .where(CarriedItem.enrolment_id == enrolment_id, CarriedItem.confirmed_at.is_(None))
        )
        or 0
    )


# -- the page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CarriedRow:
    row: CarriedItem
    text: str
    current: Any
    state: str  # "pending", "changed", "confirmed"


@dataclass
class CarriedArea:
    key: str
    rows: list[CarriedRow] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return sum(1 for r in self.rows if r.state == "pending")


@dataclass(frozen=True)
class CarriedPage:
    source: Enrolment | None
    tier_label: str
    areas: list[CarriedArea]
    pending: int
    stale: int


def carried_page(session: Session, enrolment: Enrolment, english: bool) -> CarriedPage:
    """The carried items by area, each with its state and documents (three queries)."""
    rows = carried_items(session, enrolment.id)
    values = assessments.tier_values(session, enrolment.id, TierCode.UNIT) or {}
    framework = assessments.framework_for(enrolment)
    areas: dict[str, CarriedArea] = {}
    for row in rows:
        current = values.get(row.item_code)
        state = (
            "confirmed"
            if row.confirmed
            else ("pending" if current is not None and current == row.value else "changed")
        )
        item = framework.item(row.item_code) if framework.has_item(row.item_code) else None
        text = (item.text_en if english else item.text) if item is not None else row.item_code
        area = tiers.area_of(row.item_code)
        areas.setdefault(area, CarriedArea(area)).rows.append(CarriedRow(row, text, current, state))
    source = session.get(Enrolment, rows[0].source_enrolment_id) if rows else None
    label = _tier_label(source.cycle, rows[0].source_tier) if source is not None else ""
    ordered = [areas[k] for k in tiers.AREA_KEYS if k in areas]
    return CarriedPage(
        source,
        label,
        ordered,
        pending=sum(a.pending for a in ordered),
        stale=sum(len(r.row.stale_documents) for a in ordered for r in a.rows),
    )


@dataclass(frozen=True)
class CarryCard:
    """What the enrolment page says about last cycle's answers: the offer, or how many carried
    items still wait for the coordinator."""

    carried: int
    pending: int
    offer: Offer | None
    may_act: bool


def carry_card(session: Session, actor: Actor, enrolment: Enrolment) -> CarryCard | None:
    """None when there is nothing to say (nothing carried and nothing to offer)."""
    carried, pending = session.execute(
        select(
            func.count(CarriedItem.id),
            func.count(CarriedItem.id).filter(CarriedItem.confirmed_at.is_(None)),
        ).where(CarriedItem.enrolment_id == enrolment.id)
    ).one()
    may_act = may_carry(actor, enrolment)
    if carried:
        return CarryCard(carried, pending, None, may_act)
    found = offer(session, enrolment)
    return CarryCard(0, 0, found, may_act) if found is not None else None


# Made once: a new alias on every call made SQLAlchemy build and key the statement afresh.
_UNIT_ASSESSMENT = aliased(Assessment)


@cache
def _waiting() -> Select[str, Any, Any]:
    """``waiting_codes``' rows, a statement built once (the LKE page asks on every view)."""
    unit = _UNIT_ASSESSMENT
    return (
        select(CarriedItem.item_code, CarriedItem.value, Answer.value)
        .join(unit, (unit.enrolment_id == CarriedItem.enrolment_id) & (unit.tier == TierCode.UNIT))
        .outerjoin(
            Answer, (Answer.assessment_id == unit.id) & (Answer.item_code == CarriedItem.item_code)
        )
        .where(
            CarriedItem.enrolment_id == bindparam("enrolment_id"),
            CarriedItem.confirmed_at.is_(None),
        )
    )


def waiting_codes(session: Session, enrolment: Enrolment) -> frozenset[str]:
    """The carried items still waiting for the coordinator (``carry_rules.unconfirmed``), for
    the LKE page's flags: one query, none outside the self-assessment (a hand-off is refused
    while any waits, so none can remain after it)."""
    if enrolment.stage not in CARRY_STAGES:
        return frozenset()
    rows = session.execute(_waiting(), {"enrolment_id": enrolment.id}).all()
    states = [carry_rules.CarriedState(code, False, carried, now) for code, carried, now in rows]
    return frozenset(carry_rules.unconfirmed(states))
