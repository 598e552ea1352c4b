"""Moving an enrolment through the life cycle: gather the facts, ask the state machine,
apply the stage and its side effects (tiers, snapshots, designation), record the hand-off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import hooks
from tracker.accreditation import assessments, cycles, proposal, reviews, snapshots, tiers, workflow
from tracker.accreditation.context import Actor, actor_for
from tracker.accreditation.models import (
    Designation,
    Enrolment,
    KknCase,
    MonitoringReport,
    MonitoringResult,
    Predicate,
    StageTransition,
)
from tracker.accreditation.workflow import Action
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.clock import today
from tracker.db import utcnow
from tracker.errors import ConflictError, ValidationError
from tracker.i18n import _
from tracker.lke import describe_rule

# Hand-offs that freeze a snapshot: submissions, the reviewers' verdicts, the proposal, and
# every TPN decision that ends the cycle.
SNAPSHOT_ACTIONS = frozenset(
    {
        Action.SUBMIT_PRELIMINARY,
        Action.SUBMIT_TPI,
        Action.PRELIMINARY_PASS,
        Action.TPI_MEETS,
        Action.PROPOSE,
        Action.DESK_STOP,
        Action.DESIGNATE,
        Action.COACH,
    }
)
# The tier whose scores an action is judged on.
JUDGED_BY = {Action.TPI_MEETS: "tpi", Action.PROPOSE: "tpi", Action.DESIGNATE: "tpn"}


@dataclass(frozen=True)
class Details:
    """What some actions need besides a note."""

    note: str = ""
    decree_number: str = ""
    decree_date: date | None = None
    on_date: date | None = None  # revocation / monitoring report date
    monitoring_result: MonitoringResult | None = None


def advance(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    action: Action,
    details: Details | None = None,
    expected_version: int | None = None,
    on: date | None = None,
) -> StageTransition:
    """Apply ``action`` as ``actor``. Raises InvalidTransitionError (with every reason),
    NotAllowedError, ConflictError (someone moved the enrolment first)."""
    if expected_version is not None and expected_version != enrolment.version:
        raise ConflictError(
            _("Tahap unit ini baru saja diubah oleh pengguna lain. Muat ulang halaman.")
        )
    details = details or Details()
    ctx = context(session, enrolment, action, details, on or today())
    target = workflow.advance(enrolment.stage, action, actor.roles, ctx)
    snapshot = (
        snapshots.take(session, actor=actor, enrolment=enrolment, action=action, to_stage=target)
        if action in SNAPSHOT_ACTIONS
        else None
    )
    transition = StageTransition(
        enrolment_id=enrolment.id,
        action=action,
        from_stage=enrolment.stage,
        to_stage=target,
        actor_id=actor.id,
        note=details.note.strip(),
        snapshot_id=snapshot.id if snapshot else None,
    )
    session.add(transition)
    enrolment.stage, enrolment.stage_since = target, utcnow()
    _side_effects(session, actor, enrolment, action, details, snapshot)
    _start_deciding_tier(session, enrolment)
    session.flush()
    audit.record(
        session,
        actor=actor.user,
        tag="accreditation:stage:advance",
        subject=enrolment,
        unit_id=enrolment.unit_id,
        agency_id=enrolment.agency_id,
        data={
            "action": action.value,
            "from": transition.from_stage.value,
            "to": target.value,
            "note": transition.note,
            "snapshot": snapshot.sha256 if snapshot else None,
        },
    )
    return transition


def _start_deciding_tier(session: Session, enrolment: Enrolment) -> None:
    tier = tiers.tier_for_stage(cycles.cycle_tiers(enrolment.cycle), enrolment.stage)
    if tier is not None:
        assessments.ensure_assessment(session, enrolment, tier.code)


def _side_effects(
    session: Session, actor: Actor, enrolment: Enrolment, action: Action, details: Details, snapshot
) -> None:
    if action in (Action.PRELIMINARY_RETURN, Action.TPI_NOT_YET):
        _clear_sign_offs(session, enrolment)
    elif action is Action.APPEAL:
        enrolment.appeal_used = True
    elif action is Action.DESIGNATE:
        _designate(session, actor, enrolment, details, snapshot)
    elif action is Action.REVOKE:
        designation = designation_of(session, enrolment)
        designation.revoked_on = details.on_date or today()
        designation.revocation_reason, designation.revoked_by_id = details.note.strip(), actor.id
    elif action is Action.REPORT_MONITORING:
        session.add(
            MonitoringReport(
                designation_id=designation_of(session, enrolment).id,
                reported_on=details.on_date or today(),
                note=details.note.strip(),
                result=details.monitoring_result or MonitoringResult.STILL_MEETS,
                reported_by_id=actor.id,
            )
        )


def _designate(
    session: Session, actor: Actor, enrolment: Enrolment, details: Details, snapshot
) -> None:
    """Record the designation on the TPN snapshot; the ``designated`` hook issues its
    certificate (D11) in the same transaction.

    Raises what a hook raises (the certificate service: no signatory configured, a field that
    does not fit the page): the whole transition is then refused and nothing is saved.
    """
    designation = Designation(
        enrolment_id=enrolment.id,
        unit_id=enrolment.unit_id,
        agency_id=enrolment.agency_id,
        predicate=enrolment.target,
        year=enrolment.cycle.year,
        decree_number=details.decree_number.strip(),
        decree_date=details.decree_date,
        snapshot_id=snapshot.id,
        snapshot_sha256=snapshot.sha256,
        designated_by_id=actor.id,
    )
    session.add(designation)
    hooks.of(session).fire_designated(
        session, designation=designation, actor=actor.user, issued_on=details.decree_date
    )


def _clear_sign_offs(session: Session, enrolment: Enrolment) -> None:
    """A unit sent back to building will be reviewed afresh on its next submission."""
    for tier in cycles.cycle_tiers(enrolment.cycle):
        if tier.reviews:
            for row in reviews.signed_areas(session, enrolment.id, tier.code).values():
                session.delete(row)


def designation_of(session: Session, enrolment: Enrolment) -> Designation:
    row = session.scalars(
        select(Designation).where(Designation.enrolment_id == enrolment.id)
    ).first()
    if row is None:
        raise ValidationError(_("Unit ini belum ditetapkan."))
    return row


def context(
    session: Session, enrolment: Enrolment, action: Action, details: Details, on: date
) -> workflow.Context:
    """Every fact the guards of ``action`` look at, gathered from the database."""
    judged = _judgement(session, enrolment, action)
    return workflow.Context(
        today=on,
        needs_preliminary=enrolment.needs_preliminary,
        unanswered_items=_unanswered(session, enrolment, action),
        unsigned_areas=_unsigned(session, enrolment, action),
        eligible_for_target=judged[0],
        eligibility_shortfalls=judged[1],
        deadlines=cycles.effective_deadlines(session, enrolment.cycle, enrolment.agency_id),
        appeal_used=enrolment.appeal_used,
        quota_left=cycles.quota_left(session, enrolment.cycle, enrolment.agency_id)
        if action is Action.PROPOSE
        else None,
        unmet_prerequisites=tuple(proposal.unmet(session, enrolment))
        if action is Action.PROPOSE
        else (),
        barred_until=workflow.barred_until(revocations(session, enrolment.unit_id)),
        has_active_wbk=cycles.active_designation(session, enrolment.unit_id, Predicate.WBK)
        is not None,
        target_is_wbbm=enrolment.target is Predicate.WBBM,
        kkn_case=has_kkn_case(session, enrolment),
        note=details.note,
        decree_given=bool(details.decree_number.strip() and details.decree_date),
    )


def _unanswered(session: Session, enrolment: Enrolment, action: Action) -> int:
    if action not in (Action.SUBMIT_PRELIMINARY, Action.SUBMIT_TPI):
        return 0
    unit = assessments.get_assessment(session, enrolment.id, tiers.UNIT)
    total = sum(1 for _item in assessments.framework_for(enrolment).items())
    return total - (unit.answered if unit else 0)


def _unsigned(session: Session, enrolment: Enrolment, action: Action) -> tuple[str, ...]:
    tier = tiers.tier_for_stage(cycles.cycle_tiers(enrolment.cycle), enrolment.stage)
    if action not in (Action.PRELIMINARY_PASS, Action.TPI_MEETS) or tier is None:
        return ()
    # The tier deciding in the current stage must have signed off every area.
    signed = reviews.signed_areas(session, enrolment.id, tier.code)
    return tuple(a for a in area_keys(enrolment) if a not in signed)


def area_keys(enrolment: Enrolment) -> list[str]:
    framework = assessments.framework_for(enrolment)
    return sorted({tiers.area_of(item.code) for item in framework.items()})


def _judgement(
    session: Session, enrolment: Enrolment, action: Action
) -> tuple[bool, tuple[str, ...]]:
    tier = JUDGED_BY.get(action)
    if tier is None:
        return True, ()
    result = assessments.result_of(session, enrolment, tier)
    if result is None:
        return False, (_("Belum ada penilaian %(tier)s.", tier=tier.upper()),)
    verdict = result.verdicts[enrolment.target.value]
    return verdict.eligible, tuple(describe_rule(r) for r in verdict.failed)


def revocations(session: Session, unit_id: int) -> list[date]:
    return list(
        session.scalars(
            select(Designation.revoked_on).where(
                Designation.unit_id == unit_id, Designation.revoked_on.is_not(None)
            )
        )
    )


def has_kkn_case(session: Session, enrolment: Enrolment) -> bool:
    """D10: a KKN case recorded against the agency in the proposal year."""
    year = enrolment.cycle.year
    return bool(
        session.scalar(
            select(KknCase.id).where(
                KknCase.agency_id == enrolment.agency_id,
                KknCase.occurred_on >= date(year, 1, 1),
                KknCase.occurred_on <= date(year, 12, 31),
            )
        )
    )


def record_kkn_case(
    session: Session, *, user: User, agency_id: int, occurred_on: date, description: str
) -> list[Enrolment]:
    """Record a KKN case and void the agency's pending proposals of that year (D10)."""
    if not description.strip():
        raise ValidationError(_("Uraian kasus wajib diisi."))
    case = KknCase(
        agency_id=agency_id,
        occurred_on=occurred_on,
        description=description.strip(),
        recorded_by_id=user.id,
    )
    session.add(case)
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="accreditation:kkn:record",
        subject=case,
        agency_id=agency_id,
        data={"occurred_on": occurred_on, "description": case.description},
    )
    pending = session.scalars(
        select(Enrolment)
        .join(Enrolment.cycle)
        .where(Enrolment.agency_id == agency_id, Enrolment.stage.in_(workflow.PENDING_PROPOSAL))
    ).all()
    voided = [e for e in pending if e.cycle.year == occurred_on.year]
    note = _("Digugurkan: kasus KKN instansi (%(date)s).", date=occurred_on.isoformat())
    for enrolment in voided:
        advance(
            session,
            actor=actor_for(user, enrolment.unit),
            enrolment=enrolment,
            action=Action.VOID,
            details=Details(note=note),
            on=occurred_on,
        )
    return voided
