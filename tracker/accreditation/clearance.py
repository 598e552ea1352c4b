"""Issue 17 §1: TPN's clearance round with the overseers before a designation.

TPN records, per proposed unit, each request to an overseer (asked when), its answer
(answered when, clear or findings with a summary and the overseer's letter), how findings were
resolved, and, when it designates despite an open clearance, its reasoned decision. Every step
is audited; the rule (``clearance_rules``) decides, and ``state`` gathers what the DESIGNATE
guard reads (``guards.clearance``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tracker.accreditation import clearance_rules as rules
from tracker.accreditation.clearance_rules import Clearance, ClearanceResult
from tracker.accreditation.context import Actor
from tracker.accreditation.deployment import Deployment
from tracker.accreditation.models import Cycle, Enrolment
from tracker.accreditation.oversight_models import ClearanceOverride, ClearanceRequest
from tracker.accreditation.workflow import PENDING_PROPOSAL
from tracker.audit import services as audit
from tracker.auth.models import User
from tracker.auth.roles import Role
from tracker.errors import NotAllowedError, NotFoundError, ValidationError
from tracker.evidence import uploads
from tracker.evidence.filetypes import UploadPolicy
from tracker.evidence.models import EvidenceFile, EvidencePurpose
from tracker.evidence.services import Target
from tracker.evidence.storage import BlobStore
from tracker.evidence.uploads import Upload
from tracker.i18n import _

DOCUMENT_KEY = "clearance-answer"
TAG = "accreditation:clearance"


def overseers(cycle: Cycle) -> tuple[str, ...]:
    """Whom this cycle's TPN asks: the cycle's list, or the default three."""
    return rules.overseers_of(cycle.overseers)


def requests_of(session: Session, enrolment_id: int) -> Sequence[ClearanceRequest]:
    """The unit's requests in the order they were recorded, with their letters (two queries)."""
    return session.scalars(
        select(ClearanceRequest)
        .where(ClearanceRequest.enrolment_id == enrolment_id)
        .options(selectinload(ClearanceRequest.document))
        .order_by(ClearanceRequest.id)
    ).all()


def latest_override(session: Session, enrolment_id: int) -> ClearanceOverride | None:
    return session.scalars(
        select(ClearanceOverride)
        .where(ClearanceOverride.enrolment_id == enrolment_id)
        .order_by(ClearanceOverride.id.desc())
    ).first()


def _as_rule(row: ClearanceRequest) -> rules.Request:
    return rules.Request(
        number=row.id,
        overseer=row.overseer,
        asked_on=row.asked_on,
        answered_on=row.answered_on,
        result=row.result,
        resolved_on=row.resolved_on,
    )


def _clearance(
    rows: Sequence[ClearanceRequest],
    override: ClearanceOverride | None,
    required: tuple[str, ...],
) -> Clearance:
    covers = override.covers_up_to if override else None
    return Clearance(tuple(_as_rule(r) for r in rows), covers, required)


def required(enrolment: Enrolment, deployment: Deployment) -> tuple[str, ...]:
    """The overseers the round must ask before the designation: the cycle's, unless TPN runs
    its round in PortalRB (an agency deployment records TPN's result, issue 12)."""
    return overseers(enrolment.cycle) if deployment is Deployment.NATIONAL else ()


def state(
    session: Session, enrolment: Enrolment, deployment: Deployment = Deployment.NATIONAL
) -> Clearance:
    """The DESIGNATE guard's fact: the unit's requests, the latest override (two queries) and
    the overseers the round must ask (``required``)."""
    rows = session.scalars(
        select(ClearanceRequest)
        .where(ClearanceRequest.enrolment_id == enrolment.id)
        .order_by(ClearanceRequest.id)
    ).all()
    override = latest_override(session, enrolment.id)
    return _clearance(rows, override, required(enrolment, deployment))


@dataclass(frozen=True)
class Card:
    """What the enrolment page shows: the requests, the overseers not asked yet, what still
    blocks the designation, the override on file, and whether this user may record."""

    requests: Sequence[ClearanceRequest]
    overseers: tuple[str, ...]
    not_asked: list[str]
    blocker: str | None
    override: ClearanceOverride | None
    may_record: bool
    open_stage: bool

    @property
    def shown(self) -> bool:
        return self.open_stage or bool(self.requests)


def card(session: Session, actor: Actor, enrolment: Enrolment) -> Card:
    rows = requests_of(session, enrolment.id)
    override = latest_override(session, enrolment.id)
    names = overseers(enrolment.cycle)
    clearance = _clearance(rows, override, required(enrolment, actor.deployment))
    open_stage = enrolment.stage in PENDING_PROPOSAL
    return Card(
        requests=rows,
        overseers=names,
        not_asked=rules.not_asked(names, clearance),
        blocker=rules.blocker(clearance),
        override=override if override is not None and clearance.overridden else None,
        may_record=open_stage and Role.TPN in actor.roles,
        open_stage=open_stage,
    )


def _ensure_may_record(actor: Actor, enrolment: Enrolment) -> None:
    if Role.TPN not in actor.roles:
        raise NotAllowedError(_("Hanya TPN yang mencatat klirens pengawas."))
    if enrolment.stage not in PENDING_PROPOSAL:
        raise ValidationError(
            _("Klirens pengawas dicatat selama usulan unit diproses TPN, sebelum penetapan.")
        )


def _invalid(problems: list[str]) -> ValidationError:
    return ValidationError(" ".join(problems), problems=problems)


def _record(
    session: Session,
    user: User,
    action: str,
    row: ClearanceRequest | ClearanceOverride,
    enrolment: Enrolment,
    data: dict[str, object],
) -> None:
    audit.record(
        session,
        actor=user,
        tag=f"{TAG}:{action}",
        subject=row,
        unit_id=enrolment.unit_id,
        agency_id=enrolment.agency_id,
        data=data,
    )


def ask(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    overseer: str,
    asked_on: date | None,
    note: str,
    today: date,
) -> ClearanceRequest:
    """Record that TPN asked ``overseer`` about the unit. Raises NotAllowedError (not TPN),
    ValidationError (not in this stage, an overseer the cycle does not list, one already
    waiting for an answer, no date or a future one)."""
    _ensure_may_record(actor, enrolment)
    problems = rules.ask_problems(
        overseer, asked_on, today, overseers(enrolment.cycle), state(session, enrolment)
    )
    if problems or asked_on is None:
        raise _invalid(problems)
    row = ClearanceRequest(
        enrolment_id=enrolment.id,
        overseer=overseer,
        asked_on=asked_on,
        note=note.strip(),
        asked_by_id=actor.id,
    )
    session.add(row)
    session.flush()
    _record(
        session,
        actor.user,
        "ask",
        row,
        enrolment,
        {"overseer": overseer, "asked_on": asked_on, "note": row.note},
    )
    return row


def get_request(session: Session, enrolment: Enrolment, request_id: int) -> ClearanceRequest:
    row = session.get(ClearanceRequest, request_id)
    if row is None or row.enrolment_id != enrolment.id:
        raise NotFoundError(_("Permintaan klirens tidak ditemukan."))
    return row


@dataclass(frozen=True)
class AnswerInput:
    answered_on: date | None
    result: ClearanceResult | None
    summary: str = ""
    document: Upload | None = None
    link: str | None = None


def answer(
    session: Session,
    store: BlobStore,
    policy: UploadPolicy,
    *,
    actor: Actor,
    enrolment: Enrolment,
    request: ClearanceRequest,
    given: AnswerInput,
    today: date,
) -> EvidenceFile | None:
    """Record the overseer's answer; returns the letter stored now (the caller discards its
    blob if the commit fails: ``uploads.cleanup_on_failure``). Raises NotAllowedError,
    ValidationError (already answered, dates, no result, findings without a summary or a
    letter) and what the upload raises for a refused file."""
    _ensure_may_record(actor, enrolment)
    has_document = bool(given.document is not None and given.document.filename) or bool(given.link)
    problems = rules.answer_problems(
        _as_rule(request),
        answered_on=given.answered_on,
        result=given.result,
        summary=given.summary,
        has_document=has_document,
        today=today,
    )
    if problems or given.answered_on is None or given.result is None:
        raise _invalid(problems)
    stored = None
    if has_document:
        stored = uploads.attach(
            session,
            store=store,
            policy=policy,
            user=actor.user,
            enrolment=enrolment,
            target=Target(EvidencePurpose.CLEARANCE, None, f"{DOCUMENT_KEY}-{request.id}"),
            upload=given.document,
            link=given.link,
            title=_("Jawaban %(who)s atas permintaan klirens", who=request.overseer),
            required=False,
        )
    request.answered_on = given.answered_on
    request.result = given.result
    request.summary = " ".join(given.summary.split()) if given.summary else ""
    request.document_id = stored.id if stored is not None else None
    request.answered_by_id = actor.id
    session.flush()
    _record(
        session,
        actor.user,
        "answer",
        request,
        enrolment,
        {
            "overseer": request.overseer,
            "answered_on": given.answered_on,
            "result": given.result.value,
            "summary": request.summary,
            "document": stored.sha256 or stored.link_url if stored is not None else None,
        },
    )
    return stored


def resolve(
    session: Session,
    *,
    actor: Actor,
    enrolment: Enrolment,
    request: ClearanceRequest,
    resolved_on: date | None,
    note: str,
    today: date,
) -> None:
    """Record how the overseer's findings were resolved. Raises NotAllowedError and
    ValidationError (no open findings, dates, no explanation)."""
    _ensure_may_record(actor, enrolment)
    problems = rules.resolve_problems(
        _as_rule(request), resolved_on=resolved_on, note=note, today=today
    )
    if problems:
        raise _invalid(problems)
    request.resolved_on = resolved_on
    request.resolution = note.strip()
    request.resolved_by_id = actor.id
    session.flush()
    _record(
        session,
        actor.user,
        "resolve",
        request,
        enrolment,
        {"overseer": request.overseer, "resolved_on": resolved_on, "note": request.resolution},
    )


def override(
    session: Session, *, actor: Actor, enrolment: Enrolment, reason: str
) -> ClearanceOverride:
    """TPN designates despite the open clearance: its reason (at least
    ``MIN_OVERRIDE_REASON`` characters) covers every request recorded so far. Raises
    NotAllowedError and ValidationError (nothing open, reason too short)."""
    _ensure_may_record(actor, enrolment)
    clearance = state(session, enrolment)
    if problems := rules.override_problems(clearance, reason):
        raise _invalid(problems)
    covers = max(r.number for r in clearance.requests)
    row = ClearanceOverride(
        enrolment_id=enrolment.id,
        covers_up_to=covers,
        reason=" ".join(reason.split()),
        by_id=actor.id,
    )
    session.add(row)
    session.flush()
    _record(
        session,
        actor.user,
        "override",
        row,
        enrolment,
        {
            "reason": row.reason,
            "open": [r.overseer for r in clearance.requests if r.open],
            "findings": [r.overseer for r in clearance.requests if r.unresolved],
        },
    )
    return row


def set_overseers(session: Session, *, user: User, cycle: Cycle, text: str) -> tuple[str, ...]:
    """The administrator sets whom the cycle's TPN asks (one name per line). Raises
    ValidationError (none, too many, a name too long)."""
    names, problems = rules.parse_overseers(text)
    if problems:
        raise _invalid(problems)
    old = list(overseers(cycle))
    cycle.overseers = names
    session.flush()
    audit.record(
        session,
        actor=user,
        tag="accreditation:cycle:overseers",
        subject=cycle,
        data={"old": old, "new": names},
    )
    return tuple(names)
