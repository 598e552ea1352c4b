"""Evaluation cycles: calendar, deadline extensions, quotas, and units joining a cycle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.accreditation import tiers, workflow
from tracker.accreditation.context import Actor
from tracker.accreditation.models import (
    AgencyQuota,
    Assessment,
    Cycle,
    DeadlineExtension,
    Designation,
    Enrolment,
    MonitoringReport,
    Predicate,
)
from tracker.accreditation.workflow import Deadline, Stage
from tracker.agencies.models import Agency, Unit
from tracker.audit import services as audit
from tracker.auth.models import RoleGrant, User
from tracker.auth.roles import Role
from tracker.errors import ConflictError, NotAllowedError, NotFoundError, ValidationError
from tracker.i18n import _
from tracker.lke.models import LkeFramework

AREA_FLOOR_MODES = ("combined", "each_half")


@dataclass(frozen=True)
class Calendar:
    self_assessment_start: date
    self_assessment_end: date
    tpi_evaluation_start: date
    tpi_evaluation_end: date
    proposal_deadline: date
    appeal_deadline: date | None = None
    desk_evaluation_start: date | None = None
    field_evaluation_start: date | None = None
    designation_date: date | None = None

    @classmethod
    def default(cls, year: int) -> Calendar:
        """The regulation's proposal deadline (31 May) with the usual windows around it."""
        return cls(
            date(year, 1, 2),
            date(year, 3, 31),
            date(year, 4, 1),
            date(year, 5, 20),
            date(year, 5, 31),
            date(year, 7, 15),
            date(year, 7, 20),
            date(year, 9, 1),
            date(year, 12, 10),
        )

    def check(self) -> None:
        """Raises ValidationError unless the dates follow each other."""
        order = [
            self.self_assessment_start,
            self.self_assessment_end,
            self.tpi_evaluation_start,
            self.tpi_evaluation_end,
            self.proposal_deadline,
        ]
        later = [
            d
            for d in (
                self.appeal_deadline,
                self.desk_evaluation_start,
                self.field_evaluation_start,
                self.designation_date,
            )
            if d
        ]
        if order != sorted(order) or any(d < self.proposal_deadline for d in later):
            raise ValidationError(
                _(
                    "Urutan tanggal siklus tidak masuk akal: penilaian mandiri, "
                    "evaluasi TPI, pengusulan, lalu tahap TPN."
                )
            )


def create_cycle(
    session: Session,
    *,
    actor: User,
    year: int,
    name: str,
    framework: LkeFramework,
    calendar: Calendar,
    area_floor_mode: str | None = None,
) -> Cycle:
    """Open a cycle pinning ``framework``; ``area_floor_mode`` (D5) defaults to the framework's
    rule block. Raises ValidationError, ConflictError."""
    calendar.check()
    mode = area_floor_mode or framework.definition["eligibility"]["area_floor_mode"]
    if mode not in AREA_FLOOR_MODES:
        raise ValidationError(_("Cara membaca batas per area tidak dikenal."))
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Tahun siklus tidak valid."))
    if session.scalar(select(Cycle.id).where(Cycle.year == year)):
        raise ConflictError(_("Siklus tahun %(year)s sudah ada.", year=year))
    cycle = Cycle(
        year=year,
        name=name.strip() or f"Evaluasi ZI {year}",
        framework=framework,
        tiers=[t.to_data() for t in tiers.DEFAULT_TIERS],
        area_floor_mode=mode,
        created_by_id=actor.id,
        **calendar.__dict__,
    )
    session.add(cycle)
    session.flush()
    audit.record(
        session,
        actor=actor,
        tag="accreditation:cycle:create",
        subject=cycle,
        data={
            "year": year,
            "framework": f"{framework.code} v{framework.version}",
            "area_floor_mode": mode,
            **{k: v for k, v in calendar.__dict__.items() if v},
        },
    )
    return cycle


def get_cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFoundError(_("Siklus tidak ditemukan."))
    return cycle


def open_cycles(session: Session) -> Sequence[Cycle]:
    return session.scalars(
        select(Cycle).where(Cycle.open.is_(True)).order_by(Cycle.year.desc())
    ).all()


def effective_deadlines(
    session: Session, cycle: Cycle, agency_id: int | None
) -> dict[Deadline, date | None]:
    """The cycle's dates after extensions; extensions only ever move a date later, so the
    latest of the base date, the global extensions and this agency's extensions wins."""
    dates: dict[Deadline, date | None] = {d: getattr(cycle, d.value) for d in Deadline}
    stmt = select(DeadlineExtension).where(DeadlineExtension.cycle_id == cycle.id)
    for ext in session.scalars(stmt.order_by(DeadlineExtension.id)):
        if ext.agency_id is None or ext.agency_id == agency_id:
            current = dates[ext.deadline]
            dates[ext.deadline] = ext.new_date if current is None else max(current, ext.new_date)
    return dates


def extend_deadline(
    session: Session,
    *,
    actor: User,
    cycle: Cycle,
    deadline: Deadline,
    new_date: date,
    reason: str,
    agency: Agency | None = None,
) -> DeadlineExtension:
    """Move a deadline later (for all, or one agency); recorded and audited."""
    if not reason.strip():
        raise ValidationError(_("Alasan perpanjangan wajib diisi."))
    old = effective_deadlines(session, cycle, agency.id if agency else None)[deadline]
    if old is not None and new_date <= old:
        raise ValidationError(_("Tanggal baru harus sesudah %(date)s.", date=old.isoformat()))
    ext = DeadlineExtension(
        cycle_id=cycle.id,
        deadline=deadline,
        new_date=new_date,
        old_date=old,
        reason=reason.strip(),
        extended_by_id=actor.id,
        agency_id=agency.id if agency else None,
    )
    session.add(ext)
    session.flush()
    audit.record(
        session,
        actor=actor,
        tag="accreditation:deadline:extend",
        subject=ext,
        agency_id=ext.agency_id,
        data={
            "deadline": deadline.value,
            "old": old,
            "new": new_date,
            "reason": ext.reason,
            "agency": agency.name if agency else None,
        },
    )
    return ext


def set_quota(
    session: Session, *, actor: User, cycle: Cycle, agency: Agency, max_proposals: int
) -> AgencyQuota:
    if max_proposals < 0:
        raise ValidationError(_("Kuota tidak boleh negatif."))
    quota = session.scalars(
        select(AgencyQuota).where(
            AgencyQuota.cycle_id == cycle.id, AgencyQuota.agency_id == agency.id
        )
    ).first()
    old = quota.max_proposals if quota else None
    if quota is None:
        quota = AgencyQuota(cycle_id=cycle.id, agency_id=agency.id, max_proposals=max_proposals)
        session.add(quota)
    quota.max_proposals = max_proposals
    session.flush()
    audit.record(
        session,
        actor=actor,
        tag="accreditation:quota:set",
        subject=quota,
        agency_id=agency.id,
        data={"old": old, "new": max_proposals},
    )
    return quota


def quota_left(session: Session, cycle: Cycle, agency_id: int) -> int | None:
    quota = session.scalar(
        select(AgencyQuota.max_proposals).where(
            AgencyQuota.cycle_id == cycle.id, AgencyQuota.agency_id == agency_id
        )
    )
    if quota is None:
        return None
    proposed_stages = [s for s in Stage if s not in _NOT_PROPOSED]
    used = (
        session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(
                Enrolment.cycle_id == cycle.id,
                Enrolment.agency_id == agency_id,
                Enrolment.stage.in_(proposed_stages),
            )
        )
        or 0
    )
    return quota - used


_NOT_PROPOSED = frozenset(
    {
        Stage.DECLARED,
        Stage.BUILDING,
        Stage.PRELIMINARY,
        Stage.TPI_EVALUATION,
        Stage.TPI_RECOMMENDED,
        Stage.VOID,
    }
)


def active_designation(session: Session, unit_id: int, predicate: Predicate) -> Designation | None:
    return session.scalars(
        select(Designation)
        .where(
            Designation.unit_id == unit_id,
            Designation.predicate == predicate,
            Designation.revoked_on.is_(None),
        )
        .order_by(Designation.year.desc())
    ).first()


def has_parent_assessor(session: Session, unit: Unit) -> bool:
    """Whether a preliminary assessor is assigned to a unit above this one (90/2021 Lamp. II)."""
    if not unit.ancestor_ids:
        return False
    return bool(
        session.scalar(
            select(func.count())
            .select_from(RoleGrant)
            .where(
                RoleGrant.role == Role.PENILAI_PENDAHULUAN, RoleGrant.unit_id.in_(unit.ancestor_ids)
            )
        )
    )


def enrol(
    session: Session,
    *,
    actor: Actor,
    cycle: Cycle,
    unit: Unit,
    target: Predicate,
    declared_on: date,
    note: str = "",
) -> Enrolment:
    """Declare ZI (pencanangan) for ``unit`` in ``cycle``. Raises ConflictError, ValidationError.

    The unit's self-assessment tier starts empty; the Pakta Integritas evidence is attached by
    the caller in the same transaction (``evidence.services``).
    """
    ensure_may_declare(actor)
    if not cycle.open:
        raise ValidationError(_("Siklus %(year)s sudah ditutup.", year=cycle.year))
    if session.scalar(
        select(Enrolment.id).where(Enrolment.cycle_id == cycle.id, Enrolment.unit_id == unit.id)
    ):
        raise ConflictError(
            _("%(unit)s sudah terdaftar pada siklus %(year)s.", unit=unit.name, year=cycle.year)
        )
    if target is Predicate.WBBM and active_designation(session, unit.id, Predicate.WBK) is None:
        raise ValidationError(
            _(
                "Pembangunan menuju WBBM hanya dapat dimulai dari predikat "
                "Menuju WBK yang masih berlaku."
            )
        )
    enrolment = Enrolment(
        cycle=cycle,
        unit=unit,
        agency_id=unit.agency_id,
        target=target,
        declared_on=declared_on,
        declaration_note=note.strip(),
        needs_preliminary=has_parent_assessor(session, unit),
        created_by_id=actor.id,
    )
    session.add(enrolment)
    session.flush()
    session.add(Assessment(enrolment_id=enrolment.id, tier=tiers.UNIT))
    audit.record(
        session,
        actor=actor.user,
        tag="accreditation:enrolment:declare",
        subject=enrolment,
        unit_id=unit.id,
        agency_id=unit.agency_id,
        data={
            "cycle": cycle.year,
            "target": target.value,
            "declared_on": declared_on,
            "needs_preliminary": enrolment.needs_preliminary,
        },
    )
    return enrolment


# Declaring ZI for a unit: its coordinator, its agency's leadership, or an administrator.
DECLARE_ROLES = frozenset({Role.KOORDINATOR, Role.PIMPINAN, Role.ADMIN})


def may_declare(actor: Actor) -> bool:
    return bool(actor.roles & DECLARE_ROLES)


def ensure_may_declare(actor: Actor) -> None:
    """Raises NotAllowedError unless the actor may declare ZI for the unit."""
    if not may_declare(actor):
        raise NotAllowedError(
            _(
                "Hanya koordinator unit, pimpinan instansi atau administrator "
                "yang dapat mencatat pencanangan."
            )
        )


def enrolments_of_unit(session: Session, unit_id: int) -> Sequence[Enrolment]:
    return session.scalars(
        select(Enrolment)
        .where(Enrolment.unit_id == unit_id)
        .join(Cycle)
        .order_by(Cycle.year.desc())
    ).all()


def cycle_tiers(cycle: Cycle) -> tuple[tiers.Tier, ...]:
    return tiers.parse_tiers(cycle.tiers)


def deadlines_by_label(deadlines: Mapping[Deadline, date | None]) -> dict[str, date | None]:
    return {d.value: v for d, v in deadlines.items()}


def designations_of_unit(session: Session, unit_id: int) -> Sequence[Designation]:
    return session.scalars(
        select(Designation).where(Designation.unit_id == unit_id).order_by(Designation.year.desc())
    ).all()


@dataclass(frozen=True)
class MonitoringStatus:
    last_report: date | None
    due: date
    overdue: bool


def monitoring_status(session: Session, designation: Designation, today: date) -> MonitoringStatus:
    """When the next post-designation report is due, and whether it is late."""
    reports = list(
        session.scalars(
            select(MonitoringReport.reported_on).where(
                MonitoringReport.designation_id == designation.id
            )
        )
    )
    due = workflow.monitoring_due(designation.decree_date, reports)
    return MonitoringStatus(max(reports) if reports else None, due, today > due)
