"""What PortalRB may read, gathered in bounded queries: the agency's proposals in the open
cycle, one unit's answers of both tiers with their evidence, one evidence file; and the record
of every pull (a row and an audit record)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.accreditation import assessments, cycles
from tracker.accreditation.models import Answer, Assessment, Cycle, Enrolment, Predicate
from tracker.accreditation.tiers import TierCode
from tracker.accreditation.workflow import Deadline
from tracker.agencies.models import Unit
from tracker.audit import services as audit
from tracker.db import utcnow
from tracker.errors import DomainError, NotAllowedError, NotFoundError
from tracker.evidence.models import EvidenceFile, EvidencePurpose, EvidenceStatus
from tracker.i18n import _
from tracker.portalrb import rules, soal
from tracker.portalrb.models import PortalrbPull, PortalrbToken

if TYPE_CHECKING:
    from tracker.audit.services import Author


class NoQuestionList(DomainError):
    """The cycle's framework carries no PortalRB question ids: nothing can be answered."""

    http_status = 500


def _not_found() -> NotFoundError:
    return NotFoundError(
        _(
            "Data tidak ditemukan: tidak ada usulan unit pada periode pengusulan "
            "yang sedang berjalan."
        )
    )


def proposal_cycle(session: Session, agency_id: int, today: date) -> Cycle | None:
    """The open cycle whose proposal period (the agency's deadline, extensions counted) still
    runs today; None outside it."""
    for cycle in cycles.open_cycles(session):
        deadline = cycles.effective_deadlines(session, cycle, agency_id)[Deadline.PROPOSAL]
        if rules.proposal_open(cycle_open=cycle.open, today=today, deadline=deadline):
            return cycle
    return None


def proposed_units(
    session: Session, *, agency_id: int, target: Predicate, today: date
) -> dict[str, Any]:
    """``{"tahun", "units"}`` of the agency's proposals for ``target``. Raises NotFoundError
    outside the proposal period."""
    cycle = proposal_cycle(session, agency_id, today)
    if cycle is None:
        raise _not_found()
    rows = session.execute(
        select(Unit.id, Unit.name)
        .join(Enrolment, Enrolment.unit_id == Unit.id)
        .where(
            Enrolment.cycle_id == cycle.id,
            Enrolment.agency_id == agency_id,
            Enrolment.target == target,
            Enrolment.stage.in_(rules.PULLED_STAGES),
        )
        .order_by(Unit.path)
    ).all()
    category = rules.category(target)  # no afirmasi status is recorded (see rules.category)
    return {
        "tahun": cycle.year,
        "units": [
            {
                "id": str(unit_id),
                "nama": name,
                "kategori": category.kategori,
                "afirmasi": category.afirmasi,
            }
            for unit_id, name in rows
        ],
    }


def _proposal_of(session: Session, *, agency_id: int, unit_id: int, today: date) -> Enrolment:
    """The unit's enrolment PortalRB may read. Raises NotFoundError (no such unit, not proposed,
    outside the period), NotAllowedError (the unit is another agency's)."""
    unit_agency = session.scalar(select(Unit.agency_id).where(Unit.id == unit_id))
    if unit_agency is None:
        raise _not_found()
    if unit_agency != agency_id:
        raise NotAllowedError(_("Token ini tidak berhak atas unit instansi lain."))
    cycle = proposal_cycle(session, agency_id, today)
    if cycle is None:
        raise _not_found()
    enrolment = session.scalars(
        select(Enrolment).where(
            Enrolment.cycle_id == cycle.id,
            Enrolment.unit_id == unit_id,
            Enrolment.stage.in_(rules.PULLED_STAGES),
        )
    ).first()
    if enrolment is None:
        raise _not_found()
    return enrolment


def unit_answers(
    session: Session,
    *,
    agency_id: int,
    unit_id: int,
    today: date,
    download_url: Callable[[str], str],
) -> dict[str, Any]:
    """The guide's answers of one proposed unit: every question of the master list with the
    unit's self-assessment and TPI's answers and notes, and the unit's evidence (a link, or
    ``download_url(public id)`` of a stored file). Three queries whatever the LKE's size."""
    enrolment = _proposal_of(session, agency_id=agency_id, unit_id=unit_id, today=today)
    framework = assessments.framework_for(enrolment)
    cells = soal.soal_cells(framework)
    if not cells:
        raise NoQuestionList(
            _("Kerangka LKE siklus ini belum memuat nomor soal PortalRB (soal_id).")
        )
    tiers: dict[str, dict[str, soal.TierAnswer]] = {TierCode.UNIT: {}, TierCode.TPI: {}}
    answer_rows = session.execute(
        select(Assessment.tier, Answer.item_code, Answer.value, Answer.note)
        .join(Answer, Answer.assessment_id == Assessment.id)
        .where(Assessment.enrolment_id == enrolment.id, Assessment.tier.in_(list(tiers)))
    )
    for tier, code, value, note in answer_rows:
        tiers[tier][code] = soal.TierAnswer(value, note or "")
    evidence: dict[str, list[str]] = {}
    for row in item_evidence(session, enrolment.id):
        assert row.item_code is not None  # the query asks for item evidence only
        link = row.link_url if row.link_url is not None else download_url(row.public_id)
        evidence.setdefault(row.item_code, []).append(link)
    return {
        "unit_id": str(enrolment.unit_id),
        "nama_unit": enrolment.unit.name,
        "tahun": enrolment.cycle.year,
        "answers": soal.answer_rows(
            framework, cells, tiers[TierCode.UNIT], tiers[TierCode.TPI], evidence
        ),
    }


def item_evidence(session: Session, enrolment_id: int) -> Sequence[EvidenceFile]:
    """The enrolment's current evidence of LKE items (files and links), by item and document."""
    return session.scalars(
        select(EvidenceFile)
        .where(
            EvidenceFile.enrolment_id == enrolment_id,
            EvidenceFile.purpose == EvidencePurpose.ITEM,
            EvidenceFile.status == EvidenceStatus.ACTIVE,
            EvidenceFile.item_code.is_not(None),
        )
        .order_by(EvidenceFile.item_code, EvidenceFile.document_key, EvidenceFile.id)
    ).all()


def evidence_file(session: Session, *, agency_id: int, public_id: str, today: date) -> EvidenceFile:
    """A stored evidence file of an item of one of the agency's proposed units, in the period.
    Raises NotFoundError, NotAllowedError (another agency's file)."""
    row = session.scalars(
        select(EvidenceFile).where(EvidenceFile.public_id == public_id[:32])
    ).first()
    if (
        row is None
        or row.enrolment is None
        or row.purpose is not EvidencePurpose.ITEM
        or row.status is not EvidenceStatus.ACTIVE
        or row.storage_key is None
    ):
        raise NotFoundError(_("Berkas bukti tidak ditemukan."))
    _proposal_of(session, agency_id=agency_id, unit_id=row.enrolment.unit_id, today=today)
    return row


# --- the record of pulls -------------------------------------------------------------------


@dataclass(frozen=True)
class _TokenAuthor:
    """Who pulled, for the audit trail: the token by name and agency (no user account)."""

    full_name: str
    id: int | None = None


def record_pull(
    session: Session,
    *,
    token: PortalrbToken,
    endpoint: str,
    status: int,
    unit_id: int | None = None,
) -> PortalrbPull:
    """One request of a known token: a pull row, the token's last use (when it was accepted),
    and an audit record. The caller commits."""
    unit_ref = None  # an id no unit has (PortalRB asked for it) is kept in ``endpoint`` only
    if unit_id is not None and session.get(Unit, unit_id) is not None:
        unit_ref = unit_id
    pull = PortalrbPull(
        token_id=token.id,
        agency_id=token.agency_id,
        unit_id=unit_ref,
        endpoint=endpoint[:200],
        status=status,
    )
    session.add(pull)
    if status < 400 or status in (403, 404, 429):  # the token itself was accepted
        token.last_used_at = utcnow()
    session.flush()
    author = _TokenAuthor(f"PortalRB ({token.name}, {token.agency.short_name})")
    audit.record(
        session,
        # The audit trail's actor id is nullable: a token is no user account.
        actor=cast("Author", author),
        tag="portalrb:api:pull",
        subject=pull,
        agency_id=token.agency_id,
        unit_id=unit_ref,
        data={
            "token": token.name,
            "prefix": token.prefix,
            "endpoint": pull.endpoint,
            "status": status,
        },
    )
    return pull


def last_pulls(session: Session, agency_id: int) -> dict[int, datetime]:
    """{unit id: when PortalRB last fetched that unit's answers successfully}."""
    rows = session.execute(
        select(PortalrbPull.unit_id, func.max(PortalrbPull.at))
        .where(
            PortalrbPull.agency_id == agency_id,
            PortalrbPull.unit_id.is_not(None),
            PortalrbPull.status == 200,
        )
        .group_by(PortalrbPull.unit_id)
    ).all()
    return {unit_id: at for unit_id, at in rows if unit_id is not None}


def last_list_pull(session: Session, agency_id: int) -> datetime | None:
    """When PortalRB last fetched one of the agency's unit lists successfully."""
    return session.scalar(
        select(func.max(PortalrbPull.at)).where(
            PortalrbPull.agency_id == agency_id,
            PortalrbPull.unit_id.is_(None),
            PortalrbPull.status == 200,
        )
    )


def proposed_in_cycle(session: Session, agency_id: int) -> Sequence[Enrolment]:
    """The agency's enrolments PortalRB lists, in every open cycle (for the agency's page,
    whether or not the proposal period still runs)."""
    return session.scalars(
        select(Enrolment)
        .join(Cycle, Cycle.id == Enrolment.cycle_id)
        .join(Unit, Unit.id == Enrolment.unit_id)
        .where(
            Cycle.open.is_(True),
            Enrolment.agency_id == agency_id,
            Enrolment.stage.in_(rules.PULLED_STAGES),
        )
        .order_by(Cycle.year.desc(), Unit.path)
    ).all()
