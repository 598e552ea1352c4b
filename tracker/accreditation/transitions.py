"""Moving an enrolment through the life cycle: gather the facts, ask the state machine,
apply the stage and its side effects (tiers, snapshots, designation), record the hand-off."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker import clock, hooks
from tracker.accreditation import (
    assessments,
    carry,
    clearance,
    cycles,
    designations,
    duties,
    guards,
    proposal,
    reviews,
    snapshots,
    surveys,
    tiers,
    workflow,
)
from tracker.accreditation.context import Actor, actor_for
from tracker.accreditation.deployment import Deployment, clean_reference, records_from_portalrb
from tracker.accreditation.guards import Fact, Judgement, MissingFactError
from tracker.accreditation.models import (
    Designation,
    Enrolment,
    KknCase,
    MonitoringResult,
    Predicate,
    Snapshot,
    StageTransition,
)
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import Action
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.db import utcnow
from tracker.errors import ConflictError, NotAllowedError, ValidationError
from tracker.evidence import services as evidence
from tracker.hooks import Happening
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
JUDGED_BY: Mapping[Action, TierCode] = {
    Action.TPI_MEETS: TierCode.TPI,
    Action.PROPOSE: TierCode.TPI,
    Action.DESIGNATE: TierCode.TPN,
}
# The tier whose answers each hand-off (workflow.HAND_OFFS) passes on: what it checks for blank
# items, items in error (D4, D13) and evidence (D16). The unit submits its own; each reviewing
# tier's verdict passes on its own answers (TPN's are the ones a designation rests on).
HANDED_ON: Mapping[Action, TierCode] = {
    Action.SUBMIT_PRELIMINARY: TierCode.UNIT,
    Action.SUBMIT_TPI: TierCode.UNIT,
    Action.PRELIMINARY_PASS: TierCode.PRELIMINARY,
    Action.TPI_MEETS: TierCode.TPI,
    Action.PROPOSE: TierCode.TPI,
    Action.DESIGNATE: TierCode.TPN,
}


@dataclass(frozen=True)
class Details:
    """What some actions need besides a note."""

    note: str = ""
    decree_number: str = ""
    decree_date: date | None = None
    on_date: date | None = None  # revocation / monitoring report date
    monitoring_result: MonitoringResult | None = None
    # D16: the sender saw the answered items without evidence and hands them on anyway.
    evidence_confirmed: bool = False
    # Issue 12: in an agency deployment a TPN step records PortalRB's published result, named
    # here. ``deployment`` is the actor's (``advance`` sets it; a preview passes its own).
    portalrb_reference: str = ""
    deployment: Deployment = Deployment.NATIONAL


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
    NotAllowedError, ConflictError (someone moved the enrolment first), and MissingFactError
    if a guard reads a fact nobody gathers (a programming error: the action is refused)."""
    if expected_version is not None and expected_version != enrolment.version:
        raise ConflictError(
            _("Tahap unit ini baru saja diubah oleh pengguna lain. Muat ulang halaman.")
        )
    details = replace(details or Details(), deployment=actor.deployment)
    _ensure_independent(actor, enrolment, action)
    ctx = context(session, enrolment, action, details, on or clock.today())
    target = workflow.advance(enrolment.stage, action, actor.roles, ctx)
    recorded = records_from_portalrb(actor.deployment, action in workflow.TPN_STEPS)
    reference = clean_reference(details.portalrb_reference) if recorded else None
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
        portalrb_reference=reference,
    )
    session.add(transition)
    enrolment.stage, enrolment.stage_since = target, utcnow()
    _side_effects(session, actor, enrolment, action, details, snapshot, ctx.today)
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
            **_evidence_record(ctx),
            **({"recorded_from": "PortalRB", "portalrb_reference": reference} if recorded else {}),
        },
    )
    hooks.tell(
        session,
        Happening.STAGE_CHANGED,
        enrolment=enrolment,
        actor=actor.user,
        action=action.value,
        from_stage=transition.from_stage.value,
        to_stage=target.value,
    )
    return transition


def _ensure_independent(actor: Actor, enrolment: Enrolment, action: Action) -> None:
    """Issue 13 §12: nobody judges a unit they belong to. Asked after the table and the roles
    (an action the actor may not take at all is refused as such), before any guard."""
    workflow.next_stage(enrolment.stage, action)
    workflow.ensure_allowed(actor.roles, action)
    if reason := duties.action_conflict(action, actor.memberships, enrolment.unit.name):
        raise NotAllowedError(reason)


def _evidence_record(ctx: guards.Context) -> dict[str, object]:
    """D16: what a hand-off passed on without evidence, confirmed by its sender, on record."""
    if Fact.EVIDENCE_GAP not in ctx.given:
        return {}
    gap = ctx.evidence_gap
    return {
        "without_evidence": len(gap.items),
        "missing_documents": len(gap.documents),
        "evidence_confirmed": ctx.evidence_confirmed,
    }


def _start_deciding_tier(session: Session, enrolment: Enrolment) -> None:
    tier = tiers.tier_for_stage(cycles.cycle_tiers(enrolment.cycle), enrolment.stage)
    if tier is not None:
        assessments.ensure_assessment(session, enrolment, tier.code)


def _side_effects(
    session: Session,
    actor: Actor,
    enrolment: Enrolment,
    action: Action,
    details: Details,
    snapshot: Snapshot | None,
    day: date,
) -> None:
    if action in (Action.PRELIMINARY_RETURN, Action.TPI_NOT_YET):
        _clear_sign_offs(session, enrolment)
    elif action is Action.APPEAL:
        enrolment.appeal_used = True
    elif action is Action.DESIGNATE:
        if snapshot is None:  # DESIGNATE is one of SNAPSHOT_ACTIONS: the decree cites it
            raise RuntimeError("a designation needs the snapshot of its hand-off")
        designations.record_designation(
            session,
            actor=actor,
            enrolment=enrolment,
            decree_number=details.decree_number,
            decree_date=details.decree_date,
            snapshot=snapshot,
        )
    elif action is Action.REVOKE:
        ended = designations.record_revocation(
            session,
            actor=actor,
            enrolment=enrolment,
            decree_number=details.decree_number,
            decree_date=details.decree_date,
            on=details.on_date,
            reason=details.note,
            today=day,
        )
        end_enrolments(session, actor.user, ended, details, day, done=enrolment.id)
    elif action is Action.REPORT_MONITORING:  # the step follows the report, never alone
        designations.filed_monitoring_report(session, enrolment=enrolment, on=details.on_date)


def end_enrolments(
    session: Session,
    user: User,
    ended: list[Designation],
    details: Details,
    day: date,
    done: int | None = None,
) -> None:
    """D15: a revocation ends every active predicate of the unit; the enrolments those were
    designated in (other than ``done``, the one revoked) move to "revoked" with the same
    decree and reason, on ``day`` (the revocation's), so no stage still shows a predicate that
    has ended."""
    for designation in ended:
        if designation.enrolment_id is None or designation.enrolment_id == done:
            continue
        other = session.get(Enrolment, designation.enrolment_id)
        if other is not None and (other.stage, Action.REVOKE) in workflow.TRANSITIONS:
            advance(
                session,
                actor=actor_for(user, other.unit),
                enrolment=other,
                action=Action.REVOKE,
                details=details,
                on=day,
            )


def _clear_sign_offs(session: Session, enrolment: Enrolment) -> None:
    """A unit sent back to building will be reviewed afresh on its next submission."""
    for tier in cycles.cycle_tiers(enrolment.cycle):
        if tier.reviews:
            for row in reviews.signed_areas(session, enrolment.id, tier.code).values():
                session.delete(row)


def context(
    session: Session, enrolment: Enrolment, action: Action, details: Details, on: date
) -> guards.Context:
    """Exactly the facts the guards of ``action`` read (``workflow.FACTS``), gathered from the
    database and ``details``: an action without guards costs no query. Raises
    MissingFactError when a declared fact has no gatherer (a programming error)."""
    facts: dict[str, object] = {}
    with assessments.shared_reads(session):  # several facts read the same tier's answers
        for fact in workflow.FACTS[action]:
            gather = GATHERERS.get(fact)
            if gather is None:
                raise MissingFactError(f"no gatherer for the workflow fact {fact.value!r}")
            facts[fact.value] = gather(session, enrolment, action, details)
    return guards.Context(on, **facts)


def _unanswered(session: Session, enrolment: Enrolment, action: Action, _d: Details) -> int:
    """D3, D13: the blank items of the tier ``action`` passes on (every item when that tier has
    no LKE). Items in error are ``_in_error``'s, so that each is reported once, as what it is.
    Scored from the stored answers, never from the cached count: a cache written before D4 was
    revised still counts a 0/0 item as answered."""
    report = assessments.report_of(session, enrolment, HANDED_ON[action])
    if report is None:
        return sum(1 for _item in assessments.framework_for(enrolment).items())
    return report.total.total - report.total.answered - len(report.errors())


def _in_error(
    session: Session, enrolment: Enrolment, action: Action, _d: Details
) -> tuple[str, ...]:
    """D4: the items in error of the tier ``action`` passes on, scored from its answers."""
    report = assessments.report_of(session, enrolment, HANDED_ON[action])
    return tuple(result.code for result in report.errors()) if report else ()


def _evidence_gap(
    session: Session, enrolment: Enrolment, action: Action, _d: Details
) -> guards.EvidenceGap:
    """D16: the items answered on the tier ``action`` passes on with no file or link at all,
    and the required documents missing on the others. Evidence belongs to the enrolment's
    items, whichever tier answered them; it is read in one query."""
    answered = assessments.answered_codes(session, enrolment, HANDED_ON[action])
    present = evidence.item_evidence(session, enrolment.id)
    framework = assessments.framework_for(enrolment)
    items, documents = [], []
    for item in framework.items():
        if item.code not in answered:
            continue
        if item.code not in present:
            items.append(item.code)
            continue
        documents += [
            (item.code, d.key)
            for d in item.documents
            if d.required and d.key not in present[item.code]
        ]
    return guards.EvidenceGap(tuple(items), tuple(documents))


def _unsigned(
    session: Session, enrolment: Enrolment, _action: Action, _d: Details
) -> tuple[str, ...]:
    """The areas the tier deciding in the current stage has not signed off yet."""
    tier = tiers.tier_for_stage(cycles.cycle_tiers(enrolment.cycle), enrolment.stage)
    if tier is None:
        return ()
    signed = reviews.signed_areas(session, enrolment.id, tier.code)
    return tuple(a for a in area_keys(enrolment) if a not in signed)


def area_keys(enrolment: Enrolment) -> list[str]:
    framework = assessments.framework_for(enrolment)
    return sorted({tiers.area_of(item.code) for item in framework.items()})


def _judgement(session: Session, enrolment: Enrolment, action: Action, _d: Details) -> Judgement:
    """The verdict of the tier ``action`` is judged on (JUDGED_BY) on the target predicate."""
    tier = JUDGED_BY[action]
    result = assessments.result_of(session, enrolment, tier)
    if result is None:
        return Judgement(False, (_("Belum ada penilaian %(tier)s.", tier=tier.upper()),))
    verdict = result.verdicts[enrolment.target.value]
    return Judgement(verdict.eligible, tuple(describe_rule(r) for r in verdict.failed))


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


Gatherer = Callable[[Session, Enrolment, Action, Details], object]

# How each fact is found; ``context`` calls only those the action reads.
GATHERERS: Mapping[Fact, Gatherer] = {
    Fact.NEEDS_PRELIMINARY: lambda _s, e, _a, _d: e.needs_preliminary,
    Fact.UNANSWERED_ITEMS: _unanswered,
    Fact.ITEMS_IN_ERROR: _in_error,
    Fact.EVIDENCE_GAP: _evidence_gap,
    Fact.EVIDENCE_CONFIRMED: lambda _s, _e, _a, d: d.evidence_confirmed,
    Fact.UNSIGNED_AREAS: _unsigned,
    Fact.JUDGEMENT: _judgement,
    Fact.DEADLINES: lambda s, e, _a, _d: cycles.effective_deadlines(s, e.cycle, e.agency_id),
    Fact.APPEAL_USED: lambda _s, e, _a, _d: e.appeal_used,
    Fact.QUOTA_LEFT: lambda s, e, _a, _d: cycles.quota_left(s, e.cycle, e.agency_id),
    Fact.UNMET_PREREQUISITES: lambda s, e, _a, _d: tuple(proposal.unmet(s, e)),
    Fact.BARRED_UNTIL: lambda s, e, _a, _d: workflow.barred_until(
        designations.revocations(s, e.unit_id)
    ),
    Fact.HAS_ACTIVE_WBK: lambda s, e, _a, _d: (
        designations.active_designation(s, e.unit_id, Predicate.WBK) is not None
    ),
    Fact.TARGET_IS_WBBM: lambda _s, e, _a, _d: e.target is Predicate.WBBM,
    Fact.KKN_CASE: lambda s, e, _a, _d: has_kkn_case(s, e),
    Fact.NOTE: lambda _s, _e, _a, d: d.note,
    Fact.DECREE_GIVEN: lambda _s, _e, _a, d: bool(d.decree_number.strip() and d.decree_date),
    Fact.DECREE_DATE: lambda _s, _e, _a, d: d.decree_date,
    Fact.TPN_SURVEYS: lambda s, e, _a, _d: surveys.records(s, e),
    Fact.DEPLOYMENT: lambda _s, _e, _a, d: d.deployment,
    Fact.PORTALRB_REFERENCE: lambda _s, _e, _a, d: d.portalrb_reference,
    Fact.CLEARANCE: lambda s, e, _a, d: clearance.state(s, e, d.deployment),
    Fact.CARRIED_UNCONFIRMED: lambda s, e, _a, _d: carry.unconfirmed_count(s, e),
}


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
