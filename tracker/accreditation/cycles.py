"""Evaluation cycles: the calendar and its deadline extensions, the D5 reading of the area
floor, agency quotas, and the tier list each cycle stores (D8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker import clock
from tracker.accreditation import deadlines, tiers
from tracker.accreditation.models import AgencyQuota, Cycle, DeadlineExtension, Enrolment
from tracker.accreditation.workflow import Deadline, Stage
from tracker.agencies.models import Agency
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.errors import ConflictError, DeadlinePassedError, NotFoundError, ValidationError
from tracker.i18n import _
from tracker.lke import FloorMode
from tracker.lke.models import LkeFramework


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
    user: User,
    year: int,
    name: str,
    framework: LkeFramework,
    calendar: Calendar,
    area_floor_mode: FloorMode | None = None,
) -> Cycle:
    """Open a cycle pinning ``framework``; ``area_floor_mode`` (D5) defaults to the framework's
    rule block. Raises ValidationError, ConflictError."""
    calendar.check()
    mode = _floor_mode(area_floor_mode or framework.definition["eligibility"]["area_floor_mode"])
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
        created_by_id=user.id,
        **calendar.__dict__,
    )
    session.add(cycle)
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="accreditation:cycle:create",
        subject=cycle,
        data={
            "year": year,
            "framework": f"{framework.code} v{framework.version}",
            "area_floor_mode": mode.value,
            **{k: v for k, v in calendar.__dict__.items() if v},
        },
    )
    return cycle


def _floor_mode(value: str) -> FloorMode:
    """A D5 reading by its value. Raises ValidationError for an unknown one."""
    try:
        return FloorMode(value)
    except ValueError:
        raise ValidationError(_("Cara membaca batas per area tidak dikenal.")) from None


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
    stmt = select(DeadlineExtension).where(DeadlineExtension.cycle_id == cycle.id)
    dates = deadlines.extended(
        {d.value: getattr(cycle, d.value) for d in Deadline},
        ((e.deadline, e.agency_id, e.new_date) for e in session.scalars(stmt)),
        agency_id,
    )
    return {d: dates[d.value] for d in Deadline}


def ensure_stage_open(session: Session, enrolment: Enrolment, on: date | None = None) -> None:
    """Issue 15 §3: the work of the enrolment's stage (answers, evidence, item decisions,
    sign-offs) is done within its window (``deadlines.STAGE_WINDOW``), extensions for its
    agency included, and the LKE is not filled before the self-assessment opens. Raises
    DeadlinePassedError naming the date (and, when late, who may extend it)."""
    if enrolment.stage not in deadlines.STAGE_WINDOW:
        return
    day = on or clock.today()
    start = enrolment.cycle.self_assessment_start
    if reason := deadlines.not_open_reason(enrolment.stage, start, day):
        raise DeadlinePassedError(reason)
    dates = effective_deadlines(session, enrolment.cycle, enrolment.agency_id)
    reason = deadlines.stage_work_reason(enrolment.stage, dates, day)
    if reason:
        raise DeadlinePassedError(reason)


def extend_deadline(
    session: Session,
    *,
    user: User,
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
        extended_by_id=user.id,
        agency_id=agency.id if agency else None,
    )
    session.add(ext)
    session.flush()
    audit.record(
        session,
        actor=user,
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
    session: Session, *, user: User, cycle: Cycle, agency: Agency, max_proposals: int
) -> AgencyQuota:
    """Limit the agency's proposals in the cycle (D10). Raises ValidationError."""
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
        actor=user,
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


def cycle_tiers(cycle: Cycle) -> tuple[tiers.Tier, ...]:
    """The cycle's assessment tiers, in order (D8: configuration stored with the cycle)."""
    return tiers.parse_tiers(cycle.tiers)


def deadlines_by_label(deadlines: Mapping[Deadline, date | None]) -> dict[str, date | None]:
    return {d.value: v for d, v in deadlines.items()}
